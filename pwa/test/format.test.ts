import { afterEach, describe, expect, it } from 'vitest';
import { spreadPoints, type MapPoint, type UnitRow } from '../src/dashboard/dashboard';
import { dateTime, day, dayRange, money, month, num, plural } from '../src/format';
import { setLang } from '../src/i18n';

afterEach(() => setLang('zh'));

describe('one format per language', () => {
  it('shows money, months, days and ranges with the year', () => {
    expect(money(150000)).toBe('¥1,500.00');
    expect(month('2026-11')).toBe('2026年11月');
    expect(day('2026-04-01')).toBe('2026年4月1日');
    expect(dayRange('2026-04-01', '2026-04-30')).toBe('2026年4月1日至30日');
    expect(num(12345.6)).toBe('12,345.6');
    // An instant in a claim's history: the date as every date is written, then the time.
    expect(dateTime('2026-12-03T17:37:00Z')).toBe('2026年12月4日 01:37');
    setLang('en');
    expect(dateTime('2026-12-03T17:37:00Z')).toBe('4 Dec 2026, 01:37');
    expect(money(150000)).toBe('¥1,500.00');
    expect(month('2026-11')).toBe('November 2026');
    expect(dayRange('2026-04-01', '2026-04-30')).toBe('1–30 April 2026');
    expect(plural(1, { one: '# day', other: '# days' })).toBe('1 day');
    expect(plural(3, { one: '# day', other: '# days' })).toBe('3 days');
  });
});

describe('map dots', () => {
  const at = (x: number, y: number): MapPoint => ({ row: {} as UnitRow, x, y });
  it('end at least the gap apart, inside the box', () => {
    const pts = [at(100, 100), at(100, 100), at(103, 101), at(50, 60), at(300, 10)];
    const out = spreadPoints(pts, 25, 320, 200, 12);
    for (let i = 0; i < out.length; i++) {
      expect(out[i].x).toBeGreaterThanOrEqual(12);
      expect(out[i].x).toBeLessThanOrEqual(308);
      expect(out[i].y).toBeGreaterThanOrEqual(12);
      for (let j = i + 1; j < out.length; j++) {
        expect(Math.hypot(out[i].x - out[j].x, out[i].y - out[j].y)).toBeGreaterThanOrEqual(24.9);
      }
    }
    // A dot with room around it does not move.
    expect(out[3]).toMatchObject({ x: 50, y: 60 });
  });
});
