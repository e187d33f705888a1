import fixtureJson from '../../../tests/fixtures/geoshapes.json';
import { describe, expect, it } from 'vitest';
import { openPoints, shapeError, shapeText } from './geoshapes';

const fixture = fixtureJson as unknown as { cases: { name: string; kind: 'geotrace' | 'geoshape'; value: unknown; code: string | null }[] };

describe('lines and areas (shared fixture with backend/surveys/geoshapes.py)', () => {
  it('has cases', () => expect(fixture.cases.length).toBeGreaterThan(15));
  for (const c of fixture.cases) it(c.name, () => expect(shapeError(c.kind, c.value)).toBe(c.code));
});

describe('the points a cadre adds', () => {
  const a = { lat: 26.5, lon: 106.7, accuracy_m: 5 };
  const b = { lat: 26.51, lon: 106.71, accuracy_m: 6 };
  const c = { lat: 26.5, lon: 106.72 };
  it('a shape is closed once it has three points', () => {
    expect(shapeText('geoshape', [a, b])).toBe('26.5 106.7 0 5;26.51 106.71 0 6');
    const closed = shapeText('geoshape', [a, b, c]);
    expect(closed).toBe('26.5 106.7 0 5;26.51 106.71 0 6;26.5 106.72 0 0;26.5 106.7 0 5');
    expect(shapeError('geoshape', closed)).toBeNull();
    expect(openPoints('geoshape', closed).map((p) => p.lon)).toEqual([106.7, 106.71, 106.72]);
  });
  it('a trace is never closed', () => {
    const line = shapeText('geotrace', [a, b, c]);
    expect(line?.split(';')).toHaveLength(3);
    expect(openPoints('geotrace', line)).toHaveLength(3);
    expect(shapeText('geotrace', [])).toBeNull();
  });
});
