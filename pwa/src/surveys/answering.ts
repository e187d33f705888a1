/**
 * The cadre's side of field surveys (docs/surveys.md): what is pulled, what is known about a
 * household, drafts kept on the phone, and the `survey_response` that is sent.
 */
import { userDb } from '../db';
import { lang, type Lang } from '../i18n';
import { enqueue, listOutbox, saveEdit, type OutboxItem } from '../outbox';
import { recordViews, type RecordView } from '../records';
import { knownEntries, newMemberId, rosterFact, rosterFacts, ROSTER, sentEntries } from './facts';
import {
  expressionValue,
  isAnswered,
  layout,
  MEMBER_ID,
  META_TYPES,
  repeatOf,
  rosterShown,
  same,
  typeError,
  walk,
  withCalculations,
  type Answers,
  type Form,
  type Question,
} from './rules';

export const SURVEY = 'survey';
export const RESPONSE = 'survey_response';
export const FACT = 'household_fact';
export const HOUSEHOLD = 'household';

/** One survey for one target village, as pulled. */
export interface SurveyData {
  survey_id: string;
  village_code: string;
  title: string;
  description?: string | null;
  target: 'households' | 'villages';
  period_start: string;
  period_end: string;
  state: 'published' | 'closed';
  form_version_id: string;
  form_version?: number;
  form: Form;
}

/** A household of a village, as pulled (backend/fieldwork/sync_kinds.py HOUSEHOLD). */
export interface HouseholdData {
  village_code: string;
  external_id?: string | null;
  name?: string;
  head_name?: string;
  members?: number | null;
  group_name?: string | null;
  tags?: string[];
}

export interface FactData {
  household_id: string;
  village_code: string;
  fact: string;
  value: unknown;
  type: string;
  confirmed_by?: string | null;
  confirmed_by_name?: string | null;
  confirmed_at?: string | null;
  survey_id?: string | null;
}

export interface ResponseData {
  survey_id: string;
  form_version_id: string;
  village_code: string;
  household_id: string | null;
  answers: Answers;
  confirmed: string[];
  answered_at: string;
  /** The language it was answered in (the app's): the server computes jr:choice-name and
   * format-date's names in calculations in it, as the phone did. */
  language?: Lang;
  /** Set by the server on pull: who answered. */
  cadre_id?: string;
}

export const householdName = (h: HouseholdData): string => h.name ?? h.head_name ?? '';

/**
 * What a response is about: the household, or for a village survey the village. Drafts and
 * done marks are keyed by it, and by the survey.
 */
export function targetKey(villageCode: string, householdId: string | null): string {
  return householdId ?? `village:${villageCode}`;
}

/** Everything the surveys screen shows, read from pulled records and the outbox. */
export interface SurveyContext {
  surveys: RecordView<SurveyData>[];
  households: RecordView<HouseholdData>[];
  facts: FactData[];
  responses: RecordView<ResponseData>[];
  /** Responses made on this phone by this user (a pulled copy may not say whose it is yet). */
  own: Set<string>;
}

export async function loadContext(userId: string): Promise<SurveyContext> {
  const [surveys, households, facts, responses, outbox] = await Promise.all([
    recordViews<SurveyData>(userId, SURVEY),
    recordViews<HouseholdData>(userId, HOUSEHOLD),
    recordViews<FactData>(userId, FACT),
    recordViews<ResponseData>(userId, RESPONSE),
    listOutbox(userId),
  ]);
  const own = new Set(outbox.filter((i) => i.kind === RESPONSE).map((i) => i.id));
  return { surveys: sortSurveys(surveys), households, facts: facts.map((f) => f.data), responses, own };
}

/** Whether a response is this user's own, so it may be changed. */
export function isOwn(ctx: SurveyContext, r: RecordView<ResponseData>, userId: string): boolean {
  return ctx.own.has(r.id) || r.data.cadre_id === userId;
}

/** Open surveys first, then the ones ending soonest. */
export function sortSurveys<T extends { data: SurveyData }>(list: T[]): T[] {
  const rank = (s: SurveyData) => (s.state === 'published' ? 0 : 1);
  return [...list].sort(
    (a, b) => rank(a.data) - rank(b.data) || String(a.data.period_end).localeCompare(String(b.data.period_end)),
  );
}

/**
 * The responses to one survey by target. Any owner's counts (teammates' are pulled too); a
 * rejected one of ours is kept only where nothing better exists, so it can be put right.
 */
export function responsesByTarget(
  responses: RecordView<ResponseData>[],
  surveyId: string,
): Map<string, RecordView<ResponseData>> {
  const out = new Map<string, RecordView<ResponseData>>();
  for (const r of responses) {
    if (r.data.survey_id !== surveyId) continue;
    const key = targetKey(r.data.village_code, r.data.household_id);
    const known = out.get(key);
    if (!known || (known.status === 'rejected' && r.status !== 'rejected')) out.set(key, r);
  }
  return out;
}

export const isDone = (r: RecordView<ResponseData> | undefined): boolean => !!r && r.status !== 'rejected';

/** Households of a village in the order of the village's own register: group, number, name. */
export function villageHouseholds(all: RecordView<HouseholdData>[], village: string): RecordView<HouseholdData>[] {
  const by = (f: (h: HouseholdData) => unknown) => (a: RecordView<HouseholdData>, b: RecordView<HouseholdData>) =>
    String(f(a.data) ?? '').localeCompare(String(f(b.data) ?? ''), 'zh-CN', { numeric: true });
  const group = by((h) => h.group_name);
  const number = by((h) => h.external_id);
  const name = by(householdName);
  return all.filter((h) => h.data.village_code === village).sort((a, b) => group(a, b) || number(a, b) || name(a, b));
}

/** How far one survey is in its village: targets done of targets. */
export function progress(ctx: SurveyContext, s: SurveyData): { done: number; total: number } {
  const byTarget = responsesByTarget(ctx.responses, s.survey_id);
  if (s.target === 'villages') return { done: isDone(byTarget.get(targetKey(s.village_code, null))) ? 1 : 0, total: 1 };
  const ids = villageHouseholds(ctx.households, s.village_code).map((h) => h.id);
  return { done: ids.filter((id) => isDone(byTarget.get(id))).length, total: ids.length };
}

// --- known facts: pre-filled, and confirmed or corrected by the cadre ---

/** A household fact a question asks, with who confirmed it and when. */
export interface Known {
  value: unknown;
  by: string;
  at: string | null;
}

/**
 * The known value for each fact question outside rosters: a fact of the household of the
 * question's type whose value the question still takes (a choice dropped from the form does not
 * pre-fill); and for each roster kept as a fact, its members as entries (facts.ts `knownEntries`).
 */
export function knownFacts(form: Form, facts: FactData[], householdId: string): Record<string, Known> {
  const out: Record<string, Known> = {};
  const newest = (fact: string, ok: (f: FactData) => boolean) =>
    facts
      .filter((f) => f.household_id === householdId && f.fact === fact && ok(f))
      .sort((a, b) => String(b.confirmed_at ?? '').localeCompare(String(a.confirmed_at ?? '')))[0];
  const known = (f: FactData, value: unknown): Known => ({ value, by: f.confirmed_by_name ?? '', at: f.confirmed_at ?? null });
  for (const q of form.questions) {
    if (!q.fact || repeatOf(form, q.group) !== null) continue;
    const f = newest(q.fact, (f) => f.type === q.type && !typeError(q, f.value));
    if (f) out[q.name] = known(f, f.value);
  }
  for (const r of rosterFacts(form)) {
    const f = newest(r.fact, (f) => f.type === ROSTER);
    if (f) out[r.repeat] = known(f, knownEntries(r, f.value));
  }
  return out;
}

/** A fresh form: the known values filled in (copies: editing one never changes the known value). */
export function prefill(known: Record<string, Known>): Answers {
  return Object.fromEntries(Object.entries(known).map(([name, k]) => [name, JSON.parse(JSON.stringify(k.value))]));
}

/** What a confirmation compares: an answer, or of a roster kept as a fact its members' ids and member facts. */
export function factValue(form: Form, name: string, value: unknown): unknown {
  const roster = rosterFact(form, name);
  return roster ? sentEntries(roster, value) : value;
}

/**
 * A shown question (or roster kept as a fact) still holding its pre-filled value that nobody
 * confirmed, in form order.
 */
export function unconfirmed(form: Form, answers: Answers, known: Record<string, Known>, confirmed: string[]): string[] {
  const w = walk(form, answers);
  const pending = (name: string) => name in known && !confirmed.includes(name) && same(factValue(form, name, answers[name]), known[name].value);
  const rosters = rosterFacts(form)
    .filter((r) => rosterShown(form, r.repeat, answers, '', w, null) && pending(r.repeat))
    .map((r) => r.repeat);
  const questions = w.shown.filter((name) => !rosterFact(form, name) && pending(name));
  const order = (name: string) => form.questions.findIndex((q) => q.name === name || (q.group && repeatOf(form, q.group) === name));
  return [...questions, ...rosters].sort((a, b) => order(a) - order(b));
}

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

/**
 * The answers as sent: hidden and unanswered questions dropped, text trimmed, a roster's
 * entries kept with their shown answers, and every calculation computed (the server computes
 * them again and keeps its own).
 */
export function answersToSend(form: Form, answers: Answers): Answers {
  const w = walk(form, answers);
  const shown = new Set(w.shown);
  const levels = layout(form);
  const level = (scope: string | null, values: Answers, prefix: string): Answers => {
    const out: Answers = {};
    for (const item of levels.get(scope ?? '') ?? []) {
      if (item.kind === 'question') {
        const q = item.question;
        const value = values[q.name];
        if (q.type !== 'calculate' && shown.has(prefix + q.name) && isAnswered(value)) out[q.name] = trimmed(value);
        continue;
      }
      const list = values[item.repeat];
      if (scope === null && rosterFact(form, item.repeat)) {
        // A roster kept as a fact is sent whenever it shows (empty: nobody is left), with each
        // member's id, and never while hidden (it would replace the fact).
        if (!rosterShown(form, item.repeat, values, prefix, w, scope)) continue;
        const entries = Array.isArray(list) ? (list as Answers[]) : [];
        out[item.repeat] = entries.map((entry, i) => ({
          [MEMBER_ID]: entry?.[MEMBER_ID],
          ...level(item.repeat, entry ?? {}, `${prefix}${item.repeat}.${i}.`),
        }));
        continue;
      }
      if (!Array.isArray(list) || list.length === 0) continue;
      out[item.repeat] = list.map((entry: Answers, i) => level(item.repeat, entry ?? {}, `${prefix}${item.repeat}.${i}.`));
    }
    return out;
  };
  return withCalculations(form, level(null, answers, ''));
}

const DEVICE_KEY = 'zhucun.deviceid';

/** This install's id (ODK's deviceid): made once, kept in this browser. */
export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `zhucun:${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/**
 * Whether a `default` is an expression (`today()`, `${other}`, `${a} * 2`) rather than a value
 * (`5`, `brick`, `2026-01-01`), as pyxform tells them apart: a reference or a function call
 * makes it an expression, and arithmetic does for a number.
 */
export function isDynamicDefault(q: Question, text: string): boolean {
  if (/\$\{|[A-Za-z][\w:-]*\(/.test(text)) return true;
  const numeric = q.type === 'integer' || q.type === 'decimal' || q.type === 'range';
  return numeric && /\d\s*([+*]|-|div|mod)\s*[\d(.]/.test(text);
}

/** A default's text as an answer of the question's type (undefined: no answer). */
function typedText(q: Question, text: string): unknown {
  if (!text) return undefined;
  switch (q.type) {
    case 'integer':
    case 'decimal':
    case 'range': {
      const n = Number(text);
      if (!Number.isFinite(n)) return undefined;
      return q.type === 'integer' ? Math.trunc(n) : n;
    }
    case 'select_multiple':
      return text.split(/\s+/).filter(Boolean);
    case 'yes_no':
      return ['yes', 'true', '1'].includes(text.toLowerCase());
    case 'date':
      return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : undefined;
    default:
      return text;
  }
}

/**
 * A form's default (the `default` column) for the question at `path`: a value as written, or
 * an expression evaluated over the answers so far (ODK sets them when the form is first
 * opened, and a roster entry's when it is added).
 */
export function defaultAnswer(form: Form, q: Question, answers: Answers, path: string): unknown {
  const text = (q.default ?? '').trim();
  if (!text) return undefined;
  if (!isDynamicDefault(q, text)) return typedText(q, text);
  return typedText(q, expressionValue(form, answers, text, path).trim());
}

/**
 * A new answer sheet: known facts pre-filled, the form's defaults, and the metadata taken
 * when answering starts (start, today, deviceid, username).
 */
export function startAnswers(form: Form, known: Record<string, Known>, username: string, now = new Date()): Answers {
  const out = prefill(known);
  // A pre-filled member's other questions (asked anew each time) take their defaults.
  for (const r of rosterFacts(form)) {
    const list = out[r.repeat];
    if (!Array.isArray(list)) continue;
    (list as Answers[]).forEach((entry, index) => {
      for (const q of form.questions) {
        if (repeatOf(form, q.group) !== r.repeat || q.name in entry) continue;
        const value = defaultAnswer(form, q, out, `${r.repeat}.${index}.${q.name}`);
        if (value !== undefined) entry[q.name] = value;
      }
    });
  }
  for (const q of form.questions) {
    if (repeatOf(form, q.group) !== null || q.name in out) continue;
    const meta = metaValue(q, username, now, true);
    if (meta !== undefined) out[q.name] = meta;
  }
  // Defaults after the metadata, in form order: one may read another (`${start}`, `${a}`).
  for (const q of form.questions) {
    if (repeatOf(form, q.group) !== null || q.name in out || META_TYPES.has(q.type)) continue;
    const value = defaultAnswer(form, q, out, q.name);
    if (value !== undefined) out[q.name] = value;
  }
  return out;
}

/** Metadata as the phone knows it; `end` and `today` are taken again when the answer is sent. */
function metaValue(q: Question, username: string, now: Date, starting: boolean): unknown {
  switch (q.type) {
    case 'start':
      return starting ? now.toISOString() : undefined;
    case 'end':
      return now.toISOString();
    case 'today':
      return localDay(now);
    case 'deviceid':
      return deviceId();
    case 'username':
      return username;
    default:
      return undefined;
  }
}

const localDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The answers with end, today (and anything missing) filled at the moment of sending. */
export function withMeta(form: Form, answers: Answers, username: string, now = new Date()): Answers {
  const out = { ...answers };
  for (const q of form.questions) {
    if (!META_TYPES.has(q.type) || repeatOf(form, q.group) !== null) continue;
    const value = q.type === 'start' ? (out[q.name] ?? now.toISOString()) : metaValue(q, username, now, false);
    if (value !== undefined) out[q.name] = value;
  }
  return out;
}

/** The entry (or the answers themselves) at a path prefix such as `household.0.`. */
export function entryAt(answers: Answers, prefix: string): Answers {
  const parts = prefix.split('.').filter(Boolean);
  let place: Answers = answers;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const list = place[parts[i]];
    const next = Array.isArray(list) ? (list[Number(parts[i + 1])] as Answers | undefined) : undefined;
    place = next && typeof next === 'object' ? next : {};
  }
  return place;
}

/**
 * The default answers of one new roster entry, added after the entries of `repeat` in the
 * entry at `prefix` ('' : the form itself; `household.0.` : the first household's).
 */
export function newEntry(form: Form, repeat: string, answers: Answers = {}, prefix = ''): Answers {
  // A member of a roster kept as a fact gets its lasting id now.
  const entry: Answers = prefix === '' && rosterFact(form, repeat) ? { [MEMBER_ID]: newMemberId() } : {};
  const list = Array.isArray(entryAt(answers, prefix)[repeat]) ? (entryAt(answers, prefix)[repeat] as Answers[]) : [];
  const index = list.length;
  // A copy of the answers with the new entry in place, so a default may read its own row.
  const sheet = JSON.parse(JSON.stringify(answers)) as Answers;
  entryAt(sheet, prefix)[repeat] = [...list.map((e) => ({ ...e })), entry];
  for (const q of form.questions) {
    if (repeatOf(form, q.group) !== repeat) continue;
    const value = defaultAnswer(form, q, sheet, `${prefix}${repeat}.${index}.${q.name}`);
    if (value !== undefined) entry[q.name] = value;
  }
  return entry;
}

/** The pre-filled questions (and rosters) sent exactly as they were known, after the cadre confirmed them. */
export function confirmedToSend(form: Form, sent: Answers, known: Record<string, Known>, confirmed: string[]): string[] {
  return confirmed.filter((name) => name in known && name in sent && same(factValue(form, name, sent[name]), known[name].value));
}

/** `3`, `-2`, `1.5`, `.5`, `3.` as numbers; anything else stays text, so its error shows. */
export function parseNumber(text: string): number | string | null {
  const s = text.trim();
  if (!s) return null;
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : s;
}

// --- drafts: every change kept on the phone (per user) until the response is queued ---

export interface Draft {
  answers: Answers;
  /** Pre-filled questions the cadre confirmed. */
  confirmed: string[];
  form_version_id: string;
  /** Set when the draft edits a response already made. */
  response_id?: string;
  updated_at: string;
}

// Drafts live in the per-user database's `meta` store, under one prefix per survey, so a
// second person on the same phone never sees them and one range read finds a survey's drafts.
const draftPrefix = (surveyId: string) => `survey-draft:${surveyId}:`;

export async function loadDraft(userId: string, surveyId: string, target: string): Promise<Draft | undefined> {
  return (await (await userDb(userId)).get('meta', draftPrefix(surveyId) + target)) as Draft | undefined;
}

export async function saveDraft(userId: string, surveyId: string, target: string, draft: Draft): Promise<void> {
  await (await userDb(userId)).put('meta', draft, draftPrefix(surveyId) + target);
}

export async function deleteDraft(userId: string, surveyId: string, target: string): Promise<void> {
  await (await userDb(userId)).delete('meta', draftPrefix(surveyId) + target);
}

/** The targets of one survey that have a draft. */
export async function draftTargets(userId: string, surveyId: string): Promise<Set<string>> {
  const prefix = draftPrefix(surveyId);
  const keys = await (await userDb(userId)).getAllKeys('meta', IDBKeyRange.bound(prefix, `${prefix}\uffff`));
  return new Set(keys.map((k) => String(k).slice(prefix.length)));
}

/**
 * Queue the response (a new record, or an edit of one already made) and drop the draft.
 * Returns the outbox item; the caller asks for a sync.
 */
export async function submitResponse(
  userId: string,
  survey: SurveyData,
  householdId: string | null,
  answers: Answers,
  confirmed: string[],
  editId?: string,
): Promise<OutboxItem> {
  const data: ResponseData = {
    survey_id: survey.survey_id,
    form_version_id: survey.form_version_id,
    village_code: survey.village_code,
    household_id: householdId,
    answers,
    confirmed,
    answered_at: new Date().toISOString(),
    language: lang.get(),
  };
  const record = data as unknown as Record<string, unknown>;
  const item = editId ? await saveEdit(userId, RESPONSE, editId, record) : await enqueue(userId, RESPONSE, record);
  await deleteDraft(userId, survey.survey_id, targetKey(survey.village_code, householdId));
  return item;
}
