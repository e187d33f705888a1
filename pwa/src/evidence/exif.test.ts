import { describe, expect, it } from 'vitest';
import { buildExifSegment, captureIso, insertExif, readCaptureMeta } from './exif';
import { fitWithin } from '../scale';

const bareJpeg = () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0x4a, 0x46, 0xff, 0xd9]);

describe('EXIF capture metadata', () => {
  it('round-trips the capture time and GPS through the downscaled JPEG', () => {
    const meta = { dateTimeOriginal: '2026:11:24 09:30:15', offset: '+08:00', gps: { lat: 26.5833, lon: -107.2311 } };
    const out = insertExif(bareJpeg(), buildExifSegment(meta));
    expect([out[0], out[1]]).toEqual([0xff, 0xd8]);
    const back = readCaptureMeta(out.buffer as ArrayBuffer);
    expect(back.dateTimeOriginal).toBe('2026:11:24 09:30:15');
    expect(back.offset).toBe('+08:00');
    expect(back.gps!.lat).toBeCloseTo(26.5833, 5);
    expect(back.gps!.lon).toBeCloseTo(-107.2311, 5);
    expect(captureIso(back)).toBe('2026-11-24T09:30:15+08:00');
  });

  it('writes the time alone when the location is dropped', () => {
    const out = insertExif(bareJpeg(), buildExifSegment({ dateTimeOriginal: '2026:11:24 09:30:15', offset: null, gps: null }));
    const back = readCaptureMeta(out.buffer as ArrayBuffer);
    expect(back.gps).toBeNull();
    expect(captureIso(back)).toBe('2026-11-24T09:30:15+08:00');
  });

  it('finds nothing in a JPEG without EXIF, or in garbage', () => {
    expect(readCaptureMeta(bareJpeg().buffer as ArrayBuffer)).toEqual({ dateTimeOriginal: null, offset: null, gps: null });
    expect(readCaptureMeta(new Uint8Array([1, 2, 3]).buffer as ArrayBuffer).gps).toBeNull();
    expect(insertExif(bareJpeg(), null)).toEqual(bareJpeg());
  });

  it('downscales to at most 1600 px on the long side, never up', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });
});
