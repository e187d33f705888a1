import { api, type FieldError, type Schema } from '../../api';
import type { Role } from '../../auth';

/** 人员与派驻: the roster API (`/api/accounts/roster`) and the pure helpers of its screens. */

export type Position = 'first_secretary' | 'team_leader' | 'team_member';
export const POSITIONS: Position[] = ['first_secretary', 'team_leader', 'team_member'];
export const ROLES: Role[] = ['cadre', 'township_reviewer', 'county_admin', 'county_finance'];
export type GrantRole = Exclude<Role, 'cadre'>;
export const GRANT_ROLES: GrantRole[] = ['township_reviewer', 'county_admin', 'county_finance'];

export type RosterPosting = Schema<'RosterPostingOut'>;

export type Grant = Schema<'GrantOut'>;

export type Person = Schema<'PersonOut'>;

export type PeoplePage = Schema<'PeoplePage'>;

export interface PeopleQuery {
  township?: string;
  village?: string;
  role?: string;
  q?: string;
  status?: string;
  page?: number;
}

export type ImportRow = Schema<'ImportRowOut'>;

export type ImportReport = Schema<'accounts_roster_schemas_ImportReport'>;

export interface Division {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
}

const R = '/accounts/roster';
export const PAGE_SIZE = 20;

/** The query string of a roster search: empty filters left out, page 1 by default. */
export function peopleSearch(q: PeopleQuery): string {
  const params = new URLSearchParams();
  for (const key of ['township', 'village', 'role', 'q', 'status'] as const) {
    const v = q[key]?.trim();
    if (v) params.set(key, v);
  }
  params.set('page', String(q.page ?? 1));
  params.set('page_size', String(PAGE_SIZE));
  return params.toString();
}

export function pageCount(page: Pick<PeoplePage, 'total' | 'page_size'>): number {
  return Math.max(1, Math.ceil(page.total / page.page_size));
}

export const listPeople = (userId: string, q: PeopleQuery) =>
  api<PeoplePage>(`${R}/people?${peopleSearch(q)}`, { user: userId });
export const readPerson = (userId: string, id: string) =>
  api<Person>(`${R}/people/${encodeURIComponent(id)}`, { user: userId });

export function listDivisions(userId: string, level: 'township' | 'village' | 'county'): Promise<Division[]> {
  return api<Division[]>(`/geo/divisions?level=${level}`, { user: userId }).then((rows) =>
    [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
  );
}

export type CadreIn = Schema<'CadreIn'>;

export const createCadre = (userId: string, data: CadreIn) =>
  api<{ person: Person; temporary_password: string }>(`${R}/cadres`, { method: 'POST', json: data, user: userId });
export const endPosting = (userId: string, id: string, end_date: string, reason: string) =>
  api<Person>(`${R}/postings/${id}/end`, { method: 'POST', json: { end_date, reason }, user: userId });
export const transferPosting = (
  userId: string,
  id: string,
  data: { end_date: string; village_code: string; position: Position; reason: string },
) => api<Person>(`${R}/postings/${id}/transfer`, { method: 'POST', json: data, user: userId });
export const setActive = (userId: string, id: string, active: boolean, reason: string) =>
  api<Person>(`${R}/people/${id}/${active ? 'enable' : 'disable'}`, { method: 'POST', json: { reason }, user: userId });
export const grantRole = (userId: string, id: string, role: GrantRole, division_code: string) =>
  api<Person>(`${R}/people/${id}/roles`, { method: 'POST', json: { role, division_code }, user: userId });
export const revokeRole = (userId: string, id: string, grantId: string) =>
  api<Person>(`${R}/people/${id}/roles/${grantId}`, { method: 'DELETE', user: userId });
export const resetPassword = (userId: string, id: string) =>
  api<{ temporary_password: string }>(`/accounts/users/${id}/reset-password`, { method: 'POST', user: userId });

export function importFile(userId: string, file: Blob, dryRun: boolean): Promise<ImportReport> {
  return api<ImportReport>(`${R}/import?dry_run=${dryRun}`, {
    method: 'POST',
    body: file,
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    user: userId,
    timeoutMs: 120_000,
  });
}

export const TEMPLATE = { xlsx: `${R}/import/template?format=xlsx`, csv: `${R}/import/template?format=csv` };

/** The problems of a refused import, a row at a time (file-level problems first). */
export function problemsByRow(errors: FieldError[]): { row: number; errors: FieldError[] }[] {
  const rows = new Map<number, FieldError[]>();
  for (const e of errors) {
    const row = e.row ?? 0;
    rows.set(row, [...(rows.get(row) ?? []), e]);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([row, errs]) => ({ row, errors: errs }));
}

/** The accounts of a committed import as a CSV to hand over (UTF-8 with BOM for Excel). */
export function passwordsCsv(rows: ImportRow[], header: string[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [header, ...rows.map((r) => [r.name, r.phone, r.village_name, r.temporary_password ?? ''])];
  return '\ufeff' + lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The posting that is running today, else the latest one. */
export function mainPosting(p: Person): RosterPosting | undefined {
  return p.postings.find((x) => x.current) ?? p.postings[p.postings.length - 1];
}

/** The day before a local date (YYYY-MM-DD). */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
