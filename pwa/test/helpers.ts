import { vi } from 'vitest';
import { session, type Session, type User } from '../src/auth';
import { uuidv7 } from '../src/uuid';

export type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Replace fetch with `handler`, recording every call (JSON bodies parsed). */
export function mockFetch(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    let body: unknown = init.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep the string */
      }
    }
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
      body,
    });
    return handler(url, init);
  });
  return calls;
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
}

export function makeUser(id = uuidv7()): User {
  return {
    id,
    name: '张三',
    phone: '13800000000',
    roles: ['cadre'],
    postings: [
      {
        id: uuidv7(),
        village_code: '522324003001',
        village_name: '三宝村',
        township_code: '522324003',
        township_name: '三宝街道',
        county_code: '522324',
        position: 'first_secretary',
        start_date: '2025-01-01',
        end_date: null,
      },
    ],
    scope: { admin_counties: [], finance_counties: [], own_villages: [], review_townships: [] },
  };
}

export function signIn(user: User = makeUser()): Session {
  const s: Session = { access_token: `a-${user.id}`, refresh_token: `r-${user.id}`, expires_at: Date.now() + 3600_000, user };
  session.set(s);
  return s;
}

export function logData(text = '走访了五户') {
  return {
    village_code: '522324003001',
    date: '2026-11-24',
    kind: 'visit',
    text,
    household_ids: [],
    location: null,
    evidence: [],
  };
}
