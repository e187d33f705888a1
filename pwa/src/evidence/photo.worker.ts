/// <reference lib="webworker" />
import { fitWithin, JPEG_QUALITY, MAX_SIDE } from '../scale';

/** Downscale one photo off the main thread: decode (EXIF orientation applied), draw, encode JPEG. */
self.onmessage = async (e: MessageEvent<{ file: Blob }>) => {
  try {
    const bitmap = await createImageBitmap(e.data.file, { imageOrientation: 'from-image' });
    const { width, height } = fitWithin(bitmap.width, bitmap.height, MAX_SIDE);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    self.postMessage({ ok: true, jpeg, width, height });
  } catch (err) {
    self.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
