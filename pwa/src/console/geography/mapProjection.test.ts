import { describe, expect, it } from 'vitest';
import { frameFor, round6 } from './mapProjection';

describe('frameFor', () => {
  const circles = [
    { lat: 26.41, lon: 107.91, radiusM: 1500 },
    { lat: 26.45, lon: 107.95, radiusM: 2000 },
  ];

  it('maps a point there and back', () => {
    const f = frameFor(circles, 640);
    const { x, y } = f.toXY(26.43, 107.93);
    const back = f.toLatLon(x, y);
    expect(round6(back.lat)).toBe(26.43);
    expect(round6(back.lon)).toBe(107.93);
  });

  it('keeps every fence inside the drawing, north up', () => {
    const f = frameFor(circles, 640);
    for (const c of circles) {
      const { x, y } = f.toXY(c.lat, c.lon);
      const r = f.metres(c.radiusM);
      expect(x - r).toBeGreaterThanOrEqual(0);
      expect(x + r).toBeLessThanOrEqual(640);
      expect(y - r).toBeGreaterThanOrEqual(0);
      expect(y + r).toBeLessThanOrEqual(f.height);
    }
    expect(f.toXY(26.45, 107.93).y).toBeLessThan(f.toXY(26.41, 107.93).y);
  });

  it('draws a fence round: a metre is the same east-west and north-south', () => {
    const f = frameFor(circles, 640);
    const a = f.toXY(26.43, 107.93);
    const north = f.toXY(26.43 + 1000 / 111_320, 107.93);
    const east = f.toXY(26.43, 107.93 + 1000 / (111_320 * Math.cos((26.43 * Math.PI) / 180)));
    expect(Math.abs(a.y - north.y - (east.x - a.x))).toBeLessThan(0.05 * f.metres(1000));
  });

  it('draws something sensible with no village placed yet', () => {
    const f = frameFor([], 320);
    expect(f.height).toBeGreaterThan(0);
  });
});
