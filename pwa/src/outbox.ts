import type { FieldError, Schema } from './api';
import { userDb, type SyncedRecord } from './db';
import { createStore } from './store';
import { uuidv7 } from './uuid';

export type OutboxStatus = 'pending' | 'sending' | 'applied' | 'rejected' | 'conflict';
export type Version = number | string;

/** The server's copy of a record that conflicts with ours. */
export interface ServerCopy {
  version: Version | null;
  data: Record<string, unknown>;
}

/** A record made or changed on this phone, kept until the server has it. */
export interface OutboxItem {
  kind: string;
  /** UUID v7 made on the phone; a resend always reuses it. */
  id: string;
  /** The server version this change was made on; null for a new record. */
  base_version: Version | null;
  data: Record<string, unknown>;
  status: OutboxStatus;
  errors?: FieldError[];
  server?: ServerCopy;
  /** The version the server gave the last applied push. */
  version?: Version;
  /** Bumped on every edit, so an answer to an older send does not overwrite a newer edit. */
  rev: number;
  created_at: string;
  updated_at: string;
}

/** One per-item answer of `POST /api/sync/push`. */
export type PushResult = Schema<'PushResult'>;

/** Bumped on every outbox write; views watch it to re-read. */
export const outboxChanged = createStore(0);

function touched(): void {
  outboxChanged.update((n) => n + 1);
}

const now = (): string => new Date().toISOString();

export const UNSENT: readonly OutboxStatus[] = ['pending', 'sending', 'rejected', 'conflict'];

/** Queue a new record. */
export async function enqueue(
  userId: string,
  kind: string,
  data: Record<string, unknown>,
): Promise<OutboxItem> {
  const at = now();
  const item: OutboxItem = {
    kind,
    id: uuidv7(),
    base_version: null,
    data,
    status: 'pending',
    rev: 1,
    created_at: at,
    updated_at: at,
  };
  await (await userDb(userId)).put('outbox', item);
  touched();
  return item;
}

/**
 * Change a record, whatever its state: an unsent one is simply rewritten; one the server
 * already has becomes an update on the version we know. The id never changes.
 */
export async function saveEdit(
  userId: string,
  kind: string,
  id: string,
  data: Record<string, unknown>,
  /**
   * The newest server version known from elsewhere: a record pushed as one kind may come back
   * by pull as another (a `travel_claim` is pulled as `claim`), changed by others meanwhile.
   */
  known?: Version,
): Promise<OutboxItem> {
  const db = await userDb(userId);
  const tx = db.transaction(['outbox', 'records'], 'readwrite');
  const existing = await tx.objectStore('outbox').get(id);
  const synced = await tx.objectStore('records').get([kind, id]);
  const at = now();
  let base: Version | null;
  if (!existing) base = synced?.version ?? null;
  else if (existing.status === 'applied') base = existing.version ?? existing.base_version;
  else if (existing.status === 'conflict') base = existing.server?.version ?? existing.base_version;
  else base = existing.base_version;
  // An unsent edit stays on the version it was made on; otherwise the newest known counts.
  if (known !== undefined && (!existing || existing.status === 'applied') && newerVersion(known, base)) base = known;
  const item: OutboxItem = {
    kind,
    id,
    base_version: base,
    data,
    status: 'pending',
    version: existing?.version,
    rev: (existing?.rev ?? 0) + 1,
    created_at: existing?.created_at ?? at,
    updated_at: at,
  };
  await tx.objectStore('outbox').put(item);
  await tx.done;
  touched();
  return item;
}

/** Whether version `a` is newer than `b` (numbers compare; anything beats nothing). */
export function newerVersion(a: Version | null | undefined, b: Version | null | undefined): boolean {
  if (a === null || a === undefined) return false;
  if (b === null || b === undefined) return true;
  return typeof a === 'number' && typeof b === 'number' ? a > b : false;
}

export async function getItem(userId: string, id: string): Promise<OutboxItem | undefined> {
  return (await userDb(userId)).get('outbox', id);
}

/** All items, oldest first (UUID v7 sorts by creation time). */
export async function listOutbox(userId: string): Promise<OutboxItem[]> {
  return (await userDb(userId)).getAll('outbox');
}

export async function unsentCount(userId: string): Promise<number> {
  const db = await userDb(userId);
  let n = 0;
  for (const s of UNSENT) n += await db.countFromIndex('outbox', 'status', s);
  return n;
}

export async function pendingCount(userId: string): Promise<number> {
  const db = await userDb(userId);
  return (
    (await db.countFromIndex('outbox', 'status', 'pending')) +
    (await db.countFromIndex('outbox', 'status', 'sending'))
  );
}

/** Drop our unsent change. For an edit of a synced record the server copy stays. */
export async function discard(userId: string, id: string): Promise<void> {
  await (await userDb(userId)).delete('outbox', id);
  touched();
}

/** Resolve a conflict by dropping ours and keeping the server copy. */
export async function takeServer(userId: string, id: string): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction(['outbox', 'records'], 'readwrite');
  const item = await tx.objectStore('outbox').get(id);
  if (item?.server) {
    await tx.objectStore('records').put({
      kind: item.kind,
      id,
      version: item.server.version ?? item.version ?? 0,
      data: item.server.data,
    });
    await tx.objectStore('outbox').delete(id);
  }
  await tx.done;
  touched();
}

/** Resolve a conflict by sending ours again on top of the server's version. */
export async function keepMine(userId: string, id: string): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction('outbox', 'readwrite');
  const item = await tx.store.get(id);
  if (item && item.status === 'conflict') {
    const { server, ...rest } = item;
    await tx.store.put({
      ...rest,
      base_version: server?.version ?? item.base_version,
      status: 'pending',
      errors: undefined,
      rev: item.rev + 1,
      updated_at: now(),
    });
  }
  await tx.done;
  touched();
}

/** After a crash mid-send nothing is known: send again, with the same id. */
export async function resetSending(userId: string): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction('outbox', 'readwrite');
  for (const item of await tx.store.index('status').getAll('sending')) {
    await tx.store.put({ ...item, status: 'pending' });
  }
  await tx.done;
  touched();
}

/** Take up to `max` pending items, oldest first, and mark them sending. */
export async function takeBatch(userId: string, max = 500): Promise<OutboxItem[]> {
  const db = await userDb(userId);
  const tx = db.transaction('outbox', 'readwrite');
  const pending = (await tx.store.index('status').getAll('pending'))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, max);
  for (const item of pending) await tx.store.put({ ...item, status: 'sending' });
  await tx.done;
  if (pending.length) touched();
  return pending;
}

/** Nothing was decided (network, timeout, 5xx): put the batch back exactly as it was. */
export async function revertBatch(userId: string, sent: OutboxItem[]): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction('outbox', 'readwrite');
  for (const s of sent) {
    const item = await tx.store.get(s.id);
    if (item && item.status === 'sending') await tx.store.put({ ...item, status: 'pending' });
  }
  await tx.done;
  touched();
}

function serverCopy(raw: unknown, fallback: Version | undefined): ServerCopy {
  const obj = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const nested = obj.data && typeof obj.data === 'object';
  return {
    version: (obj.version as Version | undefined) ?? fallback ?? null,
    data: (nested ? obj.data : obj) as Record<string, unknown>,
  };
}

/** What became of one sent item, given the server's answer. */
export function resolve(sent: OutboxItem, current: OutboxItem, r: PushResult | undefined): {
  item: OutboxItem | null;
  synced?: SyncedRecord;
} {
  const edited = current.rev !== sent.rev;
  const at = now();
  if (!r) return { item: edited ? current : { ...current, status: 'pending' } };
  switch (r.status) {
    case 'applied':
    case 'duplicate': {
      const version = r.version ?? sent.base_version ?? 0;
      const synced = { kind: sent.kind, id: sent.id, version, data: sent.data };
      if (edited) return { item: { ...current, base_version: version, version }, synced };
      const { errors: _e, server: _s, ...rest } = current;
      return { item: { ...rest, status: 'applied', version, updated_at: at }, synced };
    }
    case 'rejected':
      if (edited) return { item: current };
      return { item: { ...current, status: 'rejected', errors: r.errors ?? [], updated_at: at } };
    case 'conflict':
      return {
        item: { ...current, status: 'conflict', server: serverCopy(r.server, r.version ?? undefined), updated_at: at },
      };
    default:
      return { item: edited ? current : { ...current, status: 'pending' } };
  }
}

/**
 * Kinds whose pushed data is a change to part of a record the server also writes to: the
 * inbox (`{read: true}` on a notice) and leave (the server adds state, days, decider). The
 * synced copy merges what was sent into what was pulled, so nothing shown goes blank.
 */
export const PATCH_KINDS: ReadonlySet<string> = new Set(['inbox', 'leave_request']);

/** Apply the per-item answers of one push, matched by id. */
export async function applyResults(
  userId: string,
  sent: OutboxItem[],
  results: PushResult[],
): Promise<void> {
  const byId = new Map(results.map((r) => [r.id, r]));
  const db = await userDb(userId);
  const tx = db.transaction(['outbox', 'records'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  for (const s of sent) {
    const current = await outbox.get(s.id);
    if (!current) continue; // discarded while in flight
    const { item, synced } = resolve(s, current, byId.get(s.id));
    if (synced && PATCH_KINDS.has(synced.kind)) {
      // What we sent changes part of a record (read, cancelled): keep the rest until pull.
      const before = await tx.objectStore('records').get([synced.kind, synced.id]);
      if (before) synced.data = { ...before.data, ...synced.data };
    }
    if (synced) await tx.objectStore('records').put(synced);
    if (item) await outbox.put(item);
  }
  await tx.done;
  touched();
}

/** Forget applied items the server copy now stands for. */
export async function pruneApplied(userId: string, olderThanMs = 3 * 86_400_000): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction(['outbox', 'records'], 'readwrite');
  const cutoff = new Date(Date.now() - olderThanMs).toISOString();
  for (const item of await tx.objectStore('outbox').index('status').getAll('applied')) {
    if (item.updated_at >= cutoff) continue;
    if (await tx.objectStore('records').get([item.kind, item.id])) {
      await tx.objectStore('outbox').delete(item.id);
    }
  }
  await tx.done;
}
