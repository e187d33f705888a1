import { api } from '../../api';

/** A division as `GET /api/geo/divisions` answers it. */
export interface Division {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county' | 'township' | 'village';
  parent_code: string | null;
  county_code: string | null;
  tier: Tier;
  tier_label: string;
  valid_from: string;
  valid_to: string | null;
  fence: { center_lat: number; center_lon: number; radius_m: number; polygon?: unknown } | null;
  is_demo: boolean;
  tier_labels?: Record<Tier, string> | null;
}

export type Tier = 'deep' | 'key' | 'ordinary';
export const TIERS: Tier[] = ['deep', 'key', 'ordinary'];
export const TIER_COLOURS: Record<Tier, string> = { deep: '#b3261e', key: '#c77700', ordinary: '#2f6db3' };

/** Every current division the caller sees (their county's tree, or their township's). */
export function loadDivisions(): Promise<Division[]> {
  return api<Division[]>('/geo/divisions');
}

/** The counties in the caller's reach, by code. */
export function counties(all: Division[]): Division[] {
  return all.filter((d) => d.level === 'county');
}

/** The county a console page works on: the one asked for, else the first one seen. */
export function pickCounty(all: Division[], wanted: string | null): string | null {
  const codes = [...new Set(all.map((d) => d.county_code).filter((c): c is string => !!c))].sort();
  return wanted && codes.includes(wanted) ? wanted : (codes[0] ?? null);
}

/** Save a Blob under a file name (templates and exports fetched with the token). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A page of a list: `page` counts from 0. */
export function pageOf<T>(rows: T[], page: number, size: number): { items: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { items: rows.slice(p * size, p * size + size), pages, page: p };
}
