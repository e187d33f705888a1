import { recordsOfKind } from '../db';
import type { Fix } from '../evidence/location';
import { listOutbox, type OutboxItem, type OutboxStatus } from '../outbox';

/** 工作日志 kinds, in the order the picker shows them. */
export const LOG_KINDS = ['visit', 'meeting', 'project', 'training', 'duty', 'mediation', 'other'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export const WORK_LOG = 'work_log';

/** The `data` of a `work_log` record, as on the wire. */
export interface WorkLogData {
  village_code: string;
  date: string;
  kind: LogKind;
  text: string;
  household_ids: string[];
  location: Fix | null;
  evidence: string[];
  /** Added by the server: verification flags, never a verdict. */
  flags?: { code: string; detail?: string }[];
}

/** A work log as the cadre sees it: the newest local state, else the server copy. */
export interface WorkLogView {
  id: string;
  data: WorkLogData;
  status: OutboxStatus;
  item?: OutboxItem;
}

/** Is the server copy at least as new as what our last push made? */
function atLeast(server: unknown, ours: unknown): boolean {
  return typeof server === 'number' && typeof ours === 'number' ? server >= ours : server === ours;
}

export async function workLogs(
  userId: string,
  keep: (d: WorkLogData) => boolean = () => true,
): Promise<WorkLogView[]> {
  const byId = new Map<string, WorkLogView>();
  const versions = new Map<string, unknown>();
  for (const r of await recordsOfKind(userId, WORK_LOG)) {
    versions.set(r.id, r.version);
    byId.set(r.id, { id: r.id, data: r.data as unknown as WorkLogData, status: 'applied' });
  }
  for (const item of await listOutbox(userId)) {
    if (item.kind !== WORK_LOG) continue;
    // Once applied, the pulled server copy (with its flags) stands for ours.
    if (item.status === 'applied' && versions.has(item.id) && atLeast(versions.get(item.id), item.version)) {
      continue;
    }
    byId.set(item.id, { id: item.id, data: item.data as unknown as WorkLogData, status: item.status, item });
  }
  return [...byId.values()].filter((v) => keep(v.data)).sort((a, b) => (a.id < b.id ? 1 : -1));
}
