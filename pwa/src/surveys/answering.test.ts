// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session } from '../auth';
import { lang } from '../i18n';
import { recordViews } from '../records';
import { applyChanges } from '../sync';
import { photosOf } from '../evidence/evidence';
import { listOutbox } from '../outbox';
import { makeUser, signIn } from '../../test/helpers';
import {
  answersToSend,
  confirmedToSend,
  defaultAnswer,
  deleteDraft,
  draftTargets,
  knownFacts,
  loadContext,
  loadDraft,
  newEntry,
  parseNumber,
  prefill,
  progress,
  responsesByTarget,
  saveDraft,
  startAnswers,
  submitResponse,
  unconfirmed,
  type FactData,
  type SurveyData,
} from './answering';
import fixtureJson from '../../../tests/fixtures/survey_rules.json';
import { checkAnswers, fillText, MEMBER_ID, type Answers, type Form } from './rules';

const L = (s: string) => ({ zh: s, en: s });
const form: Form = {
  questions: [
    { name: 'members', type: 'integer', label: L('人口'), required: true, fact: 'members' },
    {
      name: 'housing',
      type: 'select_one',
      label: L('住房'),
      choices: [
        { name: 'brick', label: L('砖房') },
        { name: 'wood', label: L('木房') },
      ],
      fact: 'housing',
    },
    { name: 'phone', type: 'text', label: L('电话'), fact: 'phone', relevant: [[{ q: 'members', op: '>', value: 1 }]] },
    { name: 'note', type: 'text', label: L('备注') },
  ],
};

const fact = (f: Partial<FactData>): FactData => ({
  household_id: 'h1',
  village_code: 'v1',
  fact: 'members',
  value: 4,
  type: 'integer',
  confirmed_by_name: '李四',
  confirmed_at: '2026-03-01T02:00:00Z',
  ...f,
});

describe('known facts', () => {
  const facts = [
    fact({}),
    fact({ confirmed_at: '2026-05-01T02:00:00Z', value: 5, confirmed_by_name: '王五' }),
    fact({ household_id: 'h2', value: 9 }),
    // A choice the form no longer offers does not pre-fill.
    fact({ fact: 'housing', type: 'select_one', value: 'stone' }),
    // Nor does a fact of another type.
    fact({ fact: 'phone', type: 'integer', value: 139 }),
  ];

  it('pre-fills the newest fact of the household, of the question type and still valid', () => {
    const known = knownFacts(form, facts, 'h1');
    expect(Object.keys(known)).toEqual(['members']);
    expect(known.members).toEqual({ value: 5, by: '王五', at: '2026-05-01T02:00:00Z' });
    expect(prefill(known)).toEqual({ members: 5 });
  });

  it('blocks until each pre-filled value is confirmed or changed', () => {
    const known = knownFacts(form, [...facts, fact({ fact: 'phone', type: 'text', value: '13900000001' })], 'h1');
    const answers = prefill(known);
    expect(unconfirmed(form, answers, known, [])).toEqual(['members', 'phone']);
    expect(unconfirmed(form, answers, known, ['members'])).toEqual(['phone']);
    // Changed: no confirmation needed, and it is not sent as confirmed.
    const changed = { ...answers, phone: '13900000002' };
    expect(unconfirmed(form, changed, known, ['members'])).toEqual([]);
    expect(confirmedToSend(form, answersToSend(form, changed), known, ['members'])).toEqual(['members']);
    // Hidden by relevance: nothing to confirm, nothing sent.
    const hidden = { ...answers, members: 1 };
    expect(unconfirmed(form, hidden, known, [])).toEqual([]);
    expect(answersToSend(form, hidden)).toEqual({ members: 1 });
  });

  it('sends only shown, answered questions, text trimmed', () => {
    expect(answersToSend(form, { members: 1, phone: '139', note: '  好  ', housing: null })).toEqual({ members: 1, note: '好' });
  });
});

describe('a roster kept as a household fact', () => {
  // The form of the shared fixture: members (name, age, relation kept; working asked anew).
  const rform = (fixtureJson as unknown as { roster_fact: { form: Form } }).roster_fact.form;
  const W = '5b0c1a52-8f0e-4a57-9d43-0d7c5a1e2f01';
  const L2 = '9c1d2b63-7e1f-4b68-8e54-1e8d6b2f3a12';
  const value = {
    types: { name: 'text', age: 'integer', relation: 'select_one', phone: 'text' },
    members: [
      { id: W, values: { name: '王秀英', age: 46, relation: 'head', phone: '139' } },
      { id: L2, values: { name: '李强', age: 48, relation: 'cousin' } },
    ],
  };
  const facts = [fact({ fact: 'household_members', type: 'roster', value, confirmed_by_name: '王五' })];

  it('pre-fills the members with their ids and member facts, then each one’s defaults', () => {
    const known = knownFacts(rform, facts, 'h1');
    expect(known.members.value).toEqual([
      { [MEMBER_ID]: W, member_name: '王秀英', age: 46, relation: 'head' },
      // A choice the form no longer offers does not pre-fill.
      { [MEMBER_ID]: L2, member_name: '李强', age: 48 },
    ]);
    expect(knownFacts(rform, facts, 'h2')).toEqual({});
    const answers = startAnswers(rform, known, 'cadre1');
    expect((answers.members as Answers[]).map((m) => m[MEMBER_ID])).toEqual([W, L2]);
    // Editing the sheet never changes the known value.
    (answers.members as Answers[])[0].age = 47;
    expect((known.members.value as Answers[])[0].age).toBe(46);
  });

  it('blocks until the roster is confirmed or changed, and sends it with the ids', () => {
    const known = knownFacts(rform, [fact({ fact: 'household_members', type: 'roster', value: { ...value, members: [value.members[0]] } })], 'h1');
    const answers: Answers = { ...startAnswers(rform, known, 'cadre1'), lives_here: 'yes' };
    expect(unconfirmed(rform, answers, known, [])).toEqual(['members']);
    expect(unconfirmed(rform, answers, known, ['members'])).toEqual([]);
    // Answering what is asked anew (working this month) is still a confirmation.
    const working = { ...answers, members: [{ ...(answers.members as Answers[])[0], working: 'no' }] };
    const sent = answersToSend(rform, working);
    expect(sent.members).toEqual([{ [MEMBER_ID]: W, member_name: '王秀英', age: 46, relation: 'head', working: 'no' }]);
    expect(checkAnswers(rform, sent)).toEqual([]);
    expect(confirmedToSend(rform, sent, known, ['members'])).toEqual(['members']);
    // Edited, removed, added: a correction, not a confirmation; a new member gets a new id.
    const added = newEntry(rform, 'members', working);
    expect(added[MEMBER_ID]).toMatch(/^[0-9a-f-]{36}$/);
    expect(newEntry(rform, 'visits', working)).toEqual({});
    const edited = { ...working, members: [{ ...(working.members as Answers[])[0], age: 47 }, { ...added, member_name: '张兰', age: 70, relation: 'parent' }] };
    expect(unconfirmed(rform, edited, known, [])).toEqual([]);
    const sent2 = answersToSend(rform, edited);
    expect(checkAnswers(rform, sent2)).toEqual([]);
    expect(confirmedToSend(rform, sent2, known, ['members'])).toEqual([]);
    // Everyone removed while it shows: sent empty (nobody is left); hidden: not sent at all.
    expect(answersToSend(rform, { ...answers, members: [] }).members).toEqual([]);
    expect('members' in answersToSend(rform, { ...answers, lives_here: 'no' })).toBe(false);
    expect(unconfirmed(rform, { ...answers, lives_here: 'no' }, known, [])).toEqual([]);
  });
});

describe('number input', () => {
  it('reads numbers and keeps anything else as text', () => {
    expect(parseNumber(' 3 ')).toBe(3);
    expect(parseNumber('3.')).toBe(3);
    expect(parseNumber('-1.5')).toBe(-1.5);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('3人')).toBe('3人');
  });
});

describe('drafts and responses', () => {
  let userId: string;
  beforeEach(() => {
    userId = signIn(makeUser()).user.id;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    session.set(null);
  });

  const survey: SurveyData = {
    survey_id: 's1',
    village_code: 'v1',
    title: '住房调查',
    target: 'households',
    period_start: '2026-11-01',
    period_end: '2026-12-31',
    state: 'published',
    form_version_id: 'fv1',
    form,
  };

  it('keeps drafts per user and survey until the response is queued', async () => {
    const draft = { answers: { members: 3 }, confirmed: [], form_version_id: 'fv1', updated_at: '2026-11-24T00:00:00Z' };
    await saveDraft(userId, 's1', 'h1', draft);
    await saveDraft(userId, 's1', 'h2', draft);
    await saveDraft(userId, 's2', 'h1', draft);
    expect(await loadDraft(userId, 's1', 'h1')).toEqual(draft);
    expect([...(await draftTargets(userId, 's1'))].sort()).toEqual(['h1', 'h2']);
    const other = signIn(makeUser()).user.id;
    expect(await loadDraft(other, 's1', 'h1')).toBeUndefined();
    await deleteDraft(userId, 's1', 'h2');
    expect([...(await draftTargets(userId, 's1'))]).toEqual(['h1']);

    const item = await submitResponse(userId, survey, 'h1', { members: 3 }, [], undefined);
    expect(item.kind).toBe('survey_response');
    expect(item.data).toMatchObject({
      survey_id: 's1',
      form_version_id: 'fv1',
      village_code: 'v1',
      household_id: 'h1',
      answers: { members: 3 },
      confirmed: [],
      language: 'zh',
    });
    expect(String(item.data.answered_at)).toMatch(/Z$/);
    expect(await loadDraft(userId, 's1', 'h1')).toBeUndefined();
    expect((await listOutbox(userId)).map((i) => i.id)).toEqual([item.id]);

    // An edit of our own response keeps its id; it says the language it was answered in now
    // (the server computes jr:choice-name and format-date names in it).
    lang.set('en');
    const edit = await submitResponse(userId, survey, 'h1', { members: 4 }, [], item.id).finally(() => lang.set('zh'));
    expect(edit.id).toBe(item.id);
    expect(edit.data.language).toBe('en');
    expect((await listOutbox(userId)).length).toBe(1);
  });

  it('counts households done by anyone, and a photo answer is queued for upload', async () => {
    await applyChanges(
      userId,
      [
        { kind: 'survey', id: 'r1', version: 1, data: survey as unknown as Record<string, unknown> },
        { kind: 'household', id: 'h1', version: 1, data: { village_code: 'v1', name: '张一', members: 3 } },
        { kind: 'household', id: 'h2', version: 1, data: { village_code: 'v1', name: '张二', members: 2 } },
        { kind: 'household', id: 'h9', version: 1, data: { village_code: 'v9', name: '别村', members: 2 } },
        {
          kind: 'survey_response',
          id: 'x1',
          version: 1,
          data: { survey_id: 's1', village_code: 'v1', household_id: 'h2', answers: {}, confirmed: [], form_version_id: 'fv1', answered_at: '' },
        },
      ],
      'c1',
    );
    const sha = 'ab'.repeat(32);
    await submitResponse(userId, survey, 'h1', { members: 3, door: sha }, [], undefined);
    const ctx = await loadContext(userId);
    expect(progress(ctx, survey)).toEqual({ done: 2, total: 2 });
    expect([...responsesByTarget(ctx.responses, 's1').keys()].sort()).toEqual(['h1', 'h2']);
    const mine = (await recordViews(userId, 'survey_response')).find((r) => r.item);
    expect(photosOf(mine!.item!)).toEqual([sha]);
  });
});

describe('defaults and ${} in texts', () => {
  const q = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, label: L(name), ...extra }) as Form['questions'][number];
  const withDefaults: Form = {
    questions: [
      q('today', 'today', { meta: true }),
      q('head', 'text', { default: '${hh_name}' }),
      q('visit', 'date', { default: 'today()' }),
      q('size', 'integer', { default: '3' }),
      q('double', 'integer', { default: '${size} * 2' }),
      q('neg', 'decimal', { default: '-${size}' }),
      q('crops', 'select_multiple', { default: 'rice tea', choices: [{ name: 'rice', label: L('r') }, { name: 'tea', label: L('t') }] }),
      q('note_text', 'text', { default: 'Mr. Wang (head)' }),
      q('hh_name', 'text'),
      q('member', 'text', { group: 'members', default: "concat('member ', position(..))" }),
      q('age', 'integer', { group: 'members', label: { zh: '${member}的年龄', en: 'Age of ${member} (of ${size})' } }),
    ],
    groups: [{ name: 'members', label: L('m'), repeat: true }],
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T10:00:00+08:00'));
  });
  afterEach(() => vi.useRealTimers());

  it('fills values and expressions when the answer sheet starts, in form order', () => {
    const answers = startAnswers(withDefaults, { hh_name: { value: '王秀英', by: '', at: null } }, 'cadre1');
    expect(answers).toMatchObject({ head: '王秀英', visit: '2026-12-03', size: 3, double: 6, neg: -3, crops: ['rice', 'tea'], note_text: 'Mr. Wang (head)' });
    expect(answers.today).toBe('2026-12-03');
  });

  it('a reference to nothing yet leaves the question empty', () => {
    expect(defaultAnswer(withDefaults, withDefaults.questions[1], {}, 'head')).toBeUndefined();
  });

  it("fills a new roster entry's defaults with its own place", () => {
    const first = newEntry(withDefaults, 'members', { size: 3 });
    expect(first).toEqual({ member: 'member 1' });
    expect(newEntry(withDefaults, 'members', { size: 3, members: [first] })).toEqual({ member: 'member 2' });
  });

  it("shows ${} in labels with the answers, in a roster the member's own row", () => {
    const answers = { size: 2, members: [{ member: 'A' }, { member: 'B' }] };
    const age = withDefaults.questions[10];
    expect(fillText(withDefaults, answers, age.label.en, 'members.1.age')).toBe('Age of B (of 2)');
    expect(fillText(withDefaults, answers, age.label.zh, 'members.0.age')).toBe('A的年龄');
    expect(fillText(withDefaults, answers, 'no reference', 'size')).toBe('no reference');
  });
});
