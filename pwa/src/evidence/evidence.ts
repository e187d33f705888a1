import { ApiError, request } from '../api';
import { userDb } from '../db';
import { outboxChanged } from '../outbox';

export type EvidenceStatus = 'pending' | 'uploaded' | 'rejected';

/** A photo kept on the phone, content-addressed by the SHA-256 of the JPEG bytes. */
export interface EvidenceRecord {
  sha256: string;
  blob: Blob;
  bytes: number;
  width: number;
  height: number;
  /** Capture time read from the original's EXIF, ISO 8601, when the camera wrote one. */
  captured_at: string | null;
  gps: { lat: number; lon: number } | null;
  status: EvidenceStatus;
  error?: string;
  attempts: number;
  created_at: string;
  uploaded_at?: string;
}

/** Keep the photo before anything else happens to it. */
export async function storeEvidence(userId: string, rec: EvidenceRecord): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction('evidence', 'readwrite');
  const existing = await tx.store.get(rec.sha256);
  if (!existing) await tx.store.put(rec);
  await tx.done;
}

export async function getEvidence(userId: string, sha256: string): Promise<EvidenceRecord | undefined> {
  return (await userDb(userId)).get('evidence', sha256);
}

export async function listEvidence(userId: string, status?: EvidenceStatus): Promise<EvidenceRecord[]> {
  const db = await userDb(userId);
  return status ? db.getAllFromIndex('evidence', 'status', status) : db.getAll('evidence');
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The photos a record names: its `evidence` list, and for a survey response its photo
 * answers (the answer to a photo question is the photo's hash; docs/surveys.md).
 */
export function photosOf(item: { kind: string; data: Record<string, unknown> }): string[] {
  const ev = item.data.evidence;
  const out = Array.isArray(ev) ? ev.map(String) : [];
  const answers = item.data.answers;
  if (item.kind === 'survey_response' && answers && typeof answers === 'object') {
    for (const v of Object.values(answers)) if (typeof v === 'string' && SHA256.test(v)) out.push(v);
  }
  return out;
}

/** Hashes named by any record still in the outbox. */
async function namedByRecords(userId: string): Promise<Set<string>> {
  const named = new Set<string>();
  for (const item of await (await userDb(userId)).getAll('outbox')) {
    for (const h of photosOf(item)) named.add(h);
  }
  return named;
}

/** Delete a photo that no record names (removed from a draft, or discarded by the cadre). */
export async function deleteEvidence(userId: string, sha256: string): Promise<void> {
  if ((await namedByRecords(userId)).has(sha256)) return;
  await (await userDb(userId)).delete('evidence', sha256);
  outboxChanged.update((n) => n + 1);
}

/** Answers that mean the server looked at the photo and will never take it. */
const REFUSED = new Set([400, 409, 413, 415, 422]);

/**
 * PUT every waiting photo, oldest first. Stops at the first failure that is not the
 * photo's own fault (offline, 5xx, expired login) and throws it: the photo stays and is
 * retried with the next flush.
 */
export async function uploadPending(userId: string): Promise<number> {
  const named = await namedByRecords(userId);
  // A photo picked for a draft that was never saved is not sent anywhere.
  const waiting = (await listEvidence(userId, 'pending'))
    .filter((rec) => named.has(rec.sha256))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  let done = 0;
  for (const rec of waiting) {
    const db = await userDb(userId);
    try {
      await request(`/evidence/${rec.sha256}`, {
        method: 'PUT',
        body: rec.blob,
        headers: { 'Content-Type': 'image/jpeg' },
        timeoutMs: 120_000,
        user: userId,
      });
      await db.put('evidence', { ...rec, status: 'uploaded', uploaded_at: new Date().toISOString() });
      done++;
    } catch (err) {
      if (err instanceof ApiError && REFUSED.has(err.status)) {
        await db.put('evidence', { ...rec, status: 'rejected', error: err.display, attempts: rec.attempts + 1 });
        continue;
      }
      await db.put('evidence', { ...rec, attempts: rec.attempts + 1 });
      throw err;
    } finally {
      outboxChanged.update((n) => n + 1);
    }
  }
  return done;
}

/** Free the space of photos the server has had for a while, and of abandoned drafts' photos. */
export async function pruneUploaded(userId: string, olderThanMs = 30 * 86_400_000): Promise<void> {
  const cutoff = new Date(Date.now() - olderThanMs).toISOString();
  const draftCutoff = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const named = await namedByRecords(userId);
  const db = await userDb(userId);
  for (const rec of await db.getAllFromIndex('evidence', 'status', 'uploaded')) {
    if ((rec.uploaded_at ?? rec.created_at) < cutoff) await db.delete('evidence', rec.sha256);
  }
  for (const rec of await db.getAllFromIndex('evidence', 'status', 'pending')) {
    if (!named.has(rec.sha256) && rec.created_at < draftCutoff) await db.delete('evidence', rec.sha256);
  }
}
