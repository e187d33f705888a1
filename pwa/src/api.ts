import type { components } from './api.gen';
import { acceptLanguage, t } from './i18n';

/**
 * A schema of the server's OpenAPI document, generated into `api.gen.ts` (`make api-types`):
 * `Schema<'ClaimOut'>`. What crosses the wire is typed from the server, not written twice.
 */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

/**
 * A schema as a request may send it: the fields named have a default on the server, which fills
 * them in when absent (the generated types mark them present, as every answer has them).
 */
export type Sent<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** One field-level error from a problem-details answer. */
export interface FieldError {
  field: string;
  message: string;
  /** Where an import found it: the file's sheet and row (an XLSForm's `field` is its column). */
  sheet?: string;
  row?: number;
  /** The column as the imported file's header wrote it. */
  column?: string;
}

/** Every failed call ends here: an HTTP problem (status > 0) or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly type: string;
  /** The server's machine-readable code (`conflict`, `own_record`, `county_decides`, …). */
  readonly code: string;
  readonly timeout: boolean;

  constructor(init: {
    status: number;
    title: string;
    detail?: string;
    errors?: FieldError[];
    type?: string;
    code?: string;
    timeout?: boolean;
  }) {
    super(init.detail || init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail ?? '';
    this.errors = init.errors ?? [];
    this.type = init.type ?? 'about:blank';
    this.code = init.code ?? '';
    this.timeout = init.timeout ?? false;
  }

  /** No answer reached us: offline, DNS, reset, timeout. */
  get network(): boolean {
    return this.status === 0;
  }

  /** Worth retrying later unchanged: nothing was decided by the server. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }

  /** What to show a person: the server's localised detail, or our own words. */
  get display(): string {
    if (this.timeout) return t('error.timeout');
    if (this.status === 0) return t('error.network');
    return this.detail || this.title || t('error.server', { status: this.status });
  }
}

/** What to show for a failed call: the problem in the reader's language, or the error itself. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.display : String(err);
}

export interface AuthHooks {
  accessToken(): string | null;
  /** The user that token belongs to. */
  userId(): string | null;
  /** Get a new access token; false when the server refused the refresh token. Throws ApiError when unreachable. */
  refresh(): Promise<boolean>;
}

let hooks: AuthHooks = { accessToken: () => null, userId: () => null, refresh: async () => false };

export function configureAuth(next: AuthHooks): void {
  hooks = next;
}

export const API_BASE = '/api';
/** The `type` of the error thrown instead of sending a call meant for a user no longer logged in. */
export const SESSION_CHANGED = 'zhucun:session-changed';
export const DEFAULT_TIMEOUT_MS = 20_000;

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Send the bearer token and refresh once on 401 (default true). */
  auth?: boolean;
  /**
   * Send only while this user is the one logged in. A call made for one user's data (their
   * outbox, photos, pull) must never go out with the token of someone who logged in since.
   */
  user?: string;
}

function toFieldErrors(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((e: Record<string, unknown>) => ({
    field: String(e.field ?? e.key ?? e.loc ?? ''),
    message: String(e.message ?? e.msg ?? ''),
    ...(typeof e.sheet === 'string' ? { sheet: e.sheet } : {}),
    ...(typeof e.row === 'number' ? { row: e.row } : {}),
    ...(typeof e.column === 'string' ? { column: e.column } : {}),
  }));
}

/** Turn a non-2xx response into an ApiError, reading problem details when present. */
export async function problemFrom(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const text = await res.text();
    if (text) body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError({
    status: res.status,
    title: typeof body.title === 'string' ? body.title : res.statusText || `HTTP ${res.status}`,
    detail: typeof body.detail === 'string' ? body.detail : '',
    errors: toFieldErrors(body.errors ?? body.extra),
    type: typeof body.type === 'string' ? body.type : undefined,
    code: typeof body.code === 'string' ? body.code : undefined,
  });
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': acceptLanguage(),
    ...opts.headers,
  };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (opts.user !== undefined && hooks.userId() !== opts.user) {
    // Nothing is sent, so nothing is decided: the caller keeps its data for that user's next turn.
    throw new ApiError({ status: 0, title: 'session changed', type: SESSION_CHANGED });
  }
  const token = opts.auth === false ? null : hooks.accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;

  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    return await fetch(API_BASE + path, { method: opts.method ?? 'GET', headers, body, signal: ctrl.signal });
  } catch {
    throw new ApiError({ status: 0, title: timedOut ? 'timeout' : 'network', timeout: timedOut });
  } finally {
    clearTimeout(timer);
  }
}

/** Fetch under /api; on 401 refresh the session once and retry. Resolves only for 2xx. */
export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  let res = await send(path, opts);
  if (res.status === 401 && opts.auth !== false) {
    if (await hooks.refresh()) res = await send(path, opts);
  }
  if (!res.ok) throw await problemFrom(res);
  return res;
}

/** Like `request`, parsing a JSON answer (undefined for an empty body). */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Fetch a file under /api with the bearer token (downloads, printable pages, thumbnails):
 * a plain link would go out without it.
 */
export async function fetchBlob(path: string, opts: RequestOptions = {}): Promise<Blob> {
  const res = await request(path, { ...opts, headers: { Accept: '*/*', ...opts.headers } });
  return res.blob();
}
