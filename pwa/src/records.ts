import { recordsOfKind } from './db';
import { listOutbox, type OutboxItem, type OutboxStatus, type Version } from './outbox';

/** A record as this phone shows it: our newest change laid over the server's copy. */
export interface RecordView<T> {
  id: string;
  /** The server copy's fields, with ours on top (so server-added fields such as a state stay). */
  data: T;
  /** 'applied' for the server copy alone; else the state of our change in the outbox. */
  status: OutboxStatus;
  /** The server's copy as last pulled or confirmed, if there is one. */
  server?: T;
  version?: Version;
  item?: OutboxItem;
}

/** Is the server copy at least as new as what our last push made? */
export function atLeast(server: unknown, ours: unknown): boolean {
  return typeof server === 'number' && typeof ours === 'number' ? server >= ours : server === ours;
}

/** Lay outbox items over pulled records of one kind (pure, for tests). */
export function mergeRecords<T>(
  records: { id: string; version: Version; data: Record<string, unknown> }[],
  items: OutboxItem[],
): RecordView<T>[] {
  const byId = new Map<string, RecordView<T>>();
  for (const r of records) {
    byId.set(r.id, { id: r.id, data: r.data as T, status: 'applied', server: r.data as T, version: r.version });
  }
  for (const item of items) {
    const known = byId.get(item.id);
    // Once applied, the pulled server copy stands for ours.
    if (item.status === 'applied' && known && atLeast(known.version, item.version)) continue;
    byId.set(item.id, {
      id: item.id,
      data: { ...(known?.server as object | undefined), ...item.data } as T,
      status: item.status,
      server: known?.server,
      version: known?.version ?? item.version,
      item,
    });
  }
  return [...byId.values()];
}

/** Every record of a kind on this phone, pulled or made here, newest id first. */
export async function recordViews<T>(userId: string, kind: string): Promise<RecordView<T>[]> {
  const items = (await listOutbox(userId)).filter((i) => i.kind === kind);
  return mergeRecords<T>(await recordsOfKind(userId, kind), items).sort((a, b) => (a.id < b.id ? 1 : -1));
}
