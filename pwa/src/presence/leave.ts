import { api } from '../api';
import { getMeta, setMeta } from '../db';
import { enqueue, saveEdit } from '../outbox';
import { isMine, LEAVE } from './presence';
import { recordViews, type RecordView } from '../records';

/** 请假: up to this many days the township decides, above it the county (a county setting). */
export const TOWNSHIP_LEAVE_LIMIT = 3;

/** The county's limit for the year: its policy when the server can say, else the last known. */
export async function leaveLimit(userId: string, county: string, year: number, online: boolean): Promise<number> {
  const key = `leave-limit:${county}:${year}`;
  if (online) {
    try {
      const p = await api<{ leave_limit_days?: number }>(`/policy/${county}/${year}`, { user: userId });
      if (typeof p?.leave_limit_days === 'number') {
        await setMeta(userId, key, p.leave_limit_days);
        return p.leave_limit_days;
      }
    } catch {
      /* not reachable or not readable: the last known, else the default */
    }
  }
  return (await getMeta<number>(userId, key)) ?? TOWNSHIP_LEAVE_LIMIT;
}

export type LeaveState = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** A leave request as on the wire; the server adds days, state, decider and its note. */
export interface LeaveData {
  village_code: string;
  start_date: string;
  end_date: string;
  reason: string;
  cancelled?: boolean;
  days?: number;
  state?: LeaveState;
  decider_level?: 'township' | 'county';
  decision_note?: string | null;
}

/** Calendar days, both ends included (0 when the end is before the start). */
export function leaveDays(start: string, end: string): number {
  if (!start || !end || end < start) return 0;
  const ms = Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`);
  return Math.round(ms / 86_400_000) + 1;
}

export const deciderLevel = (days: number, limit = TOWNSHIP_LEAVE_LIMIT): 'township' | 'county' =>
  days <= limit ? 'township' : 'county';

/** What the cadre sees: a cancel not yet sent already reads as cancelled. */
export function leaveState(d: LeaveData): LeaveState {
  if (d.cancelled) return 'cancelled';
  return d.state ?? 'pending';
}

export function sortLeave<T extends { data: LeaveData; id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) =>
    a.data.start_date === b.data.start_date ? (a.id < b.id ? 1 : -1) : a.data.start_date < b.data.start_date ? 1 : -1,
  );
}

export async function myLeave(userId: string): Promise<RecordView<LeaveData>[]> {
  const views = await recordViews<LeaveData & { cadre_id?: string }>(userId, LEAVE);
  return sortLeave(views.filter((v) => isMine(userId, v.data)));
}

export async function requestLeave(
  userId: string,
  req: { village_code: string; start_date: string; end_date: string; reason: string },
) {
  return enqueue(userId, LEAVE, { ...req, reason: req.reason.trim() });
}

/** Withdraw a request while it is pending: the same record, marked cancelled. */
export async function cancelLeave(userId: string, view: RecordView<LeaveData>) {
  const { village_code, start_date, end_date, reason } = view.data;
  return saveEdit(userId, LEAVE, view.id, { village_code, start_date, end_date, reason, cancelled: true });
}
