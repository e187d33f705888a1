/**
 * Money is integer fen on the wire and in the store; people read yuan with two decimals.
 * Every amount shown goes through `yuan()`, every amount typed in through `parseYuan()`:
 * integers only, no floating point on the way.
 */

/** 6000 → "¥60.00"; -150 → "-¥1.50". */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—';
  const n = Math.round(fen);
  const abs = Math.abs(n);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  return `${n < 0 ? '-' : ''}¥${whole}.${cents}`;
}

/** "60", "60.5", "60.50", "¥1,060.00" → fen; null when it is not an amount (more than 2 decimals…). */
export function parseYuan(text: string): number | null {
  const s = text.trim().replace(/^[¥￥]\s*/, '').replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(s) ?? /^()\.(\d{1,2})$/.exec(s);
  if (!m) return null;
  const whole = Number(m[1] || '0');
  const cents = Number((m[2] ?? '').padEnd(2, '0') || '0');
  return whole * 100 + cents;
}

/** Decimal text as typed for a distance in km with at most one decimal ("45", "45.5"); null otherwise. */
export function parseKm(text: string): number | null {
  const s = text.trim();
  const m = /^(\d{1,4})(?:\.(\d)?)?$/.exec(s);
  if (!m) return null;
  const tenths = Number(m[1]) * 10 + Number(m[2] ?? '0');
  return tenths / 10;
}

/** The fen typed in as yuan text again ("60.00" → "60", 6050 → "60.50"), for an edit form. */
export function fenToInput(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  return fen % 100 === 0 ? String(fen / 100) : `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
