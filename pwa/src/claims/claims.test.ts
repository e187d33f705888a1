import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session } from '../auth';
import { bulkApprove, claimQueue, reviewStates, stepFailure } from './claimReview';
import {
  CLAIM,
  TRAVEL,
  byMonth,
  editTrip,
  estimateFen,
  flagDetail,
  mergeClaims,
  myClaims,
  recordTrip,
  sortClaims,
  storeClaim,
  submitClaim,
  type ClaimOut,
} from './claims';
import { recordsOfKind } from '../db';
import { listOutbox } from '../outbox';
import { fenToInput, parseKm, parseYuan, yuan } from '../money';
import { applyChanges, pushOnce } from '../sync';
import { json, makeUser, mockFetch, signIn } from '../../test/helpers';

let userId: string;

beforeEach(() => {
  userId = signIn(makeUser()).user.id;
});

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('money', () => {
  it('shows fen as yuan with two decimals', () => {
    expect(yuan(6000)).toBe('¥60.00');
    expect(yuan(5)).toBe('¥0.05');
    expect(yuan(123456789)).toBe('¥1,234,567.89');
    expect(yuan(-150)).toBe('-¥1.50');
    expect(yuan(0)).toBe('¥0.00');
    expect(yuan(null)).toBe('—');
  });

  it('reads typed yuan as integer fen, without floating point', () => {
    expect(parseYuan('60')).toBe(6000);
    expect(parseYuan('60.5')).toBe(6050);
    expect(parseYuan('60.50')).toBe(6050);
    expect(parseYuan(' ¥1,060.07 ')).toBe(106007);
    expect(parseYuan('0.29')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(parseYuan('.5')).toBe(50);
    expect(parseYuan('60.505')).toBeNull();
    expect(parseYuan('abc')).toBeNull();
    expect(parseYuan('')).toBeNull();
    expect(parseYuan('-5')).toBeNull();
  });

  it('reads a distance with at most one decimal, and writes fen back as typed', () => {
    expect(parseKm('45')).toBe(45);
    expect(parseKm('45.5')).toBe(45.5);
    expect(parseKm('45.55')).toBeNull();
    expect(parseKm('x')).toBeNull();
    expect(fenToInput(6000)).toBe('60');
    expect(fenToInput(6050)).toBe('60.50');
    expect(fenToInput(null)).toBe('');
  });

  it('estimates a trip as the server computes it (car: 2 × km × rate, half up)', () => {
    expect(estimateFen('public', 6000, null, 180)).toBe(6000);
    expect(estimateFen('car', null, 45.5, 180)).toBe(16380);
    expect(estimateFen('car', null, 0.1, 3)).toBe(1); // 0.6 fen rounds up
    expect(estimateFen('car', null, 45, null)).toBeNull();
  });
});

const pulled = (id: string, version: number, data: Record<string, unknown>) => ({
  kind: CLAIM,
  id,
  version,
  data: {
    type: 'travel',
    state: 'draft',
    village_code: '522324003001',
    month: '2026-11',
    date: '2026-11-20',
    mode: 'public',
    fare_fen: 6000,
    road_km: null,
    note: '',
    evidence: [],
    corrects_id: null,
    amount_fen: 6000,
    payable_fen: 6000,
    flags: [],
    ...data,
  },
});

const trip = (over: Record<string, unknown> = {}) => ({
  village_code: '522324003001',
  date: '2026-11-20',
  mode: 'public' as const,
  fare_fen: 6000,
  road_km: null,
  note: '客车',
  evidence: [],
  ...over,
});

describe('claims on the phone', () => {
  it('merges what was pushed as travel_claim with what is pulled as claim, by id', async () => {
    const item = await recordTrip(userId, trip());
    let [c] = await myClaims(userId);
    expect(c).toMatchObject({ id: item.id, status: 'pending', computed: false, version: undefined });
    expect(c.data).toMatchObject({ type: 'travel', state: 'draft', month: '2026-11', fare_fen: 6000 });

    mockFetch(() => json(200, { results: [{ id: item.id, status: 'applied', version: 1 }] }));
    await pushOnce(userId);
    [c] = await myClaims(userId);
    expect(c).toMatchObject({ status: 'applied', version: 1, computed: false });

    await applyChanges(userId, [pulled(item.id, 1, { cadre_id: userId, amount_fen: 6000, flags: [] })], 'c1');
    const all = await myClaims(userId);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'applied', version: 1, computed: true });
  });

  it('edits a returned claim on the version pulled, not the one pushed', async () => {
    const item = await recordTrip(userId, trip());
    mockFetch(() => json(200, { results: [{ id: item.id, status: 'applied', version: 1 }] }));
    await pushOnce(userId);
    // Submitted (2) and returned (3) meanwhile, as pull says.
    await applyChanges(userId, [pulled(item.id, 3, { state: 'returned', reason: '票据不清', cadre_id: userId })], 'c2');
    const [c] = await myClaims(userId);
    expect(c).toMatchObject({ version: 3, computed: true });
    expect(c.data.state).toBe('returned');

    await editTrip(userId, c, trip({ fare_fen: 5500 }));
    const [sent] = (await listOutbox(userId)).filter((i) => i.status === 'pending');
    expect(sent).toMatchObject({ kind: TRAVEL, id: item.id, base_version: 3, data: { fare_fen: 5500, road_km: null } });
    const [edited] = await myClaims(userId);
    expect(edited).toMatchObject({ status: 'pending', computed: false });
    expect(edited.data).toMatchObject({ state: 'returned', fare_fen: 5500 });
  });

  it('keeps only the field of the mode chosen', async () => {
    await recordTrip(userId, trip({ mode: 'car', fare_fen: 6000, road_km: 45.5 }));
    const [item] = await listOutbox(userId);
    expect(item.data).toMatchObject({ mode: 'car', fare_fen: null, road_km: 45.5 });
  });

  it('submits on the newest version and keeps the answer', async () => {
    await applyChanges(userId, [pulled('s1', 1, { type: 'subsidy', date: null, mode: null, village_days: 22, cadre_id: userId })], 'c1');
    const [c] = await myClaims(userId);
    const out = { ...(pulled('s1', 2, { type: 'subsidy', state: 'submitted' }).data as object), id: 's1', version: 2, cadre_id: userId, cadre_name: '张三', evidence: [] } as unknown as ClaimOut;
    const calls = mockFetch(() => json(200, out));
    await submitClaim(userId, c);
    expect(calls[0]).toMatchObject({ url: '/api/claims/s1/submit', method: 'POST', body: { version: 1 } });
    const [rec] = await recordsOfKind(userId, CLAIM);
    expect(rec).toMatchObject({ id: 's1', version: 2, data: { state: 'submitted', cadre_name: '张三' } });
    // An older answer never replaces a newer copy.
    await storeClaim(userId, { ...out, version: 1, state: 'draft' } as ClaimOut);
    expect((await recordsOfKind(userId, CLAIM))[0].version).toBe(2);
  });

  it("lists only the user's own claims, newest month first, the subsidy first in its month", async () => {
    await applyChanges(
      userId,
      [
        pulled('a', 1, { cadre_id: userId, month: '2026-10', date: '2026-10-03' }),
        pulled('b', 1, { cadre_id: userId, date: '2026-11-02' }),
        pulled('c', 1, { cadre_id: userId, type: 'subsidy', date: null }),
        pulled('d', 1, { cadre_id: 'someone-else', date: '2026-11-05' }),
        pulled('e', 1, { cadre_id: userId, date: '2026-11-09' }),
      ],
      'c1',
    );
    const rows = await myClaims(userId);
    expect(rows.map((r) => r.id)).toEqual(['c', 'e', 'b', 'a']);
    expect(byMonth(rows).map(([m, l]) => [m, l.length])).toEqual([
      ['2026-11', 3],
      ['2026-10', 1],
    ]);
    expect(sortClaims([])).toEqual([]);
  });

  it('lets a newer push stand over an older pull until the next pull', () => {
    const merged = mergeClaims(
      [{ kind: CLAIM, id: 'x', version: 3, data: pulled('x', 3, { state: 'returned' }).data }],
      [{ kind: TRAVEL, id: 'x', version: 4, data: trip({ fare_fen: 5000 }) }],
      [],
    );
    expect(merged[0]).toMatchObject({ version: 4, computed: false });
    expect(merged[0].data).toMatchObject({ state: 'returned', fare_fen: 5000 });
  });

  it('words a flag in the UI language', () => {
    const f = { code: 'x', detail: '里程过长 / Too far', params: {} };
    expect(flagDetail(f, 'zh')).toBe('里程过长');
    expect(flagDetail(f, 'en')).toBe('Too far');
  });
});

describe('claim review', () => {
  it('gives each role the state it decides', () => {
    expect(reviewStates(['township_reviewer'])).toEqual(['submitted']);
    expect(reviewStates(['county_admin'])).toEqual(['township_approved']);
    expect(reviewStates(['cadre'])).toEqual([]);
  });

  it('asks for each state once and lists each claim once', async () => {
    const calls = mockFetch((url) => json(200, url.includes('submitted') ? [{ id: 'a' }, { id: 'b' }] : [{ id: 'b' }, { id: 'c' }]));
    const rows = await claimQueue(userId, ['submitted', 'township_approved'], '2026-11');
    expect(calls.map((c) => c.url)).toEqual([
      '/api/claims?state=submitted&month=2026-11',
      '/api/claims?state=township_approved&month=2026-11',
    ]);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('bulk-approves on the versions seen', async () => {
    const calls = mockFetch(() => json(200, { results: [{ id: 'a', status: 'approved' }, { id: 'b', status: 'refused', code: 'has_flags' }] }));
    const results = await bulkApprove(userId, [
      { id: 'a', version: 2 },
      { id: 'b', version: 5 },
    ]);
    expect(calls[0].body).toEqual({ items: [{ id: 'a', version: 2 }, { id: 'b', version: 5 }] });
    expect(results.map((r) => r.status)).toEqual(['approved', 'refused']);
  });

  it('reads a 409, or a 403 on a claim that moved on, as someone else acting first', async () => {
    const { ApiError } = await import('../api');
    const conflict = new ApiError({ status: 409, title: 'conflict', code: 'conflict' });
    expect(await stepFailure(userId, { id: 'a', version: 2 }, conflict)).toMatchObject({ stale: true, text: '已被他人处理，已刷新。' });
    const forbidden = new ApiError({ status: 403, title: 'forbidden', detail: '无权操作', code: 'forbidden' });
    mockFetch(() => json(200, { id: 'a', version: 3 }));
    expect(await stepFailure(userId, { id: 'a', version: 2 }, forbidden)).toMatchObject({ stale: true });
    mockFetch(() => json(200, { id: 'a', version: 2 }));
    expect(await stepFailure(userId, { id: 'a', version: 2 }, forbidden)).toEqual({ stale: false, text: '无权操作' });
    const same = new ApiError({ status: 403, title: 'same', detail: '不能由同一人两级审核', code: 'same_reviewer' });
    expect(await stepFailure(userId, { id: 'a', version: 2 }, same)).toEqual({ stale: false, text: '不能由同一人两级审核' });
  });
});
