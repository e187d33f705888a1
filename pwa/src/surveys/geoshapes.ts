/**
 * Lines and areas (ODK's geotrace and geoshape) in ODK's own text: points `lat lon alt acc`
 * separated by `;`. A trace has at least 2 points; a shape at least 3 distinct ones and is
 * closed (its last point repeats its first). Mirrors backend/surveys/geoshapes.py; both are
 * tested against tests/fixtures/geoshapes.json.
 */

/** The most points an answer may hold. */
export const MAX_POINTS = 500;
/** A plain decimal (no exponent, no sign but minus), read alike by Python and JavaScript. */
const NUMBER = /^-?[0-9]{1,6}(\.[0-9]{1,15})?$/;

export interface ShapePoint {
  lat: number;
  lon: number;
  alt?: number;
  accuracy_m?: number | null;
}

/** The points of an answer, or null when it is not ODK's text of points. */
export function points(value: unknown): ShapePoint[] | null {
  if (typeof value !== 'string' || value.length > MAX_POINTS * 64) return null;
  const parts = value.split(';');
  if (parts.length > MAX_POINTS) return null;
  const out: ShapePoint[] = [];
  for (const part of parts) {
    const numbers = part.split(/[ \t]+/).filter((n) => n !== '');
    if (numbers.length < 2 || numbers.length > 4 || !numbers.every((n) => NUMBER.test(n))) return null;
    const [lat, lon, alt, acc] = numbers.map(Number);
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return null;
    if (numbers.length === 4 && acc < 0) return null;
    out.push({ lat, lon, alt, accuracy_m: numbers.length === 4 ? acc : null });
  }
  return out;
}

/** not_geotrace / not_geoshape for an answer that is not a line / a closed area. */
export function shapeError(kind: 'geotrace' | 'geoshape', value: unknown): string | null {
  const found = points(value);
  if (kind === 'geotrace') return found !== null && found.length >= 2 ? null : 'not_geotrace';
  const key = (p: ShapePoint) => `${p.lat} ${p.lon}`;
  const ok =
    found !== null &&
    found.length >= 4 &&
    key(found[0]) === key(found[found.length - 1]) &&
    new Set(found.map(key)).size >= 3;
  return ok ? null : 'not_geoshape';
}

const text = (p: ShapePoint) => [p.lat, p.lon, p.alt ?? 0, p.accuracy_m ?? 0].map(String).join(' ');

/**
 * The answer for the points a cadre added (open: a shape's closing point is not among them):
 * a shape of 3 or more points is closed here, so the cadre never has to tap the first again.
 */
export function shapeText(kind: 'geotrace' | 'geoshape', open: ShapePoint[]): string | null {
  if (open.length === 0) return null;
  const all = kind === 'geoshape' && open.length >= 3 ? [...open, open[0]] : open;
  return all.map(text).join(';');
}

/** The points a cadre added, from an answer (a closed shape without its closing point). */
export function openPoints(kind: 'geotrace' | 'geoshape', value: unknown): ShapePoint[] {
  const found = points(value) ?? [];
  if (kind === 'geoshape' && found.length >= 4) {
    const [a, b] = [found[0], found[found.length - 1]];
    if (a.lat === b.lat && a.lon === b.lon) return found.slice(0, -1);
  }
  return found;
}
