/**
 * The few EXIF tags Zhucun needs, read from the first 64 KB of a JPEG and written back into
 * the downscaled copy (a canvas drops all metadata). The server reads them for verification
 * and strips them from every image it serves.
 */

export interface CaptureMeta {
  /** "YYYY:MM:DD HH:MM:SS" as the camera wrote it, local time. */
  dateTimeOriginal: string | null;
  /** "+08:00" style offset, when the camera wrote one. */
  offset: string | null;
  gps: { lat: number; lon: number } | null;
}

export const EXIF_HEAD_BYTES = 65536;

const EMPTY: CaptureMeta = { dateTimeOriginal: null, offset: null, gps: null };

const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** Find the TIFF block inside the APP1 "Exif" segment, or null. */
function findTiff(view: DataView): number | null {
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
  let p = 2;
  while (p + 4 <= view.byteLength) {
    const marker = view.getUint16(p);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
    const len = view.getUint16(p + 2);
    if (marker === 0xffe1 && p + 10 <= view.byteLength && view.getUint32(p + 4) === 0x45786966) {
      return p + 10; // "Exif\0\0"
    }
    p += 2 + len;
  }
  return null;
}

export function readCaptureMeta(buf: ArrayBuffer): CaptureMeta {
  try {
    const view = new DataView(buf);
    const tiff = findTiff(view);
    if (tiff === null) return EMPTY;
    const little = view.getUint16(tiff) === 0x4949;
    const u16 = (o: number) => view.getUint16(tiff + o, little);
    const u32 = (o: number) => view.getUint32(tiff + o, little);

    type Entry = { type: number; count: number; at: number };
    const readIfd = (offset: number): Map<number, Entry> => {
      const out = new Map<number, Entry>();
      const n = u16(offset);
      for (let i = 0; i < n; i++) {
        const e = offset + 2 + i * 12;
        const type = u16(e + 2);
        const count = u32(e + 4);
        const size = (TYPE_SIZE[type] ?? 1) * count;
        out.set(u16(e), { type, count, at: size <= 4 ? e + 8 : u32(e + 8) });
      }
      return out;
    };
    const ascii = (e: Entry | undefined): string | null => {
      if (!e) return null;
      let s = '';
      for (let i = 0; i < e.count; i++) {
        const c = view.getUint8(tiff + e.at + i);
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      return s.trim() || null;
    };
    const rationals = (e: Entry | undefined): number[] | null => {
      if (!e || e.type !== 5) return null;
      return Array.from({ length: e.count }, (_, i) => {
        const den = u32(e.at + i * 8 + 4);
        return den ? u32(e.at + i * 8) / den : 0;
      });
    };

    const ifd0 = readIfd(u32(4));
    const meta: CaptureMeta = { dateTimeOriginal: null, offset: null, gps: null };
    const exifPtr = ifd0.get(TAG_EXIF_IFD);
    if (exifPtr) {
      const exif = readIfd(u32(exifPtr.at));
      meta.dateTimeOriginal = ascii(exif.get(TAG_DATETIME_ORIGINAL));
      meta.offset = ascii(exif.get(TAG_OFFSET_TIME_ORIGINAL));
    }
    const gpsPtr = ifd0.get(TAG_GPS_IFD);
    if (gpsPtr) {
      const gps = readIfd(u32(gpsPtr.at));
      const lat = rationals(gps.get(2));
      const lon = rationals(gps.get(4));
      if (lat && lon && lat.length === 3 && lon.length === 3) {
        const dms = (v: number[]) => v[0] + v[1] / 60 + v[2] / 3600;
        const sign = (e: Entry | undefined, neg: string) => (ascii(e) === neg ? -1 : 1);
        const la = dms(lat) * sign(gps.get(1), 'S');
        const lo = dms(lon) * sign(gps.get(3), 'W');
        if (Number.isFinite(la) && Number.isFinite(lo) && !(la === 0 && lo === 0)) {
          meta.gps = { lat: la, lon: lo };
        }
      }
    }
    return meta;
  } catch {
    return EMPTY;
  }
}

/** EXIF local time to ISO 8601; a camera without an offset is taken to be on Beijing time. */
export function captureIso(meta: CaptureMeta): string | null {
  const m = meta.dateTimeOriginal?.match(/^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/);
  if (!m || m[1] === '0000') return null;
  const offset = meta.offset && /^[+-]\d{2}:\d{2}$/.test(meta.offset) ? meta.offset : '+08:00';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${offset}`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

// --- writing: a minimal big-endian TIFF block with DateTimeOriginal and, if kept, GPS ---

class Writer {
  bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  u16(v: number) {
    this.u8(v >> 8);
    this.u8(v);
  }
  u32(v: number) {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }
  ascii(s: string) {
    // Only ASCII reaches here: EXIF dates, offsets and N/S/E/W.
    for (const ch of s) this.u8(ch.charCodeAt(0));
    this.u8(0);
  }
}

interface Field {
  tag: number;
  type: number;
  count: number;
  inline?: number[];
  data?: (w: Writer) => void;
  size?: number;
}

/** Write one IFD at offset `start` (== bytes written so far), its larger values right after it. */
function writeIfd(w: Writer, fields: Field[], start: number): void {
  let extra = start + 2 + fields.length * 12 + 4;
  const later: Field[] = [];
  w.u16(fields.length);
  for (const f of fields) {
    w.u16(f.tag);
    w.u16(f.type);
    w.u32(f.count);
    if (f.inline) {
      const bytes = [...f.inline, 0, 0, 0, 0].slice(0, 4);
      bytes.forEach((b) => w.u8(b));
    } else {
      w.u32(extra);
      extra += f.size ?? 0;
      later.push(f);
    }
  }
  w.u32(0);
  for (const f of later) f.data?.(w);
}

function rational3(deg: number): (w: Writer) => void {
  const abs = Math.abs(deg);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 10000);
  return (w) => {
    w.u32(d);
    w.u32(1);
    w.u32(m);
    w.u32(1);
    w.u32(s);
    w.u32(10000);
  };
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const asciiBytes = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The APP1 segment (marker included) carrying `meta`, or null when there is nothing to carry. */
export function buildExifSegment(meta: CaptureMeta): Uint8Array | null {
  if (!meta.dateTimeOriginal && !meta.gps) return null;
  const w = new Writer();
  w.bytes = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]; // "MM", 42, IFD0 at 8

  const ifd0: Field[] = [];
  const ifd0Size = (n: number) => 2 + n * 12 + 4;
  const n0 = (meta.dateTimeOriginal ? 1 : 0) + (meta.gps ? 1 : 0);
  let next = 8 + ifd0Size(n0);

  const exifFields: Field[] = [];
  if (meta.dateTimeOriginal) {
    const dto = meta.dateTimeOriginal.slice(0, 19);
    exifFields.push({ tag: TAG_DATETIME_ORIGINAL, type: 2, count: 20, size: 20, data: (x) => x.ascii(dto) });
    if (meta.offset) {
      const off = meta.offset.slice(0, 6);
      exifFields.push({ tag: TAG_OFFSET_TIME_ORIGINAL, type: 2, count: 7, size: 7, data: (x) => x.ascii(off) });
    }
  }
  const exifAt = next;
  const exifSize = exifFields.length
    ? ifd0Size(exifFields.length) + exifFields.reduce((a, f) => a + (f.size ?? 0), 0)
    : 0;
  if (exifFields.length) {
    ifd0.push({ tag: TAG_EXIF_IFD, type: 4, count: 1, inline: be32(exifAt) });
    next += exifSize;
  }
  const gpsAt = next;
  let gpsFields: Field[] = [];
  if (meta.gps) {
    const { lat, lon } = meta.gps;
    gpsFields = [
      { tag: 0, type: 1, count: 4, inline: [2, 3, 0, 0] },
      { tag: 1, type: 2, count: 2, inline: asciiBytes(lat < 0 ? 'S' : 'N') },
      { tag: 2, type: 5, count: 3, size: 24, data: rational3(lat) },
      { tag: 3, type: 2, count: 2, inline: asciiBytes(lon < 0 ? 'W' : 'E') },
      { tag: 4, type: 5, count: 3, size: 24, data: rational3(lon) },
    ];
    ifd0.push({ tag: TAG_GPS_IFD, type: 4, count: 1, inline: be32(gpsAt) });
  }

  writeIfd(w, ifd0, 8);
  if (exifFields.length) writeIfd(w, exifFields, exifAt);
  if (gpsFields.length) writeIfd(w, gpsFields, gpsAt);

  const tiff = w.bytes;
  const len = 2 + 6 + tiff.length;
  const seg = new Uint8Array(2 + len);
  seg.set([0xff, 0xe1, len >> 8, len & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0]);
  seg.set(tiff, 10);
  return seg;
}

/** Put the segment right after SOI (and after a JFIF APP0, if the encoder wrote one). */
export function insertExif(jpeg: Uint8Array, segment: Uint8Array | null): Uint8Array {
  if (!segment || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return jpeg;
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + ((jpeg[4] << 8) | jpeg[5]);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, at), 0);
  out.set(segment, at);
  out.set(jpeg.subarray(at), at + segment.length);
  return out;
}
