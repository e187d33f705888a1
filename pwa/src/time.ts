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

function locale(lang: string): string {
  return lang === 'en' ? 'en-GB' : 'zh-CN';
}

/** A local YYYY-MM-DD shown in words; noon UTC+8 keeps it on the same day in any formatter. */
export function formatDate(ymd: string, lang: string, withWeekday = false): string {
  const d = new Date(`${ymd}T12:00:00+08:00`);
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: TZ,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    ...(withWeekday ? { weekday: 'short' } : {}),
  }).format(d);
}

export function formatMonth(ym: string, lang: string): string {
  const d = new Date(`${ym}-15T12:00:00+08:00`);
  return new Intl.DateTimeFormat(locale(lang), { timeZone: TZ, year: 'numeric', month: 'long' }).format(d);
}

export function formatDateTime(iso: string | number, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: TZ,
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

/** When a photo was taken: its full date (with the year: a photo may be years old) and time. */
export function formatTaken(iso: string | number, lang: string): string {
  return `${formatDate(localDate(new Date(iso)), lang)} ${formatTime(iso, lang)}`;
}

export function formatTime(iso: string | number, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: TZ,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
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
