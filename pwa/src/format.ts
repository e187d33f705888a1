/**
 * How every screen shows money, numbers, days, months and ranges: one format per language,
 * always on Asia/Shanghai dates. zh: ¥1,500.00 · 2026年11月 · 2026年4月1日至30日;
 * en: ¥1,500.00 · November 2026 · 1–30 April 2026. Plurals go through `plural()` (and `t()`'s
 * `{n, plural, one {…} other {…}}` messages).
 */
import { lang, type Lang } from './i18n';
import { TZ, localDate } from './time';
export { yuan as money } from './money';

const LOCALE: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };

/** For the few callers that name a language other than the current one. */
let override: Lang | null = null;
const current = (): Lang => override ?? lang.get();

/** Run `fn` formatting in language `l` ('zh' or 'en'; anything else: the current one). */
export function inLang<T>(l: string | undefined, fn: () => T): T {
  if (l !== 'zh' && l !== 'en') return fn();
  const prev = override;
  override = l;
  try {
    return fn();
  } finally {
    override = prev;
  }
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>();
function fmt<T>(key: string, make: (locale: string) => T): T {
  const k = `${current()}|${key}`;
  if (!cache.has(k)) cache.set(k, make(LOCALE[current()]) as never);
  return cache.get(k) as T;
}
const dateFmt = (key: string, opts: Intl.DateTimeFormatOptions) =>
  fmt(key, (l) => new Intl.DateTimeFormat(l, { timeZone: TZ, ...opts }));

/** Noon UTC+8 keeps a calendar date on the same day in any formatter. */
const noon = (ymd: string) => new Date(`${ymd}T12:00:00+08:00`);

/** 1234.5 → "1,234.5". */
export function num(n: number, maxFraction = 1): string {
  return fmt(`n${maxFraction}`, (l) => new Intl.NumberFormat(l, { maximumFractionDigits: maxFraction })).format(n);
}

/** "2026-11-03" → 2026年11月3日 / 3 November 2026 (with the weekday when asked). */
export function day(ymd: string, withWeekday = false): string {
  return dateFmt(withWeekday ? 'dw' : 'd', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    ...(withWeekday ? { weekday: 'short' } : {}),
  }).format(noon(ymd));
}

/** "2026-11-03" → 11月3日 / 3 Nov, where the year is plain from the context. */
export function shortDay(ymd: string): string {
  return dateFmt('sd', { month: 'short', day: 'numeric' }).format(noon(ymd));
}

/** "2026-11" → 2026年11月 / November 2026. */
export function month(ym: string): string {
  return dateFmt('m', { year: 'numeric', month: 'long' }).format(noon(`${ym.slice(0, 7)}-15`));
}

/** "2026-11" → 11月 / Nov, for chart axes. */
export function shortMonth(ym: string): string {
  return dateFmt('sm', { month: 'short' }).format(noon(`${ym.slice(0, 7)}-15`));
}

/** From one day to another, with the year said once: 2026年4月1日至30日 / 1–30 April 2026. */
export function dayRange(from: string, to: string | null | undefined): string {
  if (!to) return `${day(from)} –`;
  if (to === from) return day(from);
  const [y1, m1, d1] = from.split('-').map(Number);
  const [y2, m2, d2] = to.split('-').map(Number);
  if (current() === 'zh') {
    const tail = y1 !== y2 ? `${y2}年${m2}月${d2}日` : m1 !== m2 ? `${m2}月${d2}日` : `${d2}日`;
    return `${y1}年${m1}月${d1}日至${tail}`;
  }
  const mon = (ym: string) => dateFmt('ml', { month: 'long' }).format(noon(`${ym}-15`));
  const [n1, n2] = [mon(from.slice(0, 7)), mon(to.slice(0, 7))];
  if (y1 !== y2) return `${d1} ${n1} ${y1} – ${d2} ${n2} ${y2}`;
  if (m1 !== m2) return `${d1} ${n1} – ${d2} ${n2} ${y2}`;
  return `${d1}–${d2} ${n2} ${y2}`;
}

/** An instant, with its year like every date: 2026年11月3日 14:05 / 3 Nov 2026, 14:05. */
export function dateTime(iso: string | number): string {
  return dateFmt('dt', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(
    new Date(iso),
  );
}

/** When a photo was taken: its full date (a photo may be years old) and time. */
export function taken(iso: string | number): string {
  return `${day(localDate(new Date(iso)))} ${time(iso)}`;
}

/** A time of day: 14:05. */
export function time(iso: string | number): string {
  return dateFmt('t', { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

/** The plural category of n in the current language ("one", "other", …). */
export function pluralCategory(n: number): Intl.LDMLPluralRule {
  return fmt('p', (l) => new Intl.PluralRules(l)).select(n);
}

/** Pick the form for n: plural(2, { one: '# day', other: '# days' }) → "2 days". */
export function plural(n: number, forms: { one?: string; other: string }): string {
  const form = (forms as Record<string, string | undefined>)[pluralCategory(n)] ?? forms.other;
  return form.replace(/#/g, num(n));
}

export function bytes(n: number): string {
  if (n < 1024) return `${num(n)} B`;
  if (n < 1024 * 1024) return `${num(n / 1024, 0)} KB`;
  if (n < 1024 ** 3) return `${num(n / 1024 / 1024)} MB`;
  return `${num(n / 1024 ** 3)} GB`;
}
