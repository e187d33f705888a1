import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session, type User } from '../auth';
import { userDb } from '../db';
import { listOutbox } from '../outbox';
import {
  countDays,
  draftDays,
  fetchMonth,
  loadMonth,
  overlay,
  reasonIn,
  stateDay,
  submitMonth,
  supersedes,
  unsentForMonth,
  type MonthView,
} from './presence';
import { applyChanges, pushOnce } from '../sync';
import { json, makeUser, mockFetch, signIn } from '../../test/helpers';

const VILLAGE = '522324003001';
let user: User;

beforeEach(() => {
  user = signIn(makeUser()).user;
});

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

function serverMonth(over: Partial<MonthView> = {}) {
  const days = draftDays('2026-11', new Map(), new Map([['2026-11-02', 2]]), new Set());
  return {
    cadre_id: user.id,
    cadre_name: '张三',
    month: '2026-11',
    village_code: VILLAGE,
    state: 'draft',
    version: 0,
    return_reason: null,
    days,
    ...countDays(days),
    minimum_days: 20,
    ...over,
  };
}

describe('drafting and counting', () => {
  it('drafts as the server does: stated, else approved leave, else a day with logs is in the village', () => {
    const days = draftDays(
      '2026-02',
      new Map([['2026-02-03', { status: 'away' as const, note: '家中有事' }]]),
      new Map([
        ['2026-02-03', 1],
        ['2026-02-04', 2],
        ['2026-02-05', 1],
      ]),
      new Set(['2026-02-05', '2026-02-06']),
    );
    expect(days).toHaveLength(28);
    const by = new Map(days.map((d) => [d.date, d]));
    expect(by.get('2026-02-03')).toEqual({ date: '2026-02-03', status: 'away', source: 'stated', logs: 1, note: '家中有事' });
    expect(by.get('2026-02-04')).toMatchObject({ status: 'in_village', source: 'drafted', logs: 2 });
    expect(by.get('2026-02-05')).toMatchObject({ status: 'leave', source: 'drafted' });
    expect(by.get('2026-02-06')).toMatchObject({ status: 'leave', source: 'drafted', logs: 0 });
    expect(by.get('2026-02-07')).toMatchObject({ status: null, source: 'none' });
    expect(countDays(days)).toEqual({ village_days: 1, leave_days: 2, away_days: 1 });
  });

  it('official business counts as a village day', () => {
    const days = draftDays('2026-11', new Map([['2026-11-01', { status: 'official_business' as const, note: '' }]]), new Map(), new Set());
    expect(countDays(days).village_days).toBe(1);
  });

  it('lays unsent statements and new logs over a draft, and recounts', () => {
    const view = { ...serverMonth(), origin: 'server' as const } as MonthView;
    const out = overlay(
      view,
      [{ data: { village_code: VILLAGE, date: '2026-11-02', status: 'official_business', note: '县里开会' }, status: 'pending' }],
      new Map([['2026-11-05', 1]]),
    );
    const by = new Map(out.days.map((d) => [d.date, d]));
    expect(by.get('2026-11-02')).toMatchObject({ status: 'official_business', source: 'stated', note: '县里开会', local: 'pending' });
    expect(by.get('2026-11-05')).toMatchObject({ status: 'in_village', source: 'drafted', logs: 1 });
    expect(out.village_days).toBe(2);
  });

  it('leaves a submitted or confirmed month as the server froze it', () => {
    const view = { ...serverMonth({ state: 'submitted' }), origin: 'server' as const } as MonthView;
    const out = overlay(view, [{ data: { village_code: VILLAGE, date: '2026-11-03', status: 'away', note: '' }, status: 'pending' }]);
    expect(out).toBe(view);
  });

  it('shows a reason of the server in the UI language', () => {
    const r = '确认驻村 0 天，少于应驻 168 天 / 0 confirmed village days, under the 168 required';
    expect(reasonIn(r, 'zh')).toBe('确认驻村 0 天，少于应驻 168 天');
    expect(reasonIn(r, 'en')).toBe('0 confirmed village days, under the 168 required');
    expect(reasonIn('只有中文', 'en')).toBe('只有中文');
  });
});

describe('the month on the phone', () => {
  it('reuses the record of a date: the second statement edits the first, on its version', async () => {
    const first = await stateDay(user, VILLAGE, '2026-11-03', 'in_village', '');
    mockFetch(() => json(200, { results: [{ id: first.id, status: 'applied', version: 1 }] }));
    await pushOnce(user.id);
    const second = await stateDay(user, VILLAGE, '2026-11-03', 'official_business', ' 培训 ');
    expect(second.id).toBe(first.id);
    expect(second.base_version).toBe(1);
    expect(second.data).toEqual({ village_code: VILLAGE, date: '2026-11-03', status: 'official_business', note: '培训' });
    expect(await listOutbox(user.id)).toHaveLength(1);
  });

  it('a statement made here gives way to the pulled record that holds the date', async () => {
    const mine = await stateDay(user, VILLAGE, '2026-11-04', 'away', '');
    await applyChanges(
      user.id,
      [{ kind: 'presence_day', id: 'other-phone', version: 2, data: { village_code: VILLAGE, date: '2026-11-04', status: 'in_village', note: '' } }],
      'c1',
    );
    const item = await stateDay(user, VILLAGE, '2026-11-04', 'leave', '');
    expect(item.id).toBe('other-phone');
    expect(item.base_version).toBe(2);
    expect((await listOutbox(user.id)).map((i) => i.id)).toEqual(['other-phone']);
    expect(mine.id).not.toBe('other-phone');
  });

  it('fetches the server month, keeps it for offline, and lays unsent work on top', async () => {
    mockFetch((url) => {
      expect(url).toBe(`/api/fieldwork/presence/${user.id}/2026-11`);
      return json(200, serverMonth());
    });
    await stateDay(user, VILLAGE, '2026-11-09', 'away', '');
    const online = await fetchMonth(user, '2026-11');
    expect(online.origin).toBe('server');
    expect(online.days.find((d) => d.date === '2026-11-09')).toMatchObject({ status: 'away', local: 'pending' });

    mockFetch(() => {
      throw new TypeError('offline');
    });
    const offline = await loadMonth(user, '2026-11');
    expect(offline.origin).toBe('cache');
    expect(offline.village_days).toBe(1);
    expect(offline.away_days).toBe(1);
  });

  it('offline without a copy: drafted from the logs; a newer pulled sheet gives its state and frozen days', async () => {
    await applyChanges(
      user.id,
      [
        { kind: 'work_log', id: 'l1', version: 1, data: { village_code: VILLAGE, date: '2026-10-05', kind: 'visit', text: 'x', household_ids: [], location: null, evidence: [] } },
      ],
      'c1',
    );
    let view = await loadMonth(user, '2026-10');
    expect(view.origin).toBe('local');
    expect(view.state).toBe('draft');
    expect(view.village_days).toBe(1);

    const frozen = draftDays('2026-10', new Map(), new Map([['2026-10-05', 1], ['2026-10-06', 1]]), new Set());
    await applyChanges(
      user.id,
      [
        {
          kind: 'presence_sheet',
          id: 's1',
          version: 2,
          data: { village_code: VILLAGE, month: '2026-10', state: 'confirmed', days: frozen, village_days: 2, leave_days: 0, away_days: 0, return_reason: null },
        },
      ],
      'c2',
    );
    view = await loadMonth(user, '2026-10');
    expect(view.state).toBe('confirmed');
    expect(view.village_days).toBe(2);
  });

  it('counts unsent records of the month before a submit', async () => {
    await stateDay(user, VILLAGE, '2026-11-03', 'in_village', '');
    await stateDay(user, VILLAGE, '2026-10-03', 'in_village', '');
    expect(await unsentForMonth(user.id, '2026-11')).toBe(1);
  });

  it('submits the month and keeps the answer', async () => {
    const calls = mockFetch(() => json(200, serverMonth({ state: 'submitted', version: 1 })));
    const view = await submitMonth(user, '2026-11');
    expect(calls[0]).toMatchObject({ url: '/api/fieldwork/presence/submit', method: 'POST', body: { month: '2026-11' } });
    expect(view.state).toBe('submitted');
    mockFetch(() => {
      throw new TypeError('offline');
    });
    expect((await loadMonth(user, '2026-11')).state).toBe('submitted');
    // the database is per user
    expect((await userDb(user.id)).name).toBe(`zhucun-${user.id}`);
  });

  it('keeps a submitted month when a read sent before the submit is answered after it', async () => {
    // The read went out first and was answered with the month as it stood before the submit.
    let answerRead: (r: Response) => void = () => undefined;
    mockFetch((url) =>
      url.endsWith('/submit')
        ? json(200, serverMonth({ state: 'submitted', version: 1 }))
        : new Promise<Response>((resolve) => (answerRead = resolve)),
    );
    const read = fetchMonth(user, '2026-11');
    const submitted = await submitMonth(user, '2026-11');
    answerRead(json(200, serverMonth({ state: 'draft', version: 0 })));
    const late = await read;
    expect(supersedes(submitted, late)).toBe(false);
    mockFetch(() => {
      throw new TypeError('offline');
    });
    expect((await loadMonth(user, '2026-11')).state).toBe('submitted');
    // A later change of the sheet (returned by the township) is newer and replaces it.
    expect(supersedes(submitted, { version: 2 })).toBe(true);
    expect(supersedes(null, { version: 0 })).toBe(true);
  });
});
