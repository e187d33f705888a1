import { describe, expect, it } from 'vitest';
import { capBound, defaultYear, inLang, seatsLeft, type RunRow, type UnitSeats } from './model';
import { percentToRatio, validWeight } from './Runs';

describe('inLang', () => {
  it('keeps the reader’s half of each bilingual part', () => {
    const why = '按圣拉古法得5席，首席第2、末席第16 / 5 seats by Sainte-Laguë, first seat 2, last seat 16；下一席与末席同商，按并列规则让出 / next seat tied the last one, lost the tie-break';
    expect(inLang(why, 'zh')).toBe('按圣拉古法得5席，首席第2、末席第16；下一席与末席同商，按并列规则让出');
    expect(inLang(why, 'en')).toBe('5 seats by Sainte-Laguë, first seat 2, last seat 16; next seat tied the last one, lost the tie-break');
  });
  it('reads the cap note, whose halves meet without a space', () => {
    expect(inLang('已达合格人数上限（3人）/ capped at eligible headcount (3)', 'en')).toBe('capped at eligible headcount (3)');
    expect(inLang('已达合格人数上限（3人）/ capped at eligible headcount (3)', 'zh')).toBe('已达合格人数上限（3人）');
  });
  it('leaves one-language text alone', () => {
    expect(inLang('无', 'en')).toBe('无');
  });
});

describe('seats', () => {
  const unit: UnitSeats = { code: '1', name: 'a', tier: 'deep', eligible: 5, seats: 3, nominated: 1, accepted: 0, left: 2 };
  it('counts what is left after nominated and selected', () => {
    expect(seatsLeft(unit, 0)).toBe(2);
    expect(seatsLeft(unit, 3)).toBe(-1);
  });
  it('knows when a cap bound', () => {
    const row = { why: '已达合格人数上限（3人）/ capped at eligible headcount (3)' } as RunRow;
    expect(capBound(row)).toBe(true);
    expect(capBound({ ...row, why: '按圣拉古法得第1席 / seat 1 by Sainte-Laguë' })).toBe(false);
  });
  it('defaults to the last full year in Shanghai', () => {
    expect(defaultYear(new Date('2026-12-31T17:00:00Z'))).toBe(2026); // already 2027 in Shanghai
    expect(defaultYear(new Date('2026-12-03T00:00:00Z'))).toBe(2025);
  });
});

describe('run settings', () => {
  it('turns percents into exact ratios', () => {
    expect(percentToRatio('30')).toBe('0.3');
    expect(percentToRatio('12.5')).toBe('0.125');
    expect(percentToRatio('7')).toBe('0.07');
    expect(percentToRatio('100')).toBe('1');
    expect(percentToRatio('0')).toBe('0');
    for (const bad of ['', '-5', '101', 'abc', '1e2', '30.123']) expect(percentToRatio(bad)).toBeNull();
  });
  it('bounds weights', () => {
    expect(validWeight('1.5')).toBe(true);
    expect(validWeight('0')).toBe(true);
    for (const bad of ['', '-1', '1000', 'x']) expect(validWeight(bad)).toBe(false);
  });
});
