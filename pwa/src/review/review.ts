import { ApiError, api, errorText, type Schema } from '../api';
import { getMeta, setMeta } from '../db';

/** Township reviewers and county admins: queues they act on, online. */

export type SheetRow = Schema<'SheetOut'>;

export type LeaveRow = Schema<'LeaveOut'>;

export type TalkRow = Schema<'TalkOut'>;

export type CadreRow = Schema<'CadreOut'>;

export type Division = Schema<'DivisionOut'>;

export const sheetQueue = (userId: string) =>
  api<SheetRow[]>('/fieldwork/presence/sheets?state=submitted', { user: userId });

export const confirmSheet = (userId: string, s: SheetRow) =>
  api<SheetRow>(`/fieldwork/presence/sheets/${s.id}/confirm`, { method: 'POST', json: { version: s.version }, user: userId });

export const returnSheet = (userId: string, s: SheetRow, reason: string) =>
  api<SheetRow>(`/fieldwork/presence/sheets/${s.id}/return`, {
    method: 'POST',
    json: { version: s.version, reason: reason.trim() },
    user: userId,
  });

export const leaveQueue = (userId: string) => api<LeaveRow[]>('/fieldwork/leave?state=pending', { user: userId });

export const decideLeave = (userId: string, l: LeaveRow, approve: boolean, note: string) =>
  api<LeaveRow>(`/fieldwork/leave/${l.id}/decide`, {
    method: 'POST',
    json: { approve, note: note.trim(), version: l.version },
    user: userId,
  });

export const talks = (userId: string, year: number) => api<TalkRow[]>(`/fieldwork/talks?year=${year}`, { user: userId });
export const missingTalks = (userId: string, year: number) =>
  api<CadreRow[]>(`/fieldwork/talks/missing?year=${year}`, { user: userId });
export const recordTalk = (userId: string, body: { cadre_id: string; date: string; summary: string }) =>
  api<TalkRow>('/fieldwork/talks', { method: 'POST', json: { ...body, summary: body.summary.trim() }, user: userId });

/** Sheets a reviewer may confirm without looking twice: no verification flag on the month's logs. */
export const isClean = (s: SheetRow): boolean => s.flagged_logs === 0;

export interface BulkResult {
  sheet: SheetRow;
  ok: boolean;
  /** What the server said, for a person. */
  message?: string;
  /** Someone else acted first (409). */
  conflict?: boolean;
}

/** Confirm each sheet in turn, so one failure neither stops nor hides the others. */
export async function bulkConfirm(
  userId: string,
  sheets: SheetRow[],
  confirm: (s: SheetRow) => Promise<unknown> = (s) => confirmSheet(userId, s),
  onProgress?: (done: BulkResult[]) => void,
): Promise<BulkResult[]> {
  const out: BulkResult[] = [];
  for (const sheet of sheets) {
    try {
      await confirm(sheet);
      out.push({ sheet, ok: true });
    } catch (err) {
      out.push({ sheet, ok: false, conflict: err instanceof ApiError && err.status === 409, message: errorText(err) });
    }
    onProgress?.([...out]);
  }
  return out;
}

/** Village names of the caller's scope, cached: queues carry codes only. */
export async function villageNames(userId: string): Promise<Map<string, Division>> {
  let list = await getMeta<Division[]>(userId, 'villages');
  try {
    list = await api<Division[]>('/geo/divisions?level=village', { user: userId });
    await setMeta(userId, 'villages', list);
  } catch {
    /* offline: the cached names */
  }
  return new Map((list ?? []).map((d) => [d.code, d]));
}
