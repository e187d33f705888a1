import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth';
import { ask } from '../src/dialog';
import { setLang } from '../src/i18n';
import { BAR_MAX, barViews } from '../src/routes';
import { logoutQuestion } from '../src/me/Settings';
import { makeUser } from './helpers';

afterEach(() => setLang('zh'));

describe('the bottom bar', () => {
  const roles: Role[][] = [
    ['cadre'],
    ['township_reviewer'],
    ['county_admin'],
    ['county_finance'],
    ['cadre', 'township_reviewer', 'county_finance'],
  ];
  it.each(roles)('has at most five destinations, 我的 last, and nothing lost (%s)', (...r) => {
    const user = { ...makeUser(), roles: r };
    const { bar, more } = barViews(user);
    expect(bar.length).toBeLessThanOrEqual(BAR_MAX);
    expect(bar[bar.length - 1].name).toBe('me');
    const names = [...bar, ...more].map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    if (r.includes('cadre')) expect(names).toEqual(expect.arrayContaining(['today', 'month', 'claims', 'surveys']));
    if (r.includes('county_admin') || r.includes('township_reviewer'))
      expect(names).toEqual(expect.arrayContaining(['review', 'dashboard', 'surveyadmin', 'console']));
    if (r.includes('county_finance')) expect(names).toContain('finance');
  });
});

describe('logging out', () => {
  it('says offline that login needs signal, and how many records wait', () => {
    expect(logoutQuestion(0, true)).toBe('确定退出登录？');
    const offline = logoutQuestion(2, false);
    expect(offline).toContain('没有信号');
    expect(offline).toContain('2');
    setLang('en');
    expect(logoutQuestion(1, true)).toContain('1 record is not sent');
  });

  it('asks one question at a time; a second one answers the first no', async () => {
    const first = ask({ title: 'a', confirm: 'ok' });
    const second = ask({ title: 'b', confirm: 'ok' });
    expect(await first).toBe(false);
    void second;
  });
});
