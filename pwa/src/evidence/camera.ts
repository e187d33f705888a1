import { storeEvidence, type EvidenceRecord } from './evidence';
import { buildExifSegment, captureIso, EXIF_HEAD_BYTES, insertExif, readCaptureMeta, type CaptureMeta } from './exif';
import { fitWithin, JPEG_QUALITY } from '../scale';

/** A downscaled photo, before its metadata is put back and it is hashed and stored. */
export interface PreparedPhoto {
  jpeg: Blob;
  width: number;
  height: number;
  meta: CaptureMeta;
}

interface Downscaled {
  jpeg: Blob;
  width: number;
  height: number;
}

function inWorker(file: Blob): Promise<Downscaled> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./photo.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ ok: boolean; error?: string } & Downscaled>) => {
      worker.terminate();
      if (e.data.ok) resolve(e.data);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || 'worker failed'));
    };
    worker.postMessage({ file });
  });
}

async function decodeOnMainThread(file: Blob): Promise<CanvasImageSource & { width: number; height: number }> {
  if ('createImageBitmap' in window) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      /* older engines reject the option: fall through to <img>, which honours EXIF orientation */
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return Object.assign(img, { width: img.naturalWidth, height: img.naturalHeight });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The fallback where OffscreenCanvas is missing (older Safari). */
async function onMainThread(file: Blob): Promise<Downscaled> {
  const src = await decodeOnMainThread(file);
  const { width, height } = fitWithin(src.width, src.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  ctx.drawImage(src, 0, 0, width, height);
  const jpeg = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', JPEG_QUALITY),
  );
  return { jpeg, width, height };
}

/** Read capture metadata from the original, then downscale (≤ 1600 px, JPEG). */
export async function preparePhoto(file: Blob): Promise<PreparedPhoto> {
  const meta = readCaptureMeta(await file.slice(0, EXIF_HEAD_BYTES).arrayBuffer());
  const canWork = typeof OffscreenCanvas !== 'undefined' && typeof Worker !== 'undefined';
  let out: Downscaled;
  try {
    out = canWork ? await inWorker(file) : await onMainThread(file);
  } catch (err) {
    if (!canWork) throw err;
    out = await onMainThread(file);
  }
  return { ...out, meta };
}

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Put the capture time (and the photo's own GPS, if the cadre keeps it) back into the JPEG,
 * hash it and store it on the phone. Uploading happens later, from the sync loop.
 */
export async function keepPhoto(userId: string, p: PreparedPhoto, keepGps: boolean): Promise<EvidenceRecord> {
  const meta: CaptureMeta = keepGps ? p.meta : { ...p.meta, gps: null };
  const bytes = insertExif(new Uint8Array(await p.jpeg.arrayBuffer()), buildExifSegment(meta));
  const sha256 = await sha256Hex(bytes);
  const rec: EvidenceRecord = {
    sha256,
    blob: new Blob([bytes as BlobPart], { type: 'image/jpeg' }),
    bytes: bytes.length,
    width: p.width,
    height: p.height,
    captured_at: captureIso(p.meta),
    gps: meta.gps,
    status: 'pending',
    attempts: 0,
    created_at: new Date().toISOString(),
  };
  await storeEvidence(userId, rec);
  return rec;
}
