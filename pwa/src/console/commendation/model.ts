import { api, fetchBlob, type Schema } from '../../api';
import { localDate } from '../../time';

/** What the commendation API answers (backend/commendation/schemas.py). */
export type Tier = 'deep' | 'key' | 'ordinary';
export const TIERS: Tier[] = ['deep', 'key', 'ordinary'];

export type Eligibility = Schema<'EligibilityOut'>;

export interface RunRow {
  code: string;
  name: string;
  tier: Tier;
  eligible: number;
  weight: string;
  claim: string;
  share: string;
  quotient: string;
  seats: number;
  why: string;
}

export interface Run {
  id: string;
  county_code: string;
  year: number;
  kind: 'excellent' | 'commendation';
  state: 'draft' | 'published';
  settings: { ratios?: Record<Tier, string>; weights?: Record<Tier, string>; total?: number };
  total_target: number;
  total_given: number;
  note: string;
  table: RunRow[];
  version: number;
}

export type UnitSeats = Schema<'UnitSeatsOut'>;

export type Nomination = Schema<'NominationOut'>;

export interface Dossier {
  cadre_id: string;
  name: string;
  village_name: string;
  year: number;
  eligibility: Eligibility;
  confirmed_by_month: Record<string, number>;
  logs_by_kind: Record<string, number>;
  households_visited: number;
  households_in_village: number;
  coverage_percent: number;
  photos: number;
  flagged_logs: number;
  talks: { date: string; summary: string }[];
  approved_leave: { start_date: string; end_date: string; days: number }[];
}

export interface EligibilityFilter {
  township?: string;
  tier?: Tier | '';
  eligible?: '' | 'true' | 'false';
}

const BASE = '/commendation';

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const fetchEligibility = (user: string, year: number, f: EligibilityFilter = {}) =>
  api<Eligibility[]>(`${BASE}/eligibility${query({ year, township: f.township, tier: f.tier, eligible: f.eligible })}`, { user });

export const recordInspection = (user: string, body: { cadre_id: string; date: string; finding: string; note: string }) =>
  api<void>(`${BASE}/inspections`, { method: 'POST', json: body, user });

export const fetchRuns = (user: string, year?: number) => api<Run[]>(`${BASE}/runs${query({ year })}`, { user });

export const fetchRun = async (user: string, id: string): Promise<Run | undefined> =>
  (await fetchRuns(user)).find((r) => r.id === id);

export const createRun = (
  user: string,
  body: { year: number; kind: Run['kind']; ratios?: Record<Tier, string>; weights?: Record<Tier, string>; total?: number },
) => api<Run>(`${BASE}/runs`, { method: 'POST', json: body, user });

export const publishRun = (user: string, run: Run) =>
  api<Run>(`${BASE}/runs/${run.id}/publish`, { method: 'POST', json: { version: run.version }, user });

export const fetchSeats = (user: string, runId: string) => api<UnitSeats[]>(`${BASE}/runs/${runId}/seats`, { user });

export const fetchNominations = (user: string, runId: string) =>
  api<Nomination[]>(`${BASE}/runs/${runId}/nominations`, { user });

export const nominate = (user: string, runId: string, cadreIds: string[]) =>
  api<Nomination[]>(`${BASE}/runs/${runId}/nominations`, { method: 'POST', json: { cadre_ids: cadreIds }, user });

export const decide = (user: string, nominationId: string, accept: boolean) =>
  api<Nomination>(`${BASE}/nominations/${nominationId}/decide`, { method: 'POST', json: { accept }, user });

export const fetchDossier = (user: string, cadreId: string, year: number) =>
  api<Dossier>(`${BASE}/dossiers/${encodeURIComponent(cadreId)}${query({ year })}`, { user });

export const finalXlsxPath = (runId: string) => `${BASE}/runs/${runId}/final.xlsx`;
export const unitXlsxPath = (unit: string, year: number) => `${BASE}/units/${unit}/dossiers.xlsx${query({ year })}`;
export const unitPrintPath = (unit: string, year: number) =>
  `${BASE}/units/${unit}/dossiers/print${query({ year, eligible: 'true' })}`;
export const dossierPrintPath = (cadreId: string, year: number) =>
  `${BASE}/dossiers/${encodeURIComponent(cadreId)}/print${query({ year })}`;

/** Open a printable page fetched with the bearer token (a plain link would go out without it). */
export async function openPrintable(user: string, path: string): Promise<void> {
  const blob = await fetchBlob(path, { user, timeoutMs: 60_000 });
  const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
  const a = document.createElement('a');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 120_000);
}

/**
 * The server writes reasons and notes in both languages, "中文 / English", several joined by
 * "；". Keep the reader's half of each.
 */
export function inLang(text: string, lang: 'zh' | 'en'): string {
  return text
    .split('；')
    .map((part) => {
      const i = part.indexOf('/ ');
      if (i < 0) return part.trim();
      return (lang === 'en' ? part.slice(i + 2) : part.slice(0, i)).trim();
    })
    .join(lang === 'en' ? '; ' : '；');
}

/** A cap bound this unit: it has as many seats as eligible people, and the method wanted more. */
export function capBound(row: RunRow): boolean {
  return row.why.startsWith('已达合格人数上限');
}

/** Seats still free after what is already nominated and what is selected now (never below 0 shown). */
export function seatsLeft(unit: UnitSeats, selected: number): number {
  return unit.seats - unit.nominated - selected;
}

/** The year whose commendation is usually being decided: the last full calendar year. */
export function defaultYear(today: Date = new Date()): number {
  return Number(localDate(today).slice(0, 4)) - 1;
}
