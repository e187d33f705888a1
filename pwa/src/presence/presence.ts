import { ApiError, api, type Schema } from '../api';
import { activePostings, type User } from '../auth';
import { getMeta, recordsOfKind, setMeta } from '../db';
import { workLogs } from './logs';
import { UNSENT, discard, enqueue, listOutbox, saveEdit, type OutboxItem, type OutboxStatus } from '../outbox';
import { monthDays } from '../time';

/**
 * 驻村天数. The server drafts each month from the logs and approved leave and keeps the sheet
 * (驻村天数报告单); the phone shows that when it can reach the server, its last copy or a draft
 * of its own when it cannot, and lays the cadre's unsent statements on top either way.
 */
export const PRESENCE_DAY = 'presence_day';
export const PRESENCE_SHEET = 'presence_sheet';
export const LEAVE = 'leave_request';

export const DAY_STATUSES = ['in_village', 'official_business', 'leave', 'away'] as const;
export type DayStatus = (typeof DAY_STATUSES)[number];
export type DaySource = Schema<'DayOut'>['source'];
export type SheetState = Schema<'MonthOut'>['state'];

/** Statuses that count as village days (in the village, or on official business outside). */
export const VILLAGE_STATUSES: readonly DayStatus[] = ['in_village', 'official_business'];
export const DEFAULT_MIN_DAYS = 20;

export interface MonthDay {
  date: string;
  status: DayStatus | null;
  source: DaySource;
  logs: number;
  note: string;
  /** The cadre's statement of this day still waiting in the outbox (or refused there). */
  local?: OutboxStatus;
}

export interface MonthView {
  month: string;
  village_code: string;
  state: SheetState;
  version: number;
  return_reason: string | null;
  days: MonthDay[];
  village_days: number;
  leave_days: number;
  away_days: number;
  minimum_days: number;
  /** Where this came from: the server just now, its last copy on the phone, or drafted here. */
  origin: 'server' | 'cache' | 'local';
}

/** The `data` of a `presence_day` record, as on the wire. */
export interface PresenceDayData {
  village_code: string;
  date: string;
  status: DayStatus;
  note: string;
}

export const isFrozen = (state: SheetState): boolean => state === 'submitted' || state === 'confirmed';

export function countDays(days: MonthDay[]): Pick<MonthView, 'village_days' | 'leave_days' | 'away_days'> {
  let village = 0;
  let leave = 0;
  let away = 0;
  for (const d of days) {
    if (d.status && VILLAGE_STATUSES.includes(d.status)) village++;
    else if (d.status === 'leave') leave++;
    else if (d.status === 'away') away++;
  }
  return { village_days: village, leave_days: leave, away_days: away };
}

/** The server's drafting rule, for a month drafted on the phone: stated, else leave, else logs. */
export function draftDays(
  ym: string,
  stated: Map<string, { status: DayStatus; note: string }>,
  logs: Map<string, number>,
  leave: Set<string>,
): MonthDay[] {
  return monthDays(ym).days.map((date) => {
    const n = logs.get(date) ?? 0;
    const s = stated.get(date);
    if (s) return { date, status: s.status, source: 'stated', logs: n, note: s.note };
    if (leave.has(date)) return { date, status: 'leave', source: 'drafted', logs: n, note: '' };
    if (n) return { date, status: 'in_village', source: 'drafted', logs: n, note: '' };
    return { date, status: null, source: 'none', logs: 0, note: '' };
  });
}

/**
 * Lay what the server does not have yet over a month: the cadre's statements, and logs not
 * yet sent (a day with a new log is drafted in the village). A frozen month stays as it is.
 */
export function overlay(
  view: MonthView,
  statements: { data: PresenceDayData; status: OutboxStatus }[],
  newLogs: Map<string, number> = new Map(),
): MonthView {
  if (isFrozen(view.state)) return view;
  const byDate = new Map(statements.map((s) => [s.data.date, s]));
  const days = view.days.map((d): MonthDay => {
    const logs = d.logs + (newLogs.get(d.date) ?? 0);
    const s = byDate.get(d.date);
    if (s) {
      const local = UNSENT.includes(s.status) ? s.status : undefined;
      return { ...d, status: s.data.status, note: s.data.note ?? '', source: 'stated', logs, local };
    }
    if (!d.status && logs) return { ...d, status: 'in_village', source: 'drafted', logs };
    return { ...d, logs };
  });
  return { ...view, days, ...countDays(days) };
}

function monthOf(user: User, ym: string): string {
  const end = monthDays(ym).days.at(-1)!;
  const posting = activePostings(user, end)[0] ?? activePostings(user, `${ym}-01`)[0] ?? user.postings[0];
  return posting?.village_code ?? '';
}

/** Reviewers and admins also pull other cadres' records: the server marks each with its
 * cadre; records made on this phone (not yet sent) are the user's own. */
export const isMine = (userId: string, data: { cadre_id?: string }): boolean =>
  !data.cadre_id || data.cadre_id === userId;

type ServerMonth = Schema<'MonthOut'>;

function fromServer(m: ServerMonth, origin: MonthView['origin']): MonthView {
  return {
    month: m.month,
    village_code: m.village_code,
    state: m.state,
    version: m.version,
    return_reason: m.return_reason,
    days: m.days.map((d) => ({ date: d.date, status: d.status, source: d.source, logs: d.logs, note: d.note ?? '' })),
    village_days: m.village_days,
    leave_days: m.leave_days,
    away_days: m.away_days,
    minimum_days: m.minimum_days,
    origin,
  };
}

const cacheKey = (ym: string) => `presence:${ym}`;

/** The month drafted on the phone from what it holds (pulled and unsent records). */
async function localMonth(user: User, ym: string): Promise<MonthView> {
  const stated = new Map<string, { status: DayStatus; note: string }>();
  const leave = new Set<string>();
  for (const r of await recordsOfKind(user.id, PRESENCE_DAY)) {
    const d = r.data as unknown as PresenceDayData & { cadre_id?: string };
    if (isMine(user.id, d) && d.date?.startsWith(ym)) stated.set(d.date, { status: d.status, note: d.note ?? '' });
  }
  for (const r of await recordsOfKind(user.id, LEAVE)) {
    const d = r.data as { start_date?: string; end_date?: string; state?: string; cadre_id?: string };
    if (!isMine(user.id, d) || d.state !== 'approved' || !d.start_date || !d.end_date) continue;
    for (const day of monthDays(ym).days) if (d.start_date <= day && day <= d.end_date) leave.add(day);
  }
  const logs = new Map<string, number>();
  for (const log of await workLogs(user.id, (d) => d.date?.startsWith(ym))) {
    logs.set(log.data.date, (logs.get(log.data.date) ?? 0) + 1);
  }
  const days = draftDays(ym, stated, logs, leave);
  return {
    month: ym,
    village_code: monthOf(user, ym),
    state: 'draft',
    version: 0,
    return_reason: null,
    days,
    ...countDays(days),
    minimum_days: DEFAULT_MIN_DAYS,
    origin: 'local',
  };
}

interface SheetData {
  month: string;
  state: SheetState;
  days: MonthDay[];
  return_reason: string | null;
  village_days: number;
  leave_days: number;
  away_days: number;
}

/** The month without the server: its last copy, else drafted here; a newer pulled sheet wins. */
async function offlineMonth(user: User, ym: string): Promise<MonthView> {
  const cached = await getMeta<MonthView>(user.id, cacheKey(ym));
  let view = cached ? { ...cached, origin: 'cache' as const } : await localMonth(user, ym);
  const sheet = (await recordsOfKind(user.id, PRESENCE_SHEET)).find((r) => {
    const d = r.data as unknown as SheetData & { cadre_id?: string };
    return d.month === ym && isMine(user.id, d);
  });
  if (sheet && Number(sheet.version) > view.version) {
    const s = sheet.data as unknown as SheetData;
    view = { ...view, state: s.state, version: Number(sheet.version), return_reason: s.return_reason ?? null };
    if (isFrozen(s.state) && Array.isArray(s.days) && s.days.length) {
      view = { ...view, days: s.days.map((d) => ({ ...d, note: d.note ?? '' })), ...countDays(s.days) };
    }
  }
  return view;
}

/** Statements of the month in the outbox, and logs not yet on the server, to lay on top. */
async function unsent(userId: string, ym: string, withLogs: boolean) {
  const items = await listOutbox(userId);
  const statements = items
    .filter((i) => i.kind === PRESENCE_DAY && String(i.data.date ?? '').startsWith(ym))
    .map((i) => ({ data: i.data as unknown as PresenceDayData, status: i.status }));
  const newLogs = new Map<string, number>();
  if (withLogs) {
    for (const i of items) {
      const date = String(i.data.date ?? '');
      if (i.kind === 'work_log' && i.base_version === null && UNSENT.includes(i.status) && date.startsWith(ym)) {
        newLogs.set(date, (newLogs.get(date) ?? 0) + 1);
      }
    }
  }
  return { statements, newLogs };
}

/** What the phone can show right away, without the network. */
export async function loadMonth(user: User, ym: string): Promise<MonthView> {
  const view = await offlineMonth(user, ym);
  const { statements, newLogs } = await unsent(user.id, ym, view.origin !== 'local');
  return overlay(view, statements, newLogs);
}

/**
 * Whether an answer about a month may replace the view held: answers can come back out of
 * order (a read sent before a submit may be answered after it, with the month as it stood
 * before), and every change of the sheet's state raises its version, so an answer of a lower
 * version is older than the view and is dropped.
 */
export const supersedes = (held: Pick<MonthView, 'version'> | null | undefined, answer: Pick<MonthView, 'version'>): boolean =>
  !held || answer.version >= held.version;

/** Keeps the server's month for offline use, unless a newer one is kept already. */
async function keep(user: User, ym: string, view: MonthView): Promise<void> {
  if (supersedes(await getMeta<MonthView>(user.id, cacheKey(ym)), view)) {
    await setMeta(user.id, cacheKey(ym), { ...view, origin: 'cache' });
  }
}

/** The server's month (drafted there from logs and approved leave), kept for offline use. */
export async function fetchMonth(user: User, ym: string): Promise<MonthView> {
  const m = await api<ServerMonth>(`/fieldwork/presence/${encodeURIComponent(user.id)}/${ym}`, { user: user.id });
  const view = fromServer(m, 'server');
  await keep(user, ym, view);
  const { statements, newLogs } = await unsent(user.id, ym, true);
  return overlay(view, statements, newLogs);
}

/**
 * State one day. There is one record per date: an earlier statement of the date (pulled or
 * still in the outbox) is edited, with its id and the version it was made on.
 */
export async function stateDay(
  user: User,
  village: string,
  date: string,
  status: DayStatus,
  note: string,
): Promise<OutboxItem> {
  const data: PresenceDayData = { village_code: village, date, status, note: note.trim() };
  const record = (await recordsOfKind(user.id, PRESENCE_DAY)).find((r) => {
    const d = r.data as unknown as PresenceDayData & { cadre_id?: string };
    return d.date === date && isMine(user.id, d);
  });
  const items = (await listOutbox(user.id)).filter((i) => i.kind === PRESENCE_DAY && i.data.date === date);
  // A statement made here that the server refused because the date was already held (made on
  // another phone, now pulled) gives way to that record.
  let kept = items;
  if (record) {
    const stale = items.filter((i) => i.id !== record.id && i.status !== 'sending' && i.base_version === null);
    for (const i of stale) await discard(user.id, i.id);
    kept = items.filter((i) => !stale.includes(i));
  }
  const id = record?.id ?? kept[0]?.id;
  const payload = data as unknown as Record<string, unknown>;
  return id ? saveEdit(user.id, PRESENCE_DAY, id, payload) : enqueue(user.id, PRESENCE_DAY, payload);
}

/** Unsent records that change the month: it waits for them before it is submitted. */
export async function unsentForMonth(userId: string, ym: string): Promise<number> {
  return (await listOutbox(userId)).filter(
    (i) =>
      (i.kind === PRESENCE_DAY || i.kind === 'work_log') &&
      String(i.data.date ?? '').startsWith(ym) &&
      UNSENT.includes(i.status),
  ).length;
}

/** Submit the month (online only); the server freezes its days for the township. */
export async function submitMonth(user: User, ym: string): Promise<MonthView> {
  const m = await api<ServerMonth>('/fieldwork/presence/submit', { method: 'POST', json: { month: ym }, user: user.id });
  const view = fromServer(m, 'server');
  await keep(user, ym, view);
  return view;
}

/** 评优资格: eligible or not, with every reason (the server writes each as "中文 / English"). */
export type Eligibility = Schema<'EligibilityOut'>;

export function reasonIn(reason: string, lang: string): string {
  const [zh, en] = reason.split(' / ');
  return lang === 'en' && en ? en : zh;
}

export async function cachedEligibility(userId: string, year: number): Promise<Eligibility | undefined> {
  return getMeta<Eligibility>(userId, `eligibility:${year}`);
}

export async function fetchEligibility(userId: string, year: number): Promise<Eligibility | null> {
  try {
    const e = await api<Eligibility>(`/commendation/eligibility/me?year=${year}`, { user: userId });
    const kept = { ...e, year };
    await setMeta(userId, `eligibility:${year}`, kept);
    return kept;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
