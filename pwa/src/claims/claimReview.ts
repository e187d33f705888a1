import { ApiError, api, errorText, type Schema } from '../api';
import type { Role } from '../auth';
import { t } from '../i18n';
import type { ClaimOut, ClaimState } from './claims';

/**
 * Claims as township reviewers, county admins and county finance act on them (online only):
 * the queues, the steps (each on the version seen: 409 when someone else acted first), bulk
 * approval of clean claims, the finance exports, accident insurance.
 */

/** The states a role acts on: the township approves submitted claims, the county township-approved ones. */
export function reviewStates(roles: readonly Role[]): ClaimState[] {
  const out: ClaimState[] = [];
  if (roles.includes('township_reviewer')) out.push('submitted');
  if (roles.includes('county_admin')) out.push('township_approved');
  return out;
}

export async function claimQueue(userId: string, states: ClaimState[], month = ''): Promise<ClaimOut[]> {
  const seen = new Set<string>();
  const out: ClaimOut[] = [];
  for (const state of states) {
    const q = new URLSearchParams({ state, ...(month ? { month } : {}) });
    for (const c of await api<ClaimOut[]>(`/claims?${q}`, { user: userId })) {
      if (!seen.has(c.id)) {
        seen.add(c.id);
        out.push(c);
      }
    }
  }
  // The server's order: township, village, name, month, date (codes and names, never amounts).
  return out;
}

export type ClaimAction = 'approve' | 'return' | 'reject' | 'pay';

export function actOnClaim(
  userId: string,
  c: Pick<ClaimOut, 'id' | 'version'>,
  action: ClaimAction,
  extra: { reason?: string; payment_reference?: string } = {},
): Promise<ClaimOut> {
  const body: Record<string, unknown> = { version: c.version };
  if (extra.reason !== undefined) body.reason = extra.reason.trim();
  if (extra.payment_reference !== undefined) body.payment_reference = extra.payment_reference.trim();
  return api<ClaimOut>(`/claims/${encodeURIComponent(c.id)}/${action}`, { method: 'POST', json: body, user: userId });
}

export const isCleanClaim = (c: Pick<ClaimOut, 'flags'>): boolean => c.flags.length === 0;

export type BulkClaimResult = Schema<'BulkResult'>;

/** Approve clean claims at once; the server answers for each one on its own. */
export async function bulkApprove(userId: string, claims: Pick<ClaimOut, 'id' | 'version'>[]): Promise<BulkClaimResult[]> {
  const answer = await api<{ results: BulkClaimResult[] }>('/claims/approve-bulk', {
    method: 'POST',
    json: { items: claims.map((c) => ({ id: c.id, version: c.version })) },
    user: userId,
  });
  return answer.results ?? [];
}

/** Someone else acted first (409): the reviewer sees the queue again. */
export const isStale = (err: unknown): boolean => err instanceof ApiError && (err.status === 409 || err.status === 404);

/** What to tell a reviewer when an action failed; 409 means someone else acted first. */
export function claimFailure(err: unknown): { text: string; stale: boolean } {
  if (isStale(err)) return { text: t('review.conflict'), stale: true };
  return { text: errorText(err), stale: false };
}

/**
 * Why a step on a claim failed. Besides a 409, a plain 403 on a claim that has moved on since
 * it was shown (another reviewer took the step that was ours) means someone else acted first.
 */
export async function stepFailure(userId: string, c: Pick<ClaimOut, 'id' | 'version'>, err: unknown): Promise<{ text: string; stale: boolean }> {
  const f = claimFailure(err);
  if (f.stale || !(err instanceof ApiError) || err.status !== 403 || err.code !== 'forbidden') return f;
  try {
    const now = await api<ClaimOut>(`/claims/${encodeURIComponent(c.id)}`, { user: userId });
    if (now.version !== c.version) return { text: t('review.conflict'), stale: true };
  } catch (again) {
    if (isStale(again)) return { text: t('review.conflict'), stale: true };
  }
  return f;
}

export function claimExportPath(kind: 'xlsx' | 'csv', month: string): string {
  return `/claims/export.${kind}?month=${encodeURIComponent(month)}`;
}

// --- accident insurance (county admins) ---------------------------------------------------------

export type Period = Schema<'PeriodOut'>;

export type CoverageGap = Schema<'CoverageGapOut'>;

export type Incident = Schema<'IncidentOut'>;

/** Cadres with uncovered days, by village code then name (never by how many days). */
export async function coverageGaps(userId: string): Promise<CoverageGap[]> {
  const rows = await api<CoverageGap[]>('/insurance/gaps', { user: userId });
  return [...rows].sort((a, b) =>
    a.village_code === b.village_code ? a.name.localeCompare(b.name, 'zh-CN') : a.village_code < b.village_code ? -1 : 1,
  );
}

export const incidents = (userId: string) => api<Incident[]>('/insurance/incidents', { user: userId });

export const forwardIncident = (userId: string, i: Incident, note: string) =>
  api<Incident>(`/insurance/incidents/${encodeURIComponent(i.id)}/forward`, {
    method: 'POST',
    json: { version: i.version, note: note.trim() },
    user: userId,
  });
