import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, SESSION_CHANGED } from '../src/api';
import { refresh, session } from '../src/auth';
import { getMeta, recordsOfKind } from '../src/db';
import {
  enqueue,
  getItem,
  keepMine,
  listOutbox,
  saveEdit,
  takeServer,
  type OutboxItem,
} from '../src/outbox';
import { backoffDelay, flush, pullAll, pushOnce } from '../src/sync';
import { json, logData, makeUser, mockFetch, signIn, type Call } from './helpers';

type Item = { kind: string; id: string; base_version: unknown; data: Record<string, unknown> };

let userId: string;

beforeEach(() => {
  userId = signIn(makeUser()).user.id;
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  session.set(null);
});

const pushed = (calls: Call[]) =>
  calls.filter((c) => c.url === '/api/sync/push').map((c) => (c.body as { items: Item[] }).items);

/** A server that answers each pushed item with `answer(item)`. */
function server(answer: (item: Item) => Record<string, unknown>) {
  return mockFetch((url, init) => {
    if (url === '/api/sync/push') {
      const items = JSON.parse(String(init.body)).items as Item[];
      return json(200, { results: items.map((i) => ({ id: i.id, ...answer(i) })) });
    }
    if (url.startsWith('/api/sync/pull')) return json(200, { changes: [], cursor: 'c', more: false });
    return json(404, { title: 'Not Found', status: 404 });
  });
}

async function only(): Promise<OutboxItem> {
  const items = await listOutbox(userId);
  expect(items).toHaveLength(1);
  return items[0];
}

describe('push results', () => {
  it('sends the wire shape: kind, id, base_version, data', async () => {
    const item = await enqueue(userId, 'work_log', logData());
    const calls = server(() => ({ status: 'applied', version: 1 }));
    await pushOnce(userId);
    expect(pushed(calls)[0]).toEqual([{ kind: 'work_log', id: item.id, base_version: null, data: logData() }]);
  });

  it.each(['applied', 'duplicate'])('%s marks the item sent with the version and keeps a synced copy', async (status) => {
    const item = await enqueue(userId, 'work_log', logData());
    server(() => ({ status, version: 7 }));
    await pushOnce(userId);
    const after = await only();
    expect(after.status).toBe('applied');
    expect(after.version).toBe(7);
    expect(await recordsOfKind(userId, 'work_log')).toEqual([
      { kind: 'work_log', id: item.id, version: 7, data: logData() },
    ]);
  });

  it('rejected keeps the item with its field errors; an edit resends the same id', async () => {
    const item = await enqueue(userId, 'work_log', logData(''));
    let calls = server(() => ({ status: 'rejected', errors: [{ field: 'data.text', message: '不能为空' }] }));
    await pushOnce(userId);
    let after = await only();
    expect(after.status).toBe('rejected');
    expect(after.errors).toEqual([{ field: 'data.text', message: '不能为空' }]);

    await pushOnce(userId); // a rejected item is not resent until fixed
    expect(pushed(calls)).toHaveLength(1);

    await saveEdit(userId, 'work_log', item.id, logData('补充了内容'));
    after = await only();
    expect(after.status).toBe('pending');
    expect(after.errors).toBeUndefined();
    calls = server(() => ({ status: 'applied', version: 1 }));
    await pushOnce(userId);
    expect(pushed(calls)[0].map((i) => [i.id, i.base_version, i.data.text])).toEqual([[item.id, null, '补充了内容']]);
    expect((await only()).status).toBe('applied');
  });

  it('conflict keeps both versions; keep mine resends on the server version', async () => {
    const item = await enqueue(userId, 'work_log', logData('我的'));
    server(() => ({ status: 'conflict', version: 4, server: { version: 4, data: logData('服务器的') } }));
    await pushOnce(userId);
    const c = await only();
    expect(c.status).toBe('conflict');
    expect(c.data.text).toBe('我的');
    expect(c.server).toEqual({ version: 4, data: logData('服务器的') });

    await keepMine(userId, item.id);
    const calls = server(() => ({ status: 'applied', version: 5 }));
    await pushOnce(userId);
    expect(pushed(calls)[0].map((i) => [i.id, i.base_version, i.data.text])).toEqual([[item.id, 4, '我的']]);
    expect((await only()).version).toBe(5);
  });

  it('conflict, take server: drops mine and keeps the server copy', async () => {
    const item = await enqueue(userId, 'work_log', logData('我的'));
    server(() => ({ status: 'conflict', server: { version: 9, data: logData('服务器的') } }));
    await pushOnce(userId);
    await takeServer(userId, item.id);
    expect(await listOutbox(userId)).toEqual([]);
    expect(await recordsOfKind(userId, 'work_log')).toEqual([
      { kind: 'work_log', id: item.id, version: 9, data: logData('服务器的') },
    ]);
  });

  it('reads a conflict whose server copy is the bare record data', async () => {
    await enqueue(userId, 'work_log', logData('我的'));
    server(() => ({ status: 'conflict', version: 3, server: logData('服务器的') }));
    await pushOnce(userId);
    expect((await only()).server).toEqual({ version: 3, data: logData('服务器的') });
  });

  it('an edit of a synced record is an update on its version, with the same id', async () => {
    const item = await enqueue(userId, 'work_log', logData('一'));
    server(() => ({ status: 'applied', version: 2 }));
    await pushOnce(userId);
    await saveEdit(userId, 'work_log', item.id, logData('二'));
    const calls = server(() => ({ status: 'applied', version: 3 }));
    await pushOnce(userId);
    expect(pushed(calls)[0].map((i) => [i.id, i.base_version])).toEqual([[item.id, 2]]);
  });

  it('an edit made while the push was in flight is not overwritten by its answer', async () => {
    const item = await enqueue(userId, 'work_log', logData('一'));
    mockFetch(async (url) => {
      if (url === '/api/sync/push') {
        await saveEdit(userId, 'work_log', item.id, logData('二'));
        return json(200, { results: [{ id: item.id, status: 'applied', version: 1 }] });
      }
      return json(200, { changes: [], cursor: 'c' });
    });
    await pushOnce(userId);
    const after = await only();
    expect(after.status).toBe('pending');
    expect(after.data.text).toBe('二');
    expect(after.base_version).toBe(1);
  });

  it('sends at most 500 items a request', async () => {
    for (let i = 0; i < 501; i++) await enqueue(userId, 'work_log', logData(`#${i}`));
    const calls = server(() => ({ status: 'applied', version: 1 }));
    await flush(userId);
    expect(pushed(calls).map((b) => b.length)).toEqual([500, 1]);
    const sent = pushed(calls).flat().map((i) => i.data.text);
    expect(sent[0]).toBe('#0');
    expect(new Set(sent).size).toBe(501);
  });
});

describe('failures that decide nothing', () => {
  const cases: [string, () => Response | Promise<Response>][] = [
    ['network error', () => Promise.reject(new TypeError('Failed to fetch'))],
    ['500', () => json(500, { title: 'Internal Server Error', status: 500 })],
    ['503 without a body', () => new Response('', { status: 503 })],
  ];

  it.each(cases)('%s leaves items pending, unchanged, and the resend keeps the same id', async (_name, fail) => {
    const a = await enqueue(userId, 'work_log', logData('一'));
    const b = await enqueue(userId, 'work_log', logData('二'));
    const before = await listOutbox(userId);
    mockFetch(fail);
    await expect(flush(userId)).rejects.toBeInstanceOf(ApiError);
    expect(await listOutbox(userId)).toEqual(before);

    const calls = server(() => ({ status: 'duplicate', version: 1 }));
    await flush(userId);
    expect(pushed(calls)[0].map((i) => i.id)).toEqual([a.id, b.id]);
    expect((await listOutbox(userId)).map((i) => i.status)).toEqual(['applied', 'applied']);
  });

  it('a timeout leaves items pending', async () => {
    await enqueue(userId, 'work_log', logData());
    const err = await api('/sync/push', { method: 'POST', json: {}, timeoutMs: 20 }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError); // no fetch stub: real fetch to a relative URL fails fast
    mockFetch((_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
    );
    const timedOut = await api('/sync/pull', { timeoutMs: 20 }).catch((e) => e);
    expect(timedOut).toMatchObject({ status: 0, timeout: true });
    const before = await listOutbox(userId);
    vi.useFakeTimers();
    const run = pushOnce(userId).catch((e) => e);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(await run).toMatchObject({ status: 0, timeout: true });
    vi.useRealTimers();
    expect((await listOutbox(userId)).map((i) => [i.id, i.status])).toEqual(before.map((i) => [i.id, 'pending']));
  });

  it('a result missing from the answer leaves that item pending', async () => {
    await enqueue(userId, 'work_log', logData('一'));
    const b = await enqueue(userId, 'work_log', logData('二'));
    mockFetch(() => json(200, { results: [{ id: b.id, status: 'applied', version: 1 }] }));
    await pushOnce(userId);
    expect((await listOutbox(userId)).map((i) => i.status)).toEqual(['pending', 'applied']);
  });
});

describe('pull', () => {
  it('pages with the cursor until no more, and stores changes per kind and id', async () => {
    const pages: Record<string, unknown> = {
      '/api/sync/pull?snapshot=true': {
        changes: [
          { kind: 'work_log', id: 'l1', version: 1, data: { text: 'x' } },
          { kind: 'inbox', id: 'm1', version: 1, data: { title: '你好' } },
        ],
        cursor: '10',
        more: true,
      },
      '/api/sync/pull?snapshot=true&since=10': {
        changes: [{ kind: 'work_log', id: 'l1', version: 2, data: {}, deleted: true }],
        cursor: '11',
        more: false,
      },
    };
    const calls = mockFetch((url) => json(200, pages[url]));
    expect(await pullAll(userId)).toBe(3);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/sync/pull?snapshot=true',
      '/api/sync/pull?snapshot=true&since=10',
    ]);
    expect(await recordsOfKind(userId, 'work_log')).toEqual([]);
    expect((await recordsOfKind(userId, 'inbox')).map((r) => r.data.title)).toEqual(['你好']);
    expect(await getMeta(userId, 'cursor')).toBe('11');

    const next = mockFetch(() => json(200, { changes: [], cursor: '11', more: false }));
    await pullAll(userId);
    expect(next[0].url).toBe('/api/sync/pull?snapshot=true&since=11');
  });

  const block = (kind: string, rows: unknown[][]) => ({ kind, fields: ['id', 'version', 'text'], rows });
  const page = (cursor: string, more: boolean, snapshot: Record<string, unknown> | null) => ({
    changes: [],
    cursor,
    more,
    snapshot,
  });

  it('takes the first pull as a snapshot in the compact form, then the feed from its end', async () => {
    const pages: Record<string, unknown> = {
      '/api/sync/pull?snapshot=true': page('1:s9.4', true, {
        reset: true,
        complete: false,
        blocks: [block('work_log', [['l1', 2, '一'], ['l2', 1, '二']])],
      }),
      '/api/sync/pull?snapshot=true&since=1%3As9.4': page('1:9', true, {
        reset: false,
        complete: true,
        blocks: [block('inbox', [['m1', 1, '你好']])],
      }),
      '/api/sync/pull?snapshot=true&since=1%3A9': {
        changes: [{ kind: 'work_log', id: 'l3', version: 1, data: { text: '三' } }],
        cursor: '1:10',
        more: false,
        snapshot: null,
      },
    };
    const calls = mockFetch((url) => json(200, pages[url]));
    expect(await pullAll(userId)).toBe(4);
    expect(calls.map((c) => c.url)).toEqual(Object.keys(pages));
    expect(await recordsOfKind(userId, 'work_log')).toEqual([
      { kind: 'work_log', id: 'l1', version: 2, data: { text: '一' } },
      { kind: 'work_log', id: 'l2', version: 1, data: { text: '二' } },
      { kind: 'work_log', id: 'l3', version: 1, data: { text: '三' } },
    ]);
    expect((await recordsOfKind(userId, 'inbox')).map((r) => r.data.text)).toEqual(['你好']);
    expect(await getMeta(userId, 'cursor')).toBe('1:10');
  });

  it('a snapshot after a reset replaces the records without emptying them meanwhile; the outbox stays', async () => {
    mockFetch(() =>
      json(200, {
        changes: [
          { kind: 'work_log', id: 'old', version: 1, data: { text: '服务器上已没有' } },
          { kind: 'work_log', id: 'kept', version: 1, data: { text: '旧' } },
        ],
        cursor: '1:5',
        more: false,
      }),
    );
    await pullAll(userId);
    const unsent = await enqueue(userId, 'work_log', logData('未发送'));
    // The server was restored: it answers the old cursor with a snapshot, over two pages.
    let held = 0;
    mockFetch(async (url) => {
      if (url.endsWith('since=1%3A5')) {
        return json(200, page('2:s7.3', true, { reset: true, complete: false, blocks: [block('work_log', [['kept', 3, '新']])] }));
      }
      if (url.endsWith('since=2%3As7.3')) {
        held = (await recordsOfKind(userId, 'work_log')).length; // the old copy is still shown
        return json(200, page('2:7', true, { reset: false, complete: true, blocks: [] }));
      }
      return json(200, { changes: [], cursor: '2:7', more: false, snapshot: null });
    });
    await pullAll(userId);
    expect(held).toBe(2);
    expect(await recordsOfKind(userId, 'work_log')).toEqual([
      { kind: 'work_log', id: 'kept', version: 3, data: { text: '新' } },
    ]);
    expect((await listOutbox(userId)).map((i) => i.id)).toEqual([unsent.id]);
    expect(await getMeta(userId, 'cursor')).toBe('2:7');
  });

  it('a cursor the server refuses starts over with a snapshot', async () => {
    mockFetch(() => json(200, { changes: [], cursor: 'old', more: false }));
    await pullAll(userId);
    const calls = mockFetch((url) =>
      url.includes('since=old')
        ? json(422, { title: '参数无效', status: 422, errors: [{ field: 'since', message: '无效' }] })
        : json(200, page('3:8', false, { reset: true, complete: true, blocks: [block('inbox', [['m', 1, '好']])] })),
    );
    await pullAll(userId);
    expect(calls.map((c) => c.url)).toEqual(['/api/sync/pull?snapshot=true&since=old', '/api/sync/pull?snapshot=true']);
    expect((await recordsOfKind(userId, 'inbox')).map((r) => r.data.text)).toEqual(['好']);
    expect(await getMeta(userId, 'cursor')).toBe('3:8');
  });
});

describe('auth on sync calls', () => {
  it('refreshes once on 401 and retries with the new token', async () => {
    await enqueue(userId, 'work_log', logData());
    let refreshed = false;
    const calls = mockFetch((url, init) => {
      if (url === '/api/auth/refresh') {
        refreshed = true;
        return json(200, {
          access_token: 'new',
          refresh_token: 'r2',
          token_type: 'bearer',
          expires_in: 900,
          user: session.get()!.user,
        });
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      if (auth !== 'Bearer new') return json(401, { title: 'Unauthorized', status: 401 });
      const items = JSON.parse(String(init.body)).items as Item[];
      return json(200, { results: items.map((i) => ({ id: i.id, status: 'applied', version: 1 })) });
    });
    await pushOnce(userId);
    expect(refreshed).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(['/api/sync/push', '/api/auth/refresh', '/api/sync/push']);
    expect((await only()).status).toBe('applied');
  });

  it('keeps the session and the items when the refresh cannot reach the server', async () => {
    const before = session.get();
    await enqueue(userId, 'work_log', logData());
    mockFetch((url) => (url === '/api/auth/refresh' ? Promise.reject(new TypeError('offline')) : json(401, {})));
    await expect(pushOnce(userId)).rejects.toMatchObject({ status: 0 });
    expect(session.get()).toEqual(before);
    expect((await only()).status).toBe('pending');
  });

  it('never sends the outbox or pull of a user who logged out with the next user token', async () => {
    await enqueue(userId, 'work_log', logData('甲的日志'));
    const other = signIn(makeUser());
    const calls = server(() => ({ status: 'applied', version: 1 }));
    await expect(pushOnce(userId)).rejects.toMatchObject({ status: 0, type: SESSION_CHANGED });
    await expect(pullAll(userId)).rejects.toMatchObject({ status: 0, type: SESSION_CHANGED });
    expect(calls).toEqual([]);
    expect((await only()).status).toBe('pending');
    expect(await getMeta(userId, 'cursor')).toBeUndefined();

    await pullAll(other.user.id); // the logged-in user's own calls go out as usual
    expect(calls.map((c) => c.headers.Authorization)).toEqual([`Bearer ${other.access_token}`]);
  });

  it.each([
    ['a logout', () => session.set(null)],
    ['another login', () => void signIn(makeUser())],
  ])('a refresh answered after %s does not bring the old session back', async (_name, change) => {
    let answer!: (r: Response) => void;
    mockFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    const before = session.get()!;
    const refreshing = refresh();
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    change();
    const after = session.get();
    answer(json(200, { access_token: 'new', refresh_token: 'r2', token_type: 'bearer', expires_in: 900, user: before.user }));
    expect(await refreshing).toBe(false);
    expect(session.get()).toBe(after);
  });

  it('flags the session when the refresh token is refused, and keeps the items', async () => {
    await enqueue(userId, 'work_log', logData());
    mockFetch((url) => json(401, { title: 'Unauthorized', status: 401, detail: url }));
    await expect(pushOnce(userId)).rejects.toMatchObject({ status: 401 });
    expect(session.get()?.needs_login).toBe(true);
    expect(session.get()?.user.id).toBe(userId);
    expect((await only()).status).toBe('pending');
  });
});

describe('problem details', () => {
  it('are parsed into status, title, detail and field errors', async () => {
    mockFetch(() =>
      json(422, {
        type: 'about:blank',
        title: '请求无效',
        status: 422,
        detail: '日志内容不能为空',
        errors: [{ field: 'text', message: '必填' }],
      }),
    );
    const err = (await api('/x').catch((e) => e)) as ApiError;
    expect(err).toMatchObject({ status: 422, title: '请求无效', detail: '日志内容不能为空' });
    expect(err.errors).toEqual([{ field: 'text', message: '必填' }]);
    expect(err.display).toBe('日志内容不能为空');
  });

  it('send Accept-Language for the UI language', async () => {
    const calls = mockFetch(() => json(200, {}));
    await api('/x');
    expect(calls[0].headers['Accept-Language']).toBe('zh-CN');
  });
});

describe('backoff', () => {
  it('starts at 5 s, doubles, caps at 5 min, jittered within half', () => {
    expect(backoffDelay(0, () => 1)).toBe(5000);
    expect(backoffDelay(0, () => 0)).toBe(2500);
    expect(backoffDelay(3, () => 1)).toBe(40_000);
    expect(backoffDelay(20, () => 1)).toBe(300_000);
    expect(backoffDelay(20, () => 0)).toBe(150_000);
  });
});

describe('getItem', () => {
  it('finds an item by id', async () => {
    const item = await enqueue(userId, 'work_log', logData());
    expect((await getItem(userId, item.id))?.id).toBe(item.id);
  });
});
