import { ApiError, api } from '../api';
import { PUSH_OWNER_KEY } from '../auth';

/**
 * Web Push, the doorbell. Every notice reaches the phone through sync pull; a push only makes
 * it come sooner (and FCM, Chrome's push service, is not reachable in mainland China at all).
 *
 * Nothing here runs on its own: permission is asked only from `enablePush`, which the
 * settings screen calls when the user taps the button. Loaded lazily (settings, login, logout).
 */

/**
 * - `unsupported`: this browser has no Web Push (or no service worker);
 * - `unconfigured`: the server has no VAPID keys;
 * - `blocked`: the user (or the browser) denied notifications for this site;
 * - `off` / `on`: this browser is / is not subscribed for the logged-in user.
 */
export type PushState = 'unsupported' | 'unconfigured' | 'blocked' | 'off' | 'on';

export const KEY_PATH = '/notify/push/key';
export const SUBSCRIPTIONS_PATH = '/notify/push/subscriptions';

interface Owner {
  user: string;
  endpoint: string;
}

/** Thrown when the service worker is not there to subscribe with (dev server, first install). */
export class NoWorkerError extends Error {
  constructor() {
    super('no service worker');
    this.name = 'NoWorkerError';
  }
}

export function pushSupported(): boolean {
  const g = globalThis as Record<string, unknown>;
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in g && 'Notification' in g;
}

export function readOwner(): Owner | null {
  try {
    const raw = localStorage.getItem(PUSH_OWNER_KEY);
    const o = raw ? (JSON.parse(raw) as Partial<Owner>) : null;
    return o && typeof o.user === 'string' && typeof o.endpoint === 'string' ? { user: o.user, endpoint: o.endpoint } : null;
  } catch {
    return null;
  }
}

function writeOwner(owner: Owner | null): void {
  try {
    if (owner) localStorage.setItem(PUSH_OWNER_KEY, JSON.stringify(owner));
    else localStorage.removeItem(PUSH_OWNER_KEY);
  } catch {
    /* private mode: the state is re-read from the browser's subscription */
  }
}

/** The VAPID key as `pushManager.subscribe` wants it (base64url, padding optional). */
export function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.trim().replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function currentSubscription(): Promise<PushSubscription | null> {
  try {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg ? await reg.pushManager.getSubscription() : null;
  } catch {
    return null;
  }
}

/** The active registration; waits a little for a service worker still installing. */
async function readyRegistration(waitMs = 10_000): Promise<ServiceWorkerRegistration> {
  const reg = await navigator.serviceWorker.getRegistration();
  if (reg?.active) return reg;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  const ready = await Promise.race([navigator.serviceWorker.ready, late]).finally(() => clearTimeout(timer));
  if (!ready) throw new NoWorkerError();
  return ready;
}

/** The server's application server key, or null when the server has push turned off. */
export async function serverKey(): Promise<string | null> {
  try {
    return (await api<{ public_key: string }>(KEY_PATH, { timeoutMs: 10_000 })).public_key;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'push_not_configured') return null;
    throw err;
  }
}

/** What this browser alone says (no network). */
export async function localPushState(userId: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  const owner = readOwner();
  // Subscribed by someone else on this phone (shared phone): off for this user.
  if (!owner || owner.user !== userId || Notification.permission !== 'granted') return 'off';
  const sub = await currentSubscription();
  return sub && sub.endpoint === owner.endpoint ? 'on' : 'off';
}

/** The state to show: the browser's, unless the server says push is not configured. */
export async function pushState(userId: string): Promise<PushState> {
  const local = await localPushState(userId);
  if (local === 'unsupported') return local;
  let key: string | null;
  try {
    key = await serverKey();
  } catch {
    return local; // offline or server trouble: the browser's word stands
  }
  if (key === null) return 'unconfigured';
  if (local === 'on') {
    // Subscribed with a key the server no longer has (its keys were changed): nothing can
    // reach this browser until it subscribes again, which “开启提醒” does.
    const held = (await currentSubscription())?.options?.applicationServerKey;
    if (held && !sameBytes(new Uint8Array(held), keyBytes(key))) return 'off';
  }
  return local;
}

/**
 * The tap on “开启提醒”: key, permission, subscription, registration with the server. Throws
 * ApiError (offline, server), NoWorkerError, or the browser's error (push service unreachable).
 */
export async function enablePush(userId: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const key = await serverKey();
  if (key === null) return 'unconfigured';
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return 'blocked';
  if (permission !== 'granted') return 'off'; // the prompt was dismissed
  const reg = await readyRegistration();
  const applicationServerKey = keyBytes(key);
  const old = await reg.pushManager.getSubscription();
  const oldKey = old?.options?.applicationServerKey;
  // Made with another server key (the server's keys were changed): the browser refuses a
  // second subscription until the old one is gone.
  if (old && oldKey && !sameBytes(new Uint8Array(oldKey), applicationServerKey)) await old.unsubscribe();
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  // On failure the subscription stays in the browser and is simply sent again next time.
  await api(SUBSCRIPTIONS_PATH, { method: 'POST', json: sub.toJSON(), user: userId });
  writeOwner({ user: userId, endpoint: sub.endpoint });
  return 'on';
}

/** Best effort: a push service answers 410 for an unsubscribed endpoint and the server drops it. */
async function deleteOnServer(endpoint: string, opts: { user?: string; token?: string }): Promise<void> {
  try {
    await api(SUBSCRIPTIONS_PATH, {
      method: 'DELETE',
      json: { endpoint },
      timeoutMs: 5000,
      ...(opts.token ? { auth: false, headers: { Authorization: `Bearer ${opts.token}` } } : { user: opts.user }),
    });
  } catch {
    /* offline, expired, or already gone (404) */
  }
}

/** Stop the browser's subscription, then tell the server (“关闭提醒”). */
async function unsubscribeAll(userId: string, token?: string): Promise<void> {
  const owner = readOwner();
  writeOwner(null);
  const sub = await currentSubscription();
  if (sub) {
    try {
      await sub.unsubscribe();
    } catch {
      /* nothing more the page can do */
    }
  }
  // Only the owner may delete it on the server; anyone else's is answered 404 anyway.
  const endpoint = owner?.user === userId ? owner.endpoint : sub?.endpoint;
  if (endpoint) await deleteOnServer(endpoint, { user: token ? undefined : userId, token });
}

export async function disablePush(userId: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  await unsubscribeAll(userId);
  return localPushState(userId);
}

/**
 * Logging out: the next user of a shared phone must not get this one's doorbell. Called with
 * the session being ended (its token still sends the DELETE) before the server forgets it.
 */
export async function pushOnLogout(userId: string, accessToken: string): Promise<void> {
  if (!pushSupported()) {
    writeOwner(null);
    return;
  }
  await unsubscribeAll(userId, accessToken);
}

/** Someone else logged in without the previous user logging out: drop that user's doorbell. */
export async function pushOnLogin(userId: string): Promise<void> {
  const owner = readOwner();
  if (!owner || owner.user === userId) return;
  writeOwner(null);
  if (!pushSupported()) return;
  const sub = await currentSubscription();
  if (sub) {
    try {
      await sub.unsubscribe();
    } catch {
      /* nothing more the page can do */
    }
  }
}
