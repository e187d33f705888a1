import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api';
import { session } from '../src/auth';
import { recordsOfKind } from '../src/db';
import { byCode, exportPath, fillTrend, niceMax, projectVillages, type UnitRow } from '../src/dashboard/dashboard';
import { myFeedback, writeFeedback } from '../src/feedback/feedback';
import { inLang, inboxRows, markRead, sortInbox, unreadCount, type InboxRow } from '../src/notify/inbox';
import { cancelLeave, deciderLevel, leaveDays, leaveState, myLeave, requestLeave } from '../src/presence/leave';
import { listOutbox } from '../src/outbox';
import { mergeRecords } from '../src/records';
import { bulkConfirm, isClean, type SheetRow } from '../src/review/review';
import { applyChanges, pushOnce } from '../src/sync';
import { json, makeUser, mockFetch, signIn } from './helpers';

let userId: string;

beforeEach(() => {
  userId = signIn(makeUser()).user.id;
});

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

const notice = (id: string, created_at: string, read_at: string | null = null) => ({
  kind: 'inbox',
  id,
  version: 1,
  data: {
    event: 'presence.returned',
    title: { zh: '驻村天数报告单被退回', en: 'Presence returned' },
    body: { zh: '退回原因：缺少记录', en: 'Reason: missing' },
    link: '#/month/2026-10',
    created_at,
    read_at,
  },
});

describe('inbox', () => {
  it('shows the text in the UI language, falling back to the other', () => {
    expect(inLang({ zh: '你好', en: 'Hello' }, 'en')).toBe('Hello');
    expect(inLang({ zh: '你好', en: '' }, 'en')).toBe('你好');
    expect(inLang('纯文本', 'zh')).toBe('纯文本');
    expect(inLang(undefined, 'zh')).toBe('');
  });

  it('lists unread first, each group newest first', () => {
    const row = (id: string, created_at: string, unread: boolean): InboxRow => ({ id, version: 1, data: { created_at }, unread });
    const sorted = sortInbox([
      row('a', '2026-11-01T00:00:00Z', false),
      row('b', '2026-11-03T00:00:00Z', false),
      row('c', '2026-10-01T00:00:00Z', true),
      row('d', '2026-11-02T00:00:00Z', true),
    ]);
    expect(sorted.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('marks read through the outbox on the version held, and keeps the notice whole after the push', async () => {
    await applyChanges(userId, [notice('n1', '2026-11-02T01:00:00Z'), notice('n2', '2026-11-01T01:00:00Z', '2026-11-01T02:00:00Z')], 'c1');
    expect(await unreadCount(userId)).toBe(1);
    const [first] = await inboxRows(userId);
    expect(first.id).toBe('n1');
    await markRead(userId, first);
    expect(await unreadCount(userId)).toBe(0);
    const [item] = await listOutbox(userId);
    expect(item).toMatchObject({ kind: 'inbox', id: 'n1', base_version: 1, data: { read: true } });

    mockFetch(() => json(200, { results: [{ id: 'n1', status: 'applied', version: 2 }] }));
    await pushOnce(userId);
    const kept = (await recordsOfKind(userId, 'inbox')).find((r) => r.id === 'n1')!;
    expect(kept.version).toBe(2);
    expect(kept.data).toMatchObject({ read: true, title: { zh: '驻村天数报告单被退回' }, link: '#/month/2026-10' });
    expect(await unreadCount(userId)).toBe(0);
  });
});

describe('leave', () => {
  it('counts calendar days, both ends included, and routes above 3 days to the county', () => {
    expect(leaveDays('2026-11-30', '2026-12-02')).toBe(3);
    expect(leaveDays('2026-11-03', '2026-11-03')).toBe(1);
    expect(leaveDays('2026-11-03', '2026-11-02')).toBe(0);
    expect(deciderLevel(3)).toBe('township');
    expect(deciderLevel(4)).toBe('county');
  });

  it('requests through the outbox, cancels on the same record, and keeps the server fields', async () => {
    const req = { village_code: '522324003001', start_date: '2026-12-01', end_date: '2026-12-02', reason: ' 家中有事 ' };
    const item = await requestLeave(userId, req);
    expect(item.data.reason).toBe('家中有事');
    let [view] = await myLeave(userId);
    expect(leaveState(view.data)).toBe('pending');
    expect(view.status).toBe('pending');

    mockFetch(() => json(200, { results: [{ id: item.id, status: 'applied', version: 1 }] }));
    await pushOnce(userId);
    await applyChanges(userId, [{ kind: 'leave_request', id: item.id, version: 1, data: { ...req, reason: '家中有事', days: 2, state: 'pending', decider_level: 'township' } }], 'c1');
    [view] = await myLeave(userId);
    expect(view.status).toBe('applied');

    const cancel = await cancelLeave(userId, view);
    expect(cancel.base_version).toBe(1);
    expect(cancel.data).toEqual({ ...req, reason: '家中有事', cancelled: true });
    [view] = await myLeave(userId);
    expect(leaveState(view.data)).toBe('cancelled');
    expect(view.data.days).toBe(2); // still known from the server copy
  });

  it('a decision pulled from the server shows', () => {
    expect(leaveState({ village_code: '', start_date: '', end_date: '', reason: '', state: 'approved' })).toBe('approved');
  });
});

describe('records and feedback', () => {
  it('an applied change the pulled copy already covers gives way to it', () => {
    const rec = { id: 'a', version: 3, data: { text: 'server', state: 'answered' } };
    const applied = { kind: 'feedback', id: 'a', base_version: null, data: { text: 'mine' }, status: 'applied' as const, version: 1, rev: 1, created_at: '', updated_at: '' };
    expect(mergeRecords([rec], [applied])[0]).toMatchObject({ status: 'applied', data: { text: 'server' } });
    const pending = { ...applied, status: 'pending' as const };
    expect(mergeRecords([rec], [pending])[0]).toMatchObject({ status: 'pending', data: { text: 'mine', state: 'answered' } });
  });

  it('lists one’s own messages with their answers', async () => {
    const item = await writeFeedback(userId, ' 信号差 ', ['a'.repeat(64)]);
    expect(item.data).toEqual({ text: '信号差', evidence: ['a'.repeat(64)] });
    await applyChanges(userId, [{ kind: 'feedback', id: 'old', version: 2, data: { text: '旧的', evidence: [], state: 'answered', answer: '已处理', created_at: '2026-11-01T00:00:00Z' } }], 'c');
    const rows = await myFeedback(session.get()!.user, false);
    expect(rows.map((r) => [r.id === item.id ? 'new' : r.id, r.status, r.data.answer ?? null])).toEqual([
      ['new', 'pending', null],
      ['old', 'applied', '已处理'],
    ]);
  });
});

describe('dashboard', () => {
  const row = (code: string, lat: number | null, lon: number | null, tier = 'deep'): UnitRow => ({
    code, name: code, level: 'village', township_code: code.slice(0, 9), township_name: '', tier, tier_label: '',
    lat, lon, cadres: 3, confirmed_days: 0, minimum_days: 60, logs: 0, logs_by_kind: {}, households_visited: 0,
    flagged_logs: 0, sheets_submitted: 0, sheets_confirmed: 0, claims: {}, insurance_gaps: 0,
  });

  it('sorts by code, never by activity', () => {
    const rows = [{ ...row('3', 0, 0), logs: 99 }, row('1', 0, 0), row('2', 0, 0)];
    expect(byCode(rows).map((r) => r.code)).toEqual(['1', '2', '3']);
  });

  it('rounds a chart scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 20, 21, 480, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 20, 50, 500, 2000]);
  });

  it('fills the twelve months of the trend, oldest first', () => {
    const t = fillTrend([{ month: '2026-03', logs: 4, flagged_logs: 1, confirmed_days: 20 }], '2026-11');
    expect(t).toHaveLength(12);
    expect(t[0].month).toBe('2025-12');
    expect(t[11].month).toBe('2026-11');
    expect(t.find((p) => p.month === '2026-03')?.logs).toBe(4);
    expect(t.find((p) => p.month === '2026-04')?.logs).toBe(0);
  });

  it('projects villages into the box, north up, keeping the shape', () => {
    const { points, height } = projectVillages(
      [row('a', 26.0, 107.0), row('b', 26.5, 107.0), row('c', 26.0, 108.0), row('x', null, null)],
      320,
    );
    expect(points.map((p) => p.row.code)).toEqual(['a', 'b', 'c']);
    const [a, b, c] = points;
    expect(b.y).toBeLessThan(a.y); // north is up
    expect(c.x).toBeGreaterThan(a.x);
    expect(a.x).toBeCloseTo(16, 5);
    expect(c.x).toBeCloseTo(304, 5);
    // one degree of longitude at 26.25° N is cos(26.25°) of a degree of latitude
    const ratio = (a.y - b.y) / 0.5 / ((c.x - a.x) / 1);
    expect(ratio).toBeCloseTo(1 / Math.cos((26.25 * Math.PI) / 180), 5);
    for (const p of points) {
      expect(p.x).toBeGreaterThanOrEqual(16);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(height);
    }
  });

  it('puts a single village in the middle', () => {
    const { points, height } = projectVillages([row('a', 26, 107)], 320);
    expect(points[0].x).toBe(160);
    expect(points[0].y).toBe(height / 2);
  });

  it('names the export with the filters', () => {
    expect(exportPath('xlsx', '2026-11', '')).toBe('/dashboard/export.xlsx?month=2026-11');
    expect(exportPath('township', '2026-11', 'deep')).toBe('/dashboard/export.csv?month=2026-11&tier=deep&level=township');
  });
});

describe('bulk confirm', () => {
  const sheet = (id: string, flagged_logs = 0): SheetRow => ({
    id, cadre_id: id, cadre_name: id, village_code: '1', month: '2026-11', state: 'submitted', version: 1,
    village_days: 20, leave_days: 0, away_days: 0, minimum_days: 20, flagged_logs, return_reason: null,
  });

  it('takes only sheets without verification notes', () => {
    expect([sheet('a'), sheet('b', 2)].filter(isClean).map((s) => s.id)).toEqual(['a']);
  });

  it('goes on after a failure and reports each sheet', async () => {
    const progress: number[] = [];
    const results = await bulkConfirm(
      userId,
      [sheet('a'), sheet('b'), sheet('c')],
      async (s) => {
        if (s.id === 'b') throw new ApiError({ status: 409, title: '冲突', detail: '已被处理' });
        if (s.id === 'c') throw new ApiError({ status: 403, title: '禁止', detail: '不能审核自己的记录', code: 'own_record' });
      },
      (done) => progress.push(done.length),
    );
    expect(results.map((r) => [r.sheet.id, r.ok, r.conflict ?? false])).toEqual([
      ['a', true, false],
      ['b', false, true],
      ['c', false, false],
    ]);
    expect(results[2].message).toBe('不能审核自己的记录');
    expect(progress).toEqual([1, 2, 3]);
  });
});

describe('a cadre who also reviews', () => {
  it('sees only their own leave among the pulled requests of the township', async () => {
    const base = {
      village_code: "522324003001", start_date: "2026-12-01", end_date: "2026-12-02",
      reason: "事假", days: 2, state: "pending", decider_level: "township",
    };
    await applyChanges(
      userId,
      [
        { kind: 'leave_request', id: 'mine', version: 1, data: { ...base, cadre_id: userId } },
        { kind: 'leave_request', id: 'colleague', version: 1, data: { ...base, cadre_id: 'someone-else' } },
      ],
      'c1',
    );
    expect((await myLeave(userId)).map((v) => v.id)).toEqual(['mine']);
  });
});
