/**
 * The county drawn from its own data: village centres and fences on an equirectangular
 * projection scaled by cos(latitude), so that a fence looks round. No map tiles. All
 * coordinates here are WGS-84 as stored; nothing is converted in the browser (a point typed
 * from a GCJ-02 or BD-09 map is sent with its `crs` and converted by the server's one function).
 */

export interface Circle {
  lat: number;
  lon: number;
  radiusM: number;
}

export interface Frame {
  width: number;
  height: number;
  /** WGS-84 → drawing. */
  toXY(lat: number, lon: number): { x: number; y: number };
  /** Drawing → WGS-84. */
  toLatLon(x: number, y: number): { lat: number; lon: number };
  /** Metres → drawing units. */
  metres(m: number): number;
}

const M_PER_DEG = 111_320;

/** A frame that holds every circle, padded, at the given width (height follows the shape). */
export function frameFor(circles: Circle[], width: number, opts: { pad?: number; minHeight?: number; maxHeight?: number } = {}): Frame {
  const { pad = 20, minHeight = 220, maxHeight = 560 } = opts;
  const pts = circles.length ? circles : [{ lat: 26.5, lon: 107.5, radiusM: 5000 }];
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  const midLat = pts.reduce((s, c) => s + c.lat, 0) / pts.length;
  const k = Math.cos((midLat * Math.PI) / 180) || 1;
  for (const c of pts) {
    const dLat = c.radiusM / M_PER_DEG;
    const dLon = c.radiusM / (M_PER_DEG * k);
    minLat = Math.min(minLat, c.lat - dLat);
    maxLat = Math.max(maxLat, c.lat + dLat);
    minLon = Math.min(minLon, c.lon - dLon);
    maxLon = Math.max(maxLon, c.lon + dLon);
  }
  const spanX = Math.max((maxLon - minLon) * k, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const inner = width - 2 * pad;
  const height = Math.round(Math.min(maxHeight, Math.max(minHeight, (inner * spanY) / spanX + 2 * pad)));
  const scale = Math.min(inner / spanX, (height - 2 * pad) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  return {
    width,
    height,
    toXY: (lat, lon) => ({ x: offX + (lon - minLon) * k * scale, y: offY + (maxLat - lat) * scale }),
    toLatLon: (x, y) => ({ lat: maxLat - (y - offY) / scale, lon: minLon + (x - offX) / (k * scale) }),
    metres: (m) => (m / M_PER_DEG) * scale,
  };
}

/** Round to 6 decimals (about 0.1 m): what a person types and reads. */
export function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
