/** Longest side of a photo as stored and uploaded. */
export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.85;

/** Fit within `max` on the long side, never enlarging. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
