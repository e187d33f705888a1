import { afterEach, describe, expect, it, vi } from 'vitest';
import { logout, session } from '../src/auth';
import { dbName, userDb } from '../src/db';
import { enqueue, listOutbox, unsentCount } from '../src/outbox';
import { flush } from '../src/sync';
import { UUID_V7 } from '../src/uuid';
import { json, logData, makeUser, mockFetch, signIn } from './helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('outbox, one per user', () => {
  it('keeps each user in a database of their own', async () => {
    const a = makeUser();
    const b = makeUser();
    expect(dbName(a.id)).not.toBe(dbName(b.id));
    await enqueue(a.id, 'work_log', logData('A 的日志'));
    await enqueue(b.id, 'work_log', logData('B 的日志'));
    expect((await listOutbox(a.id)).map((i) => i.data.text)).toEqual(['A 的日志']);
    expect((await listOutbox(b.id)).map((i) => i.data.text)).toEqual(['B 的日志']);
  });

  it('gives a new item a client UUID v7, a null base version and pending status', async () => {
    const item = await enqueue(makeUser().id, 'work_log', logData());
    expect(item.id).toMatch(UUID_V7);
    expect(item.base_version).toBeNull();
    expect(item.status).toBe('pending');
    expect(item.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('survives logout and another user on the same phone, then syncs on the next login', async () => {
    mockFetch(() => {
      throw new TypeError('offline');
    });
    const a = makeUser();
    signIn(a);
    const mine = await enqueue(a.id, 'work_log', logData('A 未发送'));
    await logout(); // offline: the server call fails, nothing local is deleted
    expect(session.get()).toBeNull();

    const b = makeUser();
    signIn(b);
    await enqueue(b.id, 'work_log', logData('B'));
    expect(await unsentCount(b.id)).toBe(1);
    expect((await listOutbox(b.id)).some((i) => i.id === mine.id)).toBe(false);
    await logout();

    signIn(a);
    expect((await listOutbox(a.id)).map((i) => i.id)).toEqual([mine.id]);
    const calls = mockFetch((url, init) => {
      if (url.startsWith('/api/sync/push')) {
        const items = JSON.parse(String(init.body)).items as { id: string }[];
        return json(200, { results: items.map((i) => ({ id: i.id, status: 'applied', version: 1 })) });
      }
      return json(200, { changes: [], cursor: 'c1', more: false });
    });
    await flush(a.id);
    const push = calls.find((c) => c.url === '/api/sync/push')!;
    expect((push.body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([mine.id]);
    expect(push.headers.Authorization).toBe(`Bearer a-${a.id}`);
    expect(await unsentCount(a.id)).toBe(0);
    expect(await unsentCount(b.id)).toBe(1); // B's work waits for B
  });

  it('opens the same database again after it was closed', async () => {
    const u = makeUser();
    await enqueue(u.id, 'work_log', logData());
    const db = await userDb(u.id);
    expect(db.name).toBe(`zhucun-${u.id}`);
  });
});
