import { ApiError, api, errorText, type Schema } from './api';
import { session } from './auth';
import { getMeta, setMeta, userDb, type SyncedRecord } from './db';
import { pruneUploaded, uploadPending } from './evidence/evidence';
import {
  applyResults,
  outboxChanged,
  pendingCount,
  pruneApplied,
  resetSending,
  revertBatch,
  takeBatch,
  type OutboxItem,
  type PushResult,
} from './outbox';
import { createStore } from './store';

export const PUSH_MAX = 500;
const MAX_PUSH_ROUNDS = 20;
const MAX_PULL_PAGES = 100;

/** A change of the pull answer; `deleted` may be left out where it is false (tests, older servers). */
export type Change = Omit<Schema<'Change'>, 'deleted'> & { deleted?: boolean };

/**
 * A page of the snapshot: per kind, rows in a compact form (values in the order of `fields`);
 * `reset` on the first page (what we hold of the server is replaced), `complete` on the last.
 */
type SnapshotPage = Schema<'SnapshotPage'>;
type PullAnswer = Schema<'PullOut'>;

/** The snapshot's rows as changes (id and version first, then the kind's data fields). */
export function snapshotChanges(page: SnapshotPage | null | undefined): Change[] {
  const out: Change[] = [];
  for (const block of page?.blocks ?? []) {
    const at = (name: string) => block.fields.indexOf(name);
    const id = at('id');
    const version = at('version');
    for (const row of block.rows) {
      const data: Record<string, unknown> = {};
      block.fields.forEach((name, i) => {
        if (i !== id && i !== version) data[name] = row[i];
      });
      out.push({ kind: block.kind, id: String(row[id]), version: row[version] as number, data });
    }
  }
  return out;
}

export interface SyncState {
  running: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
}

export const syncState = createStore<SyncState>({ running: false, lastSyncAt: null, lastError: null });

/** Send one batch and file the answers. A failure that decided nothing puts the batch back. */
export async function pushOnce(userId: string): Promise<number> {
  const batch = await takeBatch(userId, PUSH_MAX);
  if (!batch.length) return 0;
  let answer: { results: PushResult[] };
  try {
    answer = await api<{ results: PushResult[] }>('/sync/push', {
      method: 'POST',
      json: { items: batch.map(wire) },
      timeoutMs: 60_000,
      user: userId,
    });
  } catch (err) {
    await revertBatch(userId, batch);
    throw err;
  }
  const results = Array.isArray(answer?.results) ? answer.results : [];
  // Results come in the order sent; match by id, and by position when an id is missing.
  const fixed = results.map((r, i) => (r.id ? r : { ...r, id: batch[i]?.id }));
  await applyResults(userId, batch, fixed);
  return batch.length;
}

function wire(item: OutboxItem) {
  return { kind: item.kind, id: item.id, base_version: item.base_version, data: item.data };
}

/**
 * Store pulled changes and the new cursor in one transaction, so a crash never skips any.
 *
 * A snapshot replaces what we hold of the server without ever showing an empty list: its
 * first page marks the records held so far, each page overwrites the ones it carries, and
 * its last page drops the marked ones it did not carry. The outbox is never touched, so
 * unsent work stays; a record pushed meanwhile comes back through the feed that follows.
 */
export async function applyChanges(
  userId: string,
  changes: Change[],
  cursor: string,
  snapshot?: SnapshotPage | null,
): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction(['records', 'meta'], 'readwrite');
  const records = tx.objectStore('records');
  const meta = tx.objectStore('meta');
  if (snapshot?.reset) {
    const mark = `${Date.now()}`;
    let marked = 0;
    for (let c = await records.openCursor(); c; c = await c.continue()) {
      await c.update({ ...c.value, stale: mark });
      marked++;
    }
    if (marked) await meta.put(mark, 'stale');
    else await meta.delete('stale');
  }
  for (const c of snapshotChanges(snapshot)) await records.put(c);
  if (snapshot?.complete) {
    const mark = await meta.get('stale');
    if (mark) {
      for (let c = await records.openCursor(); c; c = await c.continue()) {
        if (c.value.stale === mark) await c.delete();
      }
      await meta.delete('stale');
    }
  }
  for (const c of changes) {
    if (c.deleted) await records.delete([c.kind, c.id]);
    else {
      const rec: SyncedRecord = { kind: c.kind, id: c.id, version: c.version, data: c.data ?? {} };
      await records.put(rec);
    }
  }
  await meta.put(cursor, 'cursor');
  await tx.done;
}

/**
 * Pull until the server has nothing more. The first pull (no cursor), and any pull after the
 * feed starts over (a cursor from before a restore, or one the server no longer reads), takes
 * a snapshot of the current state instead of every change since the beginning.
 */
export async function pullAll(userId: string): Promise<number> {
  let count = 0;
  for (let page = 0; page < MAX_PULL_PAGES; page++) {
    const since = await getMeta<string>(userId, 'cursor');
    const query = `?snapshot=true${since ? `&since=${encodeURIComponent(since)}` : ''}`;
    let answer: PullAnswer;
    try {
      answer = await api<PullAnswer>(`/sync/pull${query}`, { user: userId, timeoutMs: 60_000 });
    } catch (err) {
      if (since && err instanceof ApiError && err.status === 422) {
        await setMeta(userId, 'cursor', ''); // a cursor the server cannot read: start over
        continue;
      }
      throw err;
    }
    await applyChanges(userId, answer.changes ?? [], answer.cursor, answer.snapshot);
    const rows = (answer.snapshot?.blocks ?? []).reduce((n, b) => n + b.rows.length, 0);
    const got = (answer.changes?.length ?? 0) + rows;
    count += got;
    if (got || answer.snapshot?.complete) outboxChanged.update((n) => n + 1);
    if (!answer.more || answer.cursor === since) break;
  }
  return count;
}

/** Photos first, then records, then what the server has for us. Throws if any step failed. */
export async function flush(userId: string): Promise<void> {
  let photoError: unknown = null;
  try {
    await uploadPending(userId);
  } catch (err) {
    if (err instanceof ApiError && err.network) throw err;
    photoError = err; // the server accepts logs before their photos: go on, retry the photo later
  }
  for (let round = 0; round < MAX_PUSH_ROUNDS; round++) {
    if (!(await pushOnce(userId))) break;
  }
  await pullAll(userId);
  await pruneApplied(userId);
  await pruneUploaded(userId);
  if (photoError) throw photoError;
}

// --- scheduling: app start, `online`, after a save, and backoff while work is waiting ---

const BASE_DELAY = 5_000;
const MAX_DELAY = 300_000;

/** 5 s doubling to 5 min, each wait drawn between half and all of it. */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const d = Math.min(BASE_DELAY * 2 ** Math.max(0, failures), MAX_DELAY);
  return Math.round(d / 2 + random() * (d / 2));
}

let failures = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> | null = null;
let again = false;
let started = false;

function activeUser(): string | null {
  const s = session.get();
  return s && !s.needs_login ? s.user.id : null;
}

function schedule(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void syncNow();
  }, ms);
}

/** Run a flush now (or right after the running one) and plan the next try. */
export function syncNow(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  const userId = activeUser();
  if (!userId) return Promise.resolve();
  running = (async () => {
    syncState.update((s) => ({ ...s, running: true }));
    let error: string | null = null;
    try {
      await flush(userId);
    } catch (err) {
      error = errorText(err);
    }
    if (session.get()?.user.id !== userId) {
      // Logged out, or someone else logged in, meanwhile: this run is not theirs to hear about
      // (their own flush follows, `again`); what it left unsent waits for this user's next login.
      syncState.update((s) => ({ ...s, running: false }));
      return;
    }
    failures = error ? failures + 1 : 0;
    syncState.update((s) => ({
      running: false,
      lastSyncAt: error ? s.lastSyncAt : new Date().toISOString(),
      lastError: error,
    }));
    const waiting = activeUser() === userId ? await pendingCount(userId) : 0;
    if (error || waiting) schedule(backoffDelay(error ? failures - 1 : 0));
  })().finally(() => {
    running = null;
    if (again) {
      again = false;
      void syncNow();
    }
  });
  return running;
}

/** Ask for a flush soon, e.g. right after a save; cheap to call often. */
export function syncSoon(): void {
  failures = 0;
  schedule(500);
}

/** Wire the triggers once per page. */
export function startSync(): void {
  if (started) return;
  started = true;
  let lastUser: string | null = null;
  const onSession = () => {
    const userId = activeUser();
    if (userId === lastUser) return;
    lastUser = userId;
    failures = 0;
    if (timer) clearTimeout(timer);
    if (!userId) return;
    syncState.update((s) => ({ ...s, lastSyncAt: null, lastError: null })); // the previous user's
    void resetSending(userId).then(() => syncNow());
  };
  session.subscribe(onSession);
  onSession();
  window.addEventListener('online', () => {
    failures = 0;
    void syncNow();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !timer) void syncNow();
  });
}
