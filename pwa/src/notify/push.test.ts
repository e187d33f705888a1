import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PUSH_OWNER_KEY, login, logout, session } from '../auth';
import { setLang } from '../i18n';
import {
  disablePush,
  enablePush,
  keyBytes,
  localPushState,
  pushOnLogin,
  pushState,
  readOwner,
} from './push';
import { NOTIFY_TEXT_CACHE, NOTIFY_TEXT_URL, safeLink } from '../swshared';
import { json, makeUser, mockFetch, signIn, type Call } from '../../test/helpers';

/** 65 bytes of `byte`, base64url without padding (the shape of a VAPID public key). */
const fakeKey = (byte: number) =>
  btoa(String.fromCharCode(...new Array<number>(65).fill(byte))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const KEY = fakeKey(4);
const OTHER_KEY = fakeKey(9);
const ENDPOINT = 'https://fcm.googleapis.com/fcm/send/abc';
const NOT_CONFIGURED = { title: 'Not Found', status: 404, code: 'push_not_configured', detail: '本服务器未开启网页推送' };

interface FakeSub {
  endpoint: string;
  options: { applicationServerKey: ArrayBuffer | null; userVisibleOnly: boolean };
  toJSON(): unknown;
  unsubscribe: ReturnType<typeof vi.fn>;
}

/** A browser with Web Push: Notification, a registration, its pushManager. */
function browser(opts: { permission?: NotificationPermission; answer?: NotificationPermission; subscribeFails?: Error } = {}) {
  let current: FakeSub | null = null;
  const makeSub = (key: Uint8Array, endpoint = ENDPOINT): FakeSub => {
    const sub: FakeSub = {
      endpoint,
      options: { applicationServerKey: key.slice().buffer, userVisibleOnly: true },
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: 'p256dh-key', auth: 'auth-secret' } }),
      unsubscribe: vi.fn(async () => {
        if (current === sub) current = null;
        return true;
      }),
    };
    return sub;
  };
  const pushManager = {
    getSubscription: vi.fn(async () => current),
    subscribe: vi.fn(async (o: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
      if (opts.subscribeFails) throw opts.subscribeFails;
      if (current) {
        const held = new Uint8Array(current.options.applicationServerKey!);
        if (held.join() !== o.applicationServerKey.join()) throw new DOMException('different key', 'InvalidStateError');
        return current;
      }
      current = makeSub(o.applicationServerKey);
      return current;
    }),
  };
  const registration = { active: {}, pushManager };
  const notification = {
    permission: opts.permission ?? ('default' as NotificationPermission),
    requestPermission: vi.fn(async () => {
      notification.permission = opts.answer ?? 'granted';
      return notification.permission;
    }),
  };
  vi.stubGlobal('PushManager', class {});
  vi.stubGlobal('Notification', notification);
  vi.stubGlobal('navigator', {
    serviceWorker: { getRegistration: vi.fn(async () => registration), ready: Promise.resolve(registration) },
  });
  return {
    notification,
    pushManager,
    /** A subscription the browser already holds (made earlier, maybe with another key). */
    hold(key = KEY, endpoint = ENDPOINT) {
      current = makeSub(keyBytes(key), endpoint);
      return current;
    },
    current: () => current,
  };
}

/** A server with push configured (or not) that accepts subscriptions. */
function server(configured = true) {
  return mockFetch((url, init) => {
    if (url === '/api/notify/push/key') return configured ? json(200, { public_key: KEY }) : json(404, NOT_CONFIGURED);
    if (url === '/api/notify/push/subscriptions' && init.method === 'POST') return json(201, { id: 's1', endpoint: ENDPOINT });
    if (url === '/api/notify/push/subscriptions' && init.method === 'DELETE') return new Response(null, { status: 204 });
    if (url === '/api/auth/logout') return new Response(null, { status: 204 });
    return json(404, { title: 'Not Found', status: 404 });
  });
}

const pushCalls = (calls: Call[]) => calls.filter((c) => c.url.startsWith('/api/notify/push'));

let userId: string;

beforeEach(() => {
  localStorage.clear();
  userId = signIn(makeUser()).user.id;
});

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
  localStorage.clear();
});

describe('push state', () => {
  it('is unsupported without PushManager or Notification, and asks nothing of the server', async () => {
    vi.stubGlobal('navigator', { serviceWorker: {} });
    const calls = server();
    expect(await pushState(userId)).toBe('unsupported');
    expect(await enablePush(userId)).toBe('unsupported');
    expect(calls).toHaveLength(0);
  });

  it('reads as off without ever asking for permission', async () => {
    const b = browser();
    const calls = server();
    expect(await pushState(userId)).toBe('off');
    expect(b.notification.requestPermission).not.toHaveBeenCalled();
    expect(b.pushManager.subscribe).not.toHaveBeenCalled();
    expect(calls.map((c) => c.url)).toEqual(['/api/notify/push/key']);
  });

  it('says unconfigured when the server has no keys, and then asks for no permission', async () => {
    const b = browser();
    const calls = server(false);
    expect(await pushState(userId)).toBe('unconfigured');
    expect(await enablePush(userId)).toBe('unconfigured');
    expect(b.notification.requestPermission).not.toHaveBeenCalled();
    expect(b.pushManager.subscribe).not.toHaveBeenCalled();
    expect(pushCalls(calls).every((c) => c.method === 'GET')).toBe(true);
  });

  it('keeps the browser state when the server cannot be reached', async () => {
    browser({ permission: 'denied' });
    mockFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await pushState(userId)).toBe('blocked');
  });

  it('is blocked when the browser denies notifications', async () => {
    browser({ permission: 'denied' });
    server();
    expect(await pushState(userId)).toBe('blocked');
  });
});

describe('turning push on', () => {
  it('gets the key, asks permission, subscribes with it and registers the subscription', async () => {
    const b = browser();
    const calls = server();
    expect(await enablePush(userId)).toBe('on');
    expect(b.notification.requestPermission).toHaveBeenCalledTimes(1);
    const [options] = b.pushManager.subscribe.mock.calls[0];
    expect(options.userVisibleOnly).toBe(true);
    expect([...options.applicationServerKey]).toEqual(new Array(65).fill(4));
    const post = pushCalls(calls).find((c) => c.method === 'POST')!;
    expect(post.url).toBe('/api/notify/push/subscriptions');
    expect(post.body).toEqual({ endpoint: ENDPOINT, expirationTime: null, keys: { p256dh: 'p256dh-key', auth: 'auth-secret' } });
    expect(post.headers.Authorization).toBe(`Bearer a-${userId}`);
    expect(readOwner()).toEqual({ user: userId, endpoint: ENDPOINT });
    expect(await pushState(userId)).toBe('on');
  });

  it('reads as off once the server has other keys, and turning on again replaces the subscription', async () => {
    const b = browser();
    server();
    await enablePush(userId);
    const first = b.current()!;
    mockFetch((url, init) =>
      url === '/api/notify/push/key'
        ? json(200, { public_key: OTHER_KEY })
        : init.method === 'POST'
          ? json(201, {})
          : json(404, { title: 'Not Found', status: 404 }),
    );
    expect(await pushState(userId)).toBe('off');
    expect(await enablePush(userId)).toBe('on');
    expect(first.unsubscribe).toHaveBeenCalled();
    expect(await pushState(userId)).toBe('on');
  });

  it('stops at a denied or dismissed prompt', async () => {
    const denied = browser({ answer: 'denied' });
    const calls = server();
    expect(await enablePush(userId)).toBe('blocked');
    expect(denied.pushManager.subscribe).not.toHaveBeenCalled();

    const dismissed = browser({ answer: 'default' });
    expect(await enablePush(userId)).toBe('off');
    expect(dismissed.pushManager.subscribe).not.toHaveBeenCalled();
    expect(pushCalls(calls).filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(readOwner()).toBeNull();
  });

  it('replaces a subscription made with another server key', async () => {
    const b = browser({ permission: 'granted' });
    const old = b.hold(OTHER_KEY, 'https://fcm.googleapis.com/fcm/send/old');
    server();
    expect(await enablePush(userId)).toBe('on');
    expect(old.unsubscribe).toHaveBeenCalled();
    expect(b.current()?.endpoint).toBe(ENDPOINT);
  });

  it('is not on when the push service or the server fails', async () => {
    browser({ subscribeFails: new DOMException('Registration failed - push service error', 'AbortError') });
    server();
    await expect(enablePush(userId)).rejects.toThrow('push service error');
    expect(await localPushState(userId)).toBe('off');

    browser();
    mockFetch((url) => (url === '/api/notify/push/key' ? json(200, { public_key: KEY }) : Promise.reject(new TypeError('offline'))));
    await expect(enablePush(userId)).rejects.toMatchObject({ status: 0 });
    expect(readOwner()).toBeNull();
    expect(await localPushState(userId)).toBe('off');
  });
});

describe('turning push off', () => {
  it('unsubscribes in the browser and deletes the subscription on the server', async () => {
    const b = browser();
    const calls = server();
    await enablePush(userId);
    const sub = b.current()!;
    expect(await disablePush(userId)).toBe('off');
    expect(sub.unsubscribe).toHaveBeenCalled();
    const del = pushCalls(calls).find((c) => c.method === 'DELETE')!;
    expect(del.body).toEqual({ endpoint: ENDPOINT });
    expect(readOwner()).toBeNull();
  });

  it('is off in the browser even when the server cannot be told', async () => {
    const b = browser();
    server();
    await enablePush(userId);
    const sub = b.current()!;
    mockFetch(() => Promise.reject(new TypeError('offline')));
    expect(await disablePush(userId)).toBe('off');
    expect(sub.unsubscribe).toHaveBeenCalled();
  });
});

describe('shared phone', () => {
  it('shows off to a second user while the first one is subscribed', async () => {
    const b = browser();
    server();
    await enablePush(userId);
    expect(b.current()).not.toBeNull();
    const second = signIn(makeUser()).user.id;
    expect(await localPushState(second)).toBe('off');
    expect(await pushState(second)).toBe('off');
  });

  it('logging out unsubscribes and deletes on the server with the ending session’s token', async () => {
    const b = browser();
    const calls = server();
    await enablePush(userId);
    const sub = b.current()!;
    await logout();
    expect(sub.unsubscribe).toHaveBeenCalled();
    const urls = calls.map((c) => `${c.method} ${c.url}`);
    const del = urls.indexOf('DELETE /api/notify/push/subscriptions');
    expect(del).toBeGreaterThan(-1);
    expect(del).toBeLessThan(urls.indexOf('POST /api/auth/logout')); // while the token is surely good
    expect(calls[del].headers.Authorization).toBe(`Bearer a-${userId}`);
    expect(calls[del].body).toEqual({ endpoint: ENDPOINT });
    expect(readOwner()).toBeNull();
    expect(localStorage.getItem(PUSH_OWNER_KEY)).toBeNull();
  });

  it('logging out offline still unsubscribes in the browser', async () => {
    const b = browser();
    server();
    await enablePush(userId);
    const sub = b.current()!;
    mockFetch(() => Promise.reject(new TypeError('offline')));
    await logout();
    expect(sub.unsubscribe).toHaveBeenCalled();
    expect(session.get()).toBeNull();
  });

  it('logging out without push touches nothing push-related', async () => {
    const b = browser();
    const calls = server();
    await logout();
    expect(pushCalls(calls)).toHaveLength(0);
    expect(b.pushManager.getSubscription).not.toHaveBeenCalled();
  });

  it('another user logging in drops the previous user’s doorbell', async () => {
    const b = browser();
    server();
    await enablePush(userId);
    const sub = b.current()!;
    await pushOnLogin(userId); // the same user again: kept
    expect(sub.unsubscribe).not.toHaveBeenCalled();
    expect(readOwner()?.user).toBe(userId);

    session.set(null);
    const other = makeUser();
    mockFetch((url) =>
      url === '/api/auth/login'
        ? json(200, { access_token: 'a2', refresh_token: 'r2', token_type: 'bearer', expires_in: 3600, user: other })
        : json(404, { title: 'Not Found', status: 404 }),
    );
    await login(other.phone, 'pw');
    await vi.waitFor(() => expect(sub.unsubscribe).toHaveBeenCalled());
    expect(readOwner()).toBeNull();
  });
});

describe('helpers', () => {
  it('decodes a base64url key with or without padding', () => {
    expect([...keyBytes('AQID')]).toEqual([1, 2, 3]);
    expect([...keyBytes('-_8')]).toEqual([251, 255]);
    expect([...keyBytes('-_8=')]).toEqual([251, 255]);
    expect(keyBytes(KEY)).toHaveLength(65);
  });

  it('follows only hash routes from a push', () => {
    expect(safeLink('#/feedback')).toBe('#/feedback');
    expect(safeLink('#/month/2026-10')).toBe('#/month/2026-10');
    expect(safeLink('https://evil.example/')).toBe('#/inbox');
    expect(safeLink('//evil.example/#/x')).toBe('#/inbox');
    expect(safeLink(undefined)).toBe('#/inbox');
    expect(safeLink(42)).toBe('#/inbox');
  });

  it('leaves the notification text in the chosen language for the service worker', async () => {
    const put = vi.fn(async () => undefined);
    const open = vi.fn(async () => ({ put }));
    vi.stubGlobal('caches', { open });
    setLang('en');
    await vi.waitFor(() => expect(put).toHaveBeenCalledTimes(1));
    expect(open).toHaveBeenCalledWith(NOTIFY_TEXT_CACHE);
    const [url, answer] = put.mock.calls[0] as unknown as [string, Response];
    expect(url).toBe(NOTIFY_TEXT_URL);
    expect(await answer.json()).toEqual({ lang: 'en', title: 'Zhucun: you have a new message', body: 'Tap to open' });
    setLang('zh');
    await vi.waitFor(() => expect(put).toHaveBeenCalledTimes(2));
    expect(await (put.mock.calls[1] as unknown as [string, Response])[1].json()).toMatchObject({ lang: 'zh', title: '驻村：您有新消息' });
  });
});
