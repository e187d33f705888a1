import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EvidenceRecord } from './evidence/evidence';
import type { OutboxItem } from './outbox';

/** A server-side copy of a record, as pulled or as confirmed by a push. */
export interface SyncedRecord {
  kind: string;
  id: string;
  version: number | string;
  data: Record<string, unknown>;
  /** Set while a snapshot replaces what we hold: dropped at its end unless it carried it. */
  stale?: string;
}

interface ZhucunDB extends DBSchema {
  outbox: { key: string; value: OutboxItem; indexes: { status: string } };
  records: { key: [string, string]; value: SyncedRecord; indexes: { kind: string } };
  evidence: { key: string; value: EvidenceRecord; indexes: { status: string } };
  meta: { key: string; value: unknown };
}

export type UserDB = IDBPDatabase<ZhucunDB>;

/**
 * One database per user, so a second person logging in on the same phone neither sees nor
 * touches the first one's unsent work, and logging out deletes nothing.
 */
export function dbName(userId: string): string {
  return `zhucun-${userId}`;
}

const open = new Map<string, Promise<UserDB>>();

export function userDb(userId: string): Promise<UserDB> {
  let db = open.get(userId);
  if (!db) {
    db = openDB<ZhucunDB>(dbName(userId), 1, {
      upgrade(d) {
        d.createObjectStore('outbox', { keyPath: 'id' }).createIndex('status', 'status');
        d.createObjectStore('records', { keyPath: ['kind', 'id'] }).createIndex('kind', 'kind');
        d.createObjectStore('evidence', { keyPath: 'sha256' }).createIndex('status', 'status');
        d.createObjectStore('meta');
      },
      blocking() {
        void closeDb(userId);
      },
    });
    open.set(userId, db);
  }
  return db;
}

export async function closeDb(userId: string): Promise<void> {
  const db = open.get(userId);
  open.delete(userId);
  if (db) (await db).close();
}

export async function getMeta<T>(userId: string, key: string): Promise<T | undefined> {
  return (await (await userDb(userId)).get('meta', key)) as T | undefined;
}

export async function setMeta(userId: string, key: string, value: unknown): Promise<void> {
  await (await userDb(userId)).put('meta', value, key);
}

export async function recordsOfKind(userId: string, kind: string): Promise<SyncedRecord[]> {
  return (await userDb(userId)).getAllFromIndex('records', 'kind', kind);
}
