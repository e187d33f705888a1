import { api, fetchBlob, type Schema } from '../api';

/** 数据看板: villages and townships of the caller's scope. Lists sort by code, never by activity. */

export const TIERS = ['deep', 'key', 'ordinary'] as const;
export type Tier = (typeof TIERS)[number];

export type UnitRow = Schema<'UnitRow'>;

export type TrendPoint = Schema<'TrendPoint'>;

export type Dashboard = Schema<'DashboardOut'>;

function query(month: string, tier: Tier | '', extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ month, ...(tier ? { tier } : {}), ...extra });
  return q.toString();
}

export async function fetchDashboard(userId: string, month: string, tier: Tier | ''): Promise<Dashboard> {
  const d = await api<Dashboard>(`/dashboard?${query(month, tier)}`, { user: userId });
  return { ...d, villages: byCode(d.villages), townships: byCode(d.townships), trend: fillTrend(d.trend, d.month) };
}

/** Twelve months ending with `month`, oldest first; a month the server left out had nothing. */
export function fillTrend(points: TrendPoint[], month: string, months = 12): TrendPoint[] {
  const byMonth = new Map(points.map((p) => [p.month, p]));
  const [y, m] = month.split('-').map(Number);
  const out: TrendPoint[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    out.push(byMonth.get(key) ?? { month: key, logs: 0, flagged_logs: 0, confirmed_days: 0 });
  }
  return out;
}

export const byCode = <T extends { code: string }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

export function exportPath(kind: 'xlsx' | 'village' | 'township', month: string, tier: Tier | ''): string {
  return kind === 'xlsx'
    ? `/dashboard/export.xlsx?${query(month, tier)}`
    : `/dashboard/export.csv?${query(month, tier, { level: kind })}`;
}

/** Fetch with the bearer token and hand the file to the browser's download. */
export async function download(userId: string, path: string, filename: string): Promise<void> {
  const blob = await fetchBlob(path, { user: userId, timeoutMs: 60_000 });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The top of a chart's scale: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export interface MapPoint {
  row: UnitRow;
  x: number;
  y: number;
}

/**
 * Equirectangular projection fitted to the villages' bounding box: x = lon·cos(mid-latitude),
 * y = −lat, one scale for both (north up), centred in a box `width` wide whose height follows
 * the box's shape within [minHeight, maxHeight].
 */
export function projectVillages(
  rows: UnitRow[],
  width: number,
  opts: { pad?: number; minHeight?: number; maxHeight?: number } = {},
): { points: MapPoint[]; height: number } {
  const { pad = 16, minHeight = 180, maxHeight = 420 } = opts;
  const placed = rows.filter((r) => typeof r.lat === 'number' && typeof r.lon === 'number') as (UnitRow & {
    lat: number;
    lon: number;
  })[];
  if (!placed.length) return { points: [], height: minHeight };
  const lats = placed.map((r) => r.lat);
  const lons = placed.map((r) => r.lon);
  const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = (maxLon - minLon) * k;
  const spanY = maxLat - minLat;
  const inner = width - 2 * pad;
  const height = Math.round(
    Math.min(maxHeight, Math.max(minHeight, spanX > 0 ? (inner * spanY) / spanX + 2 * pad : minHeight)),
  );
  const sx = spanX > 0 ? inner / spanX : Infinity;
  const sy = spanY > 0 ? (height - 2 * pad) / spanY : Infinity;
  const scale = Number.isFinite(Math.min(sx, sy)) ? Math.min(sx, sy) : 1;
  // Centre the drawing; a single village (or a line of them) sits in the middle.
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  const points = placed.map((row) => ({
    row,
    x: offX + (row.lon - minLon) * k * scale,
    y: offY + (maxLat - row.lat) * scale,
  }));
  return { points, height };
}

/**
 * Dots at least `gap` apart (centre to centre), so no village hides another on a phone: a few
 * rounds pushing every too-close pair apart along the line between them (coincident villages
 * along a fixed spiral), kept `margin` inside the box. Positions move only as far as needed.
 */
export function spreadPoints(points: MapPoint[], gap: number, width: number, height: number, margin = gap / 2): MapPoint[] {
  const clamp = (v: number, hi: number) => Math.min(hi - margin, Math.max(margin, v));
  const out = points.map((p) => ({ ...p, x: clamp(p.x, width), y: clamp(p.y, height) }));
  for (let round = 0; round < 200; round++) {
    let moved = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i];
        const b = out[j];
        let dx = b.x - a.x;
        let dy = b.y - a.y;
        let d = Math.hypot(dx, dy);
        if (d >= gap - 0.01) continue;
        if (d < 1e-6) {
          const angle = j * 2.399963; // the golden angle: coincident dots fan out evenly
          dx = Math.cos(angle);
          dy = Math.sin(angle);
          d = 1;
        }
        const push = (gap - d) / 2 + 0.05;
        const ux = dx / d;
        const uy = dy / d;
        a.x = clamp(a.x - ux * push, width);
        a.y = clamp(a.y - uy * push, height);
        b.x = clamp(b.x + ux * push, width);
        b.y = clamp(b.y + uy * push, height);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}

/** Tier colours: the same in the map, its legend and the table. */
export const TIER_COLOURS: Record<string, string> = {
  deep: '#b3261e',
  key: '#d98b00',
  ordinary: '#2f6db5',
};
