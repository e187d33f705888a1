import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { setLang, t } from '../src/i18n';
import { zh } from '../src/i18n/zh';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

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
});
