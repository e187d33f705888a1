import { ApiError, api, configureAuth, type Schema } from './api';
import { createStore } from './store';

type UserOut = Schema<'UserOut'>;
export type Role = UserOut['roles'][number];

/** A posting as the session keeps it (what the login answered). */
export type Posting = Pick<Schema<'PostingOut'>, 'id' | 'village_code' | 'village_name' | 'township_code' | 'township_name' | 'county_code' | 'start_date' | 'end_date'> &
  Partial<Pick<Schema<'PostingOut'>, 'position'>>;

/** The signed-in user as the session keeps it (what the login answered). */
export type User = Pick<UserOut, 'id' | 'name' | 'phone' | 'roles'> & { postings: Posting[]; scope?: UserOut['scope'] };

/** The login answer, as the server sends it for login and refresh. */
export type TokenAnswer = Schema<'TokenOut'>;

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  user: User;
  /** The server refused our refresh token: sending waits for a new login, queueing goes on. */
  needs_login?: boolean;
  /** Logged in with a temporary password that must be changed first. */
  must_change_password?: boolean;
}

const KEY = 'zhucun.session';

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const session = createStore<Session | null>(load());

function save(next: Session | null): void {
  try {
    if (next) localStorage.setItem(KEY, JSON.stringify(next));
    else localStorage.removeItem(KEY);
  } catch {
    /* quota or private mode: the session lives for this page only */
  }
  session.set(next);
}

function fromAnswer(a: TokenAnswer): Session {
  return {
    access_token: a.access_token,
    refresh_token: a.refresh_token,
    expires_at: Date.now() + a.expires_in * 1000,
    user: a.user,
    must_change_password: a.must_change_password === true,
  };
}

/** Change one's password (a temporary one too); this session stays, other devices end. */
export async function changePassword(current: string, next: string): Promise<void> {
  await api<void>('/accounts/password', {
    method: 'POST',
    json: { current_password: current, new_password: next },
  });
  const s = session.get();
  if (s) save({ ...s, must_change_password: false });
}

export function currentUser(): User | null {
  return session.get()?.user ?? null;
}

export async function login(phone: string, password: string): Promise<User> {
  const answer = await api<TokenAnswer>('/auth/login', {
    method: 'POST',
    json: { phone, password },
    auth: false,
  });
  save(fromAnswer(answer));
  // Someone else's doorbell left on this phone (they did not log out): not for this user.
  if (hasPushOwner()) void import('./notify/push').then((m) => m.pushOnLogin(answer.user.id)).catch(() => undefined);
  return answer.user;
}

/** Which user this browser's push subscription belongs to (see push.ts). */
export const PUSH_OWNER_KEY = 'zhucun.push';

/** Whether push was turned on in this browser (read without loading the push module). */
function hasPushOwner(): boolean {
  try {
    return localStorage.getItem(PUSH_OWNER_KEY) !== null;
  } catch {
    return false;
  }
}

let refreshing: Promise<boolean> | null = null;

/**
 * Trade the refresh token for a new access token. Unreachable server: throws and keeps the
 * session as it is (an offline phone is never logged out). Refused: flags the session.
 */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const current = session.get();
    if (!current || current.needs_login) return false;
    // Logged out, or someone else logged in, while the refresh was under way: its answer is
    // about a session that no longer exists and must not bring it back.
    const superseded = () => session.get()?.refresh_token !== current.refresh_token;
    try {
      const answer = await api<TokenAnswer>('/auth/refresh', {
        method: 'POST',
        json: { refresh_token: current.refresh_token },
        auth: false,
      });
      if (superseded()) return false;
      save(fromAnswer(answer));
      return true;
    } catch (err) {
      if (err instanceof ApiError && !err.transient) {
        if (!superseded()) save({ ...current, needs_login: true });
        return false;
      }
      throw err;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

configureAuth({
  accessToken: () => {
    const s = session.get();
    return s && !s.needs_login ? s.access_token : null;
  },
  userId: () => session.get()?.user.id ?? null,
  refresh,
});

/** Refresh the user's roles and postings when the server is reachable; keep the cached copy otherwise. */
export async function refreshMe(): Promise<void> {
  const s = session.get();
  if (!s || s.needs_login) return;
  try {
    const user = await api<User>('/auth/me');
    const now = session.get();
    if (now && now.user.id === user.id) save({ ...now, user });
  } catch {
    /* offline or refused: the cached user stands */
  }
}

/** End the session on this phone. Unsent work stays in the user's own database. */
export async function logout(): Promise<void> {
  const s = session.get();
  save(null);
  if (!s) return;
  // First, while the access token is surely good: the next user of a shared phone must not
  // get this user's doorbell (unsubscribed in the browser, and on the server if reachable).
  if (hasPushOwner()) {
    await import('./notify/push').then((m) => m.pushOnLogout(s.user.id, s.access_token)).catch(() => undefined);
  }
  try {
    await api('/auth/logout', {
      method: 'POST',
      json: { refresh_token: s.refresh_token },
      headers: { Authorization: `Bearer ${s.access_token}` },
      auth: false,
      timeoutMs: 5000,
    });
  } catch {
    /* offline: the refresh token simply expires on the server */
  }
}

/** Ask the browser not to evict our IndexedDB; called after login. */
export async function requestPersistence(): Promise<boolean> {
  try {
    if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

/** Postings valid on a local date (end_date inclusive, open-ended when null). */
export function activePostings(user: User, date: string): Posting[] {
  return user.postings.filter((p) => p.start_date <= date && (!p.end_date || date <= p.end_date));
}
