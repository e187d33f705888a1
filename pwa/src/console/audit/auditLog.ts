import { api, type Schema } from '../../api';

/** 审计日志: the county's events (`/api/audit/events`) and the chain check (`/api/audit/verify`). */

export type AuditEvent = Schema<'AuditEventOut'>;

export type Verify = Schema<'VerifyOut'>;

export interface AuditFilter {
  person_id?: string;
  action?: string;
  object_id?: string;
  since?: string;
  until?: string;
}

export const AUDIT_PAGE = 50;
/** Action prefixes offered as "kind of action", by capability. */
export const ACTION_GROUPS = ['accounts', 'auth', 'geo', 'policy', 'claims', 'fieldwork', 'commendation', 'surveys'] as const;

export function eventsQuery(f: AuditFilter, beforeId?: number): string {
  const params = new URLSearchParams();
  for (const key of ['person_id', 'object_id', 'since', 'until'] as const) {
    const v = f[key]?.trim();
    if (v) params.set(key, v);
  }
  if (f.action) params.set('action', `${f.action}.`);
  if (beforeId) params.set('before_id', String(beforeId));
  params.set('limit', String(AUDIT_PAGE));
  return params.toString();
}

export const listEvents = (userId: string, f: AuditFilter, beforeId?: number) =>
  api<AuditEvent[]>(`/audit/events?${eventsQuery(f, beforeId)}`, { user: userId });
export const verifyChain = (userId: string) => api<Verify>('/audit/verify', { user: userId, timeoutMs: 120_000 });

/** A stored before/after (canonical JSON text) as readable lines, `key: value`. */
export function detailLines(text: string | null): string[] {
  if (!text || text === 'null') return [];
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value as Record<string, unknown>).map(
        ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
      );
    }
    return [typeof value === 'string' ? value : JSON.stringify(value)];
  } catch {
    return [text];
  }
}
