import { describe, expect, it } from 'vitest';
import { formatTaken } from './time';

describe('formatTaken', () => {
  it('shows a photo’s date with its year and its time, in Asia/Shanghai', () => {
    // 2008-06-03 22:30 UTC is 2008-06-04 06:30 in Shanghai.
    const zh = formatTaken('2008-06-03T22:30:00Z', 'zh');
    expect(zh).toContain('2008');
    expect(zh).toContain('6月4日');
    expect(zh).toContain('06:30');
    const en = formatTaken('2008-06-03T22:30:00Z', 'en');
    expect(en).toContain('2008');
    expect(en).toMatch(/4 June|June 4/);
    expect(en).toContain('06:30');
  });

  it('tells today’s photo from one taken on the same hour years ago', () => {
    const now = new Date();
    const old = new Date(now);
    old.setFullYear(now.getFullYear() - 18);
    expect(formatTaken(old.toISOString(), 'zh')).not.toEqual(formatTaken(now.toISOString(), 'zh'));
  });
});
