import * as fmt from './format';
/** Village work happens on Asia/Shanghai dates, whatever the phone's own time zone. */
export const TZ = 'Asia/Shanghai';

const ymdFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Asia/Shanghai calendar date of an instant, as YYYY-MM-DD. */
export function localDate(at: Date = new Date()): string {
  const parts: Record<string, string> = {};
  for (const p of ymdFormat.formatToParts(at)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** YYYY-MM of an Asia/Shanghai date. */
export function localMonth(at: Date = new Date()): string {
  return localDate(at).slice(0, 7);
}

/** Days of a YYYY-MM month as YYYY-MM-DD, and the weekday (0 = Monday) of its first day. */
export function monthDays(ym: string): { days: string[]; firstWeekday: number } {
  const [y, m] = ym.split('-').map(Number);
  const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const firstWeekday = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
  const days = Array.from({ length: count }, (_, i) => `${ym}-${String(i + 1).padStart(2, '0')}`);
  return { days, firstWeekday };
}

export function addMonths(ym: string, delta: number): string {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/*
 * Shown dates live in format.ts (one format per language, the current language); these
 * names remain for callers written before it, and say the same.
 */
/** @deprecated use `day()` from format.ts */
export const formatDate = (ymd: string, l?: string, withWeekday = false): string => fmt.inLang(l, () => fmt.day(ymd, withWeekday));
/** @deprecated use `month()` from format.ts */
export const formatMonth = (ym: string, l?: string): string => fmt.inLang(l, () => fmt.month(ym));
/** @deprecated use `dateTime()` from format.ts */
export const formatDateTime = (iso: string | number, l?: string): string => fmt.inLang(l, () => fmt.dateTime(iso));
/** @deprecated use `time()` from format.ts */
export const formatTime = (iso: string | number, l?: string): string => fmt.inLang(l, () => fmt.time(iso));
/** @deprecated use `taken()` from format.ts */
export const formatTaken = (iso: string | number, l?: string): string => fmt.inLang(l, () => fmt.taken(iso));
