import { describe, expect, it } from 'vitest';
import { addMonths, localDate, monthDays } from '../src/time';

describe('Asia/Shanghai dates', () => {
  it('take the village date, not UTC', () => {
    expect(localDate(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24');
    expect(localDate(new Date('2026-11-23T15:59:59Z'))).toBe('2026-11-23');
  });

  it('lay out a month from Monday', () => {
    const { days, firstWeekday } = monthDays('2026-11');
    expect(days).toHaveLength(30);
    expect(firstWeekday).toBe(6); // 1 Nov 2026 is a Sunday
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
});
