import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { setLang, t } from '../src/i18n';
import { zh } from '../src/i18n/zh';

const placeholders = (s: string) =>
  [...new Set([...s.replace(/\b(?:zero|one|two|few|many|other) \{[^{}]*\}/g, '').matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]))].sort();

describe('message catalogues', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('have no empty message', () => {
    for (const cat of [zh, en]) for (const [k, v] of Object.entries(cat)) expect(v.trim(), k).not.toBe('');
  });

  it('use the same placeholders in each language', () => {
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
    }
  });

  it('default to Chinese and switch language', () => {
    expect(t('nav.today')).toBe('今日');
    setLang('en');
    expect(t('today.householdsSelected', { n: 3 })).toBe('3 selected');
    setLang('zh');
    expect(t('today.householdsSelected', { n: 3 })).toBe('已选 3 户');
  });

  it('choose English plural forms by Intl.PluralRules', () => {
    setLang('en');
    expect(t('today.photos', { n: 1 })).toBe('1 photo');
    expect(t('today.photos', { n: 2 })).toBe('2 photos');
    expect(t('today.members', { n: 1 })).toBe('1 person');
    expect(t('leave.days', { n: 1 })).toBe('1 day');
    expect(t('leave.days', { n: 0 })).toBe('0 days');
    setLang('zh');
    expect(t('today.photos', { n: 1 })).toBe('1 张照片');
  });

  it('write no "(s)" plural in English', () => {
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toMatch(/\(s\)|\b1 [a-z]+s\b/);
  });
});
