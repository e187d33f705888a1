/**
 * Which questions a survey form shows and whether answers keep its rules: pure functions.
 *
 * The server runs the same rules (backend/surveys/rules.py), and both are tested against
 * tests/fixtures/survey_rules.json, so the phone never accepts what the server will reject
 * (or the other way round). The rules are written out in docs/surveys.md; this file mirrors
 * the Python line for line, including its idea of equality (see `same`). ODK expressions are
 * evaluated by Enketo's evaluator (./xpath.ts), the server's by backend/surveys/xpath.py.
 */
import type { Schema, Sent } from '../api';
import { shapeError } from './geoshapes';
import { addNode, bindChoices, isTrue, newInstance, numberText, ROOT, valueOf, type ChoiceLabels } from './xpath';

// The form as the server's models define it (backend/surveys/forms.py), generated into
// api.gen.ts: one shape for the phone, the admin screen and the server. The editor and imports
// may leave out what the server defaults; a label carries a form's further languages (ug, bo,
// sw…) as extra keys.
export type Question = Sent<Schema<'Question'>, 'required' | 'read_only' | 'meta'>;
export type Group = Sent<Schema<'Group'>, 'repeat' | 'max_entries'>;
export type Form = Omit<Schema<'Form'>, 'questions' | 'groups'> & { questions: Question[]; groups?: Group[] };
export type QuestionType = Question['type'];
export type Label = Schema<'Label'>;
export type Choice = Schema<'Choice'>;
/** ODK expressions (XPath with ${name}); see docs/surveys.md. */
export type Expressions = Schema<'Expressions'>;
export type Condition = Schema<'Condition'>;
export type Constraint = Schema<'Constraint'>;

/** Types nobody answers: a note is read, a calculation is computed. */
export const UNANSWERED_TYPES = new Set<string>(['note', 'calculate']);
/** Metadata the phone fills in itself. */
export const META_TYPES = new Set<string>(['start', 'end', 'today', 'deviceid', 'username']);

export type Answers = Record<string, unknown>;

export interface AnswerError {
  question: string;
  code: string;
}

export const TEXT_MAX = 2000;
/**
 * The key of a roster entry's lasting member id, in a roster kept as a household fact: a UUID
 * made on the phone when the entry is added (never a question name, which has no `@`).
 */
export const MEMBER_ID = '@id';
const MEMBER_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const GEO_KEYS = new Set(['lat', 'lon', 'accuracy_m', 'captured_at']);
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;
const isDatetime = (v: unknown): boolean => typeof v === 'string' && DATETIME.test(v) && isDate(v.slice(0, 10));

function rangeError(question: Question, value: unknown): string | null {
  if (!isNumber(value)) return 'not_number';
  const { start = 0, end = 10, step = 1 } = question.range ?? {};
  if (value < Math.min(start, end)) return 'below_min';
  if (value > Math.max(start, end)) return 'above_max';
  const steps = (value - start) / (step || 1);
  return Math.abs(steps - Math.round(steps)) < 1e-9 ? null : 'off_step';
}

/** None, a blank string and an empty list are no answer. */
export function isAnswered(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `YYYY-MM-DD` naming a real day (Python's date.fromisoformat: years 1…9999). */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

function geopointError(value: unknown): boolean {
  if (!isObject(value) || Object.keys(value).some((k) => !GEO_KEYS.has(k))) return true;
  const { lat, lon, accuracy_m: accuracy, captured_at: at } = value;
  if (!(isNumber(lat) && isNumber(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return true;
  if (accuracy !== null && accuracy !== undefined && !(isNumber(accuracy) && accuracy >= 0)) return true;
  return at !== null && at !== undefined && typeof at !== 'string';
}

/** The code for an answer not of the question's type, or null when it is. */
export function typeError(question: Question, value: unknown): string | null {
  const names = new Set((question.choices ?? []).map((c) => c.name));
  switch (question.type) {
    case 'text':
    case 'barcode':
    case 'deviceid':
    case 'username':
    case 'calculate':
      return typeof value === 'string' ? null : 'not_text';
    case 'time':
      return typeof value === 'string' && TIME.test(value) ? null : 'not_time';
    case 'datetime':
    case 'start':
    case 'end':
      return isDatetime(value) ? null : 'not_datetime';
    case 'today':
      return isDate(value) ? null : 'not_date';
    case 'range':
      return rangeError(question, value);
    case 'acknowledge':
      return value === 'OK' ? null : 'not_acknowledged';
    case 'integer':
      // Beyond 2^53 a number is no longer exact (the server refuses it the same way).
      return isNumber(value) && Number.isInteger(value) && Math.abs(value) <= 2 ** 53 ? null : 'not_integer';
    case 'decimal':
      return isNumber(value) ? null : 'not_number';
    case 'date':
      return isDate(value) ? null : 'not_date';
    case 'select_one':
      return typeof value === 'string' && names.has(value) ? null : 'not_choice';
    case 'select_multiple': {
      const ok =
        Array.isArray(value) &&
        value.every((v) => typeof v === 'string' && names.has(v)) &&
        new Set(value).size === value.length;
      return ok ? null : 'not_choice';
    }
    case 'yes_no':
      return typeof value === 'boolean' ? null : 'not_boolean';
    case 'geopoint':
      return geopointError(value) ? 'not_geopoint' : null;
    case 'geotrace':
    case 'geoshape':
      return shapeError(question.type, value);
    case 'photo':
      return typeof value === 'string' && SHA256.test(value) ? null : 'not_photo';
    default:
      return 'unknown_type';
  }
}

/**
 * Python's `==` on JSON values: lists and objects compare by content, and a boolean equals
 * the number it stands for (True == 1), so the phone and the server agree on every condition.
 */
export function same(a: unknown, b: unknown): boolean {
  const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
  if (typeof num(a) === 'number' && typeof num(b) === 'number') return num(a) === num(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && same(a[k], b[k]));
  }
  return a === b;
}

function compare(op: string, left: unknown, right: unknown): boolean {
  if (op === '=') return same(left, right);
  if (op === '!=') return !same(left, right);
  if (op === 'selected' || op === 'not_selected') {
    const chosen = Array.isArray(left) ? left : [left];
    return chosen.some((c) => same(c, right)) === (op === 'selected');
  }
  // Ordering compares numbers with numbers and ISO dates with ISO dates only.
  if (typeof left === 'boolean' || typeof right === 'boolean') return false;
  const numbers = isNumber(left) && isNumber(right);
  if (!(numbers || (typeof left === 'string' && typeof right === 'string'))) return false;
  const l = left as number | string;
  const r = right as number | string;
  switch (op) {
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    default:
      return false;
  }
}

/** The repeat a question (or group) is inside, following the groups outwards. */
export function repeatOf(form: Form, name: string | null | undefined): string | null {
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const seen = new Set<string>();
  while (name && groups.has(name) && !seen.has(name)) {
    seen.add(name);
    const g = groups.get(name)!;
    if (g.repeat) return name;
    name = g.parent;
  }
  return null;
}

/** The repeats from the outermost down to `repeat` ([household, jobs]). Mirrors rules.py. */
export function repeatChain(form: Form, repeat: string | null | undefined): string[] {
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const chain: string[] = [];
  while (repeat && !chain.includes(repeat)) {
    chain.push(repeat);
    const g = groups.get(repeat);
    repeat = g ? repeatOf(form, g.parent) : null;
  }
  return chain.reverse();
}

/**
 * An expression with ${name} written as that question's path: /data/q outside repeats,
 * /data/roster/q for every entry, and relative to the nearest entry it shares with `here` (the
 * innermost repeat), as pyxform writes it: ../q in the same entry, ../../q in the entry
 * around it, ../jobs/q for a roster inside it. The context is a question's node, or with
 * `holder` the entry itself (a repeat_count). Mirrors rules.py `xpath_text`.
 */
export function xpathText(form: Form, text: string, here: string | null, holder = false): string {
  if (!text.includes('${')) return text;
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const around = repeatChain(form, here);
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    let target: string[];
    if (groups.get(name)?.repeat) target = repeatChain(form, name);
    else {
      const question = form.questions.find((q) => q.name === name);
      target = [...repeatChain(form, question ? repeatOf(form, question.group) : null), name];
    }
    let shared = 0;
    while (shared < around.length && shared < target.length - 1 && around[shared] === target[shared]) shared++;
    if (shared === 0) return ['', ROOT, ...target].join('/');
    const ups = around.length - shared + (holder ? 0 : 1);
    const rest = target.slice(shared);
    return ups ? [...Array<string>(ups).fill('..'), ...rest].join('/') : `./${rest.join('/')}`;
  });
}

/** An answer as the text of its node (what XPath sees). */
export function answerText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (isNumber(value)) return numberText(value);
  if (Array.isArray(value)) return value.map(String).join(' ');
  if (isObject(value)) {
    if (geopointError(value)) return '';
    const acc = value.accuracy_m ?? 0;
    return [value.lat, value.lon, 0, acc].map((v) => numberText(v as number)).join(' ');
  }
  return String(value);
}

type Entry = Record<string, unknown>;

function entries(answers: Answers, name: string): Entry[] {
  const value = answers[name];
  if (!Array.isArray(value)) return [];
  return value.map((e) => (isObject(e) ? e : {}));
}

interface Step {
  question: Question;
  path: string;
  values: Answers;
  here: string | null;
}

export type Item = { kind: 'question'; question: Question } | { kind: 'repeat'; repeat: string };

/**
 * What each level holds in form order ('' : the form itself, else a repeat's entry): its own
 * questions, and each repeat inside it where that repeat's first question stands.
 */
export function layout(form: Form): Map<string, Item[]> {
  const out = new Map<string, Item[]>([['', []]]);
  const placed = new Set<string>();
  for (const question of form.questions) {
    const chain = repeatChain(form, repeatOf(form, question.group));
    for (let depth = 0; depth <= chain.length; depth++) {
      const scope = depth ? chain[depth - 1] : '';
      if (!out.has(scope)) out.set(scope, []);
      const items = out.get(scope)!;
      if (depth === chain.length) items.push({ kind: 'question', question });
      else if (!placed.has(chain[depth])) {
        placed.add(chain[depth]);
        items.push({ kind: 'repeat', repeat: chain[depth] });
      }
    }
  }
  return out;
}

/** The repeats directly inside `scope` (null: at the top of the form). */
export function innerRepeats(form: Form, scope: string | null): Set<string> {
  return new Set((form.groups ?? []).filter((g) => g.repeat && repeatOf(form, g.parent) === scope).map((g) => g.name));
}

/** (question, path, the answers it sits among, its innermost repeat) in form order, at any depth. */
function inOrder(form: Form, answers: Answers): Step[] {
  const out: Step[] = [];
  const levels = layout(form);
  const visit = (scope: string | null, values: Answers, prefix: string) => {
    for (const item of levels.get(scope ?? '') ?? []) {
      if (item.kind === 'question') out.push({ question: item.question, path: prefix + item.question.name, values, here: scope });
      else entries(values, item.repeat).forEach((entry, index) => visit(item.repeat, entry, `${prefix}${item.repeat}.${index}.`));
    }
  };
  visit(null, answers, '');
  return out;
}

/** A select question's choices by name with their labels (what jr:choice-name reads). Mirrors rules.py. */
export function choiceLabels(form: Form): ChoiceLabels {
  return (name) => Object.fromEntries((form.questions.find((q) => q.name === name)?.choices ?? []).map((c) => [c.name, c.label]));
}

/** The answers as /data/... nodes in form order; a roster inside an entry within that entry's node. */
export function buildInstance(form: Form, answers: Answers): { doc: XMLDocument; nodes: Map<string, Element> } {
  const doc = newInstance();
  bindChoices(doc, choiceLabels(form));
  const root = doc.documentElement;
  const nodes = new Map<string, Element>([['', root]]);
  const levels = layout(form);
  const fill = (holder: Element, scope: string | null, values: Answers, prefix: string) => {
    for (const item of levels.get(scope ?? '') ?? []) {
      if (item.kind === 'question') {
        const name = item.question.name;
        nodes.set(prefix + name, addNode(holder, name, answerText(values[name])));
        continue;
      }
      entries(values, item.repeat).forEach((entry, index) => {
        const path = `${prefix}${item.repeat}.${index}`;
        const node = addNode(holder, item.repeat, '');
        nodes.set(path, node);
        fill(node, item.repeat, entry, `${path}.`);
      });
    }
  };
  fill(root, null, answers, '');
  return { doc, nodes };
}

const holdsAt = (form: Form, text: string | null | undefined, node: Node, here: string | null, holder = false): boolean =>
  !text || isTrue(xpathText(form, text, here, holder), node);

function groupsShown(form: Form, group: string | null | undefined, node: Node, here: string | null): boolean {
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const seen = new Set<string>();
  while (group && groups.has(group) && !seen.has(group)) {
    seen.add(group);
    const g = groups.get(group)!;
    if (!holdsAt(form, g.xpath?.relevant, node, here)) return false;
    group = g.parent;
  }
  return true;
}

/** What a form shows for some answers (paths such as q and roster.0.q) and what it computes. */
export interface Walk {
  shown: string[];
  calculated: Map<string, string>;
  nodes: Map<string, Element>;
  doc: XMLDocument;
}

/**
 * Which questions show, in form order, computing calculations as it goes (a later expression
 * sees an earlier calculation; a hidden question counts as empty). Mirrors rules.py `walk`.
 */
export function walk(form: Form, answers: Answers): Walk {
  const { doc, nodes } = buildInstance(form, answers);
  const byName = new Map(form.questions.map((q) => [q.name, q]));
  const shown: string[] = [];
  const shownNames = new Set<string>();
  const calculated = new Map<string, string>();
  const holds = (c: Condition, values: Answers): boolean => {
    const value = values[c.q];
    if (!shownNames.has(c.q) || !isAnswered(value)) return false;
    if (typeError(byName.get(c.q)!, value)) return false;
    return compare(c.op, value, c.value);
  };
  for (const { question, path, values, here } of inOrder(form, answers)) {
    const node = nodes.get(path)!;
    const groups = question.relevant;
    const structured = !groups || groups.length === 0 || groups.some((g) => g.every((c) => holds(c, values)));
    const expr = question.xpath ?? {};
    const visible = structured && groupsShown(form, question.group, node, here) && holdsAt(form, expr.relevant, node, here);
    if (!visible) {
      node.textContent = '';
      continue;
    }
    shown.push(path);
    if (here === null) shownNames.add(question.name);
    if (question.type === 'calculate' && expr.calculation) {
      const text = valueOf(xpathText(form, expr.calculation, here), node);
      node.textContent = text;
      calculated.set(path, text);
    }
  }
  return { shown, calculated, nodes, doc };
}

/** The questions shown for these answers, in form order (roster.0.q in a roster). */
export function visibleQuestions(form: Form, answers: Answers): string[] {
  return walk(form, answers).shown;
}

const given = (v: unknown): boolean => v !== null && v !== undefined;

function constraintError(question: Question, value: unknown): string | null {
  const rule = question.constraint ?? {};
  switch (question.type) {
    case 'integer':
    case 'decimal':
    case 'date': {
      const v = value as number | string;
      if (given(rule.min) && v < (rule.min as number | string)) return 'below_min';
      if (given(rule.max) && v > (rule.max as number | string)) return 'above_max';
      return null;
    }
    case 'text': {
      const length = [...(value as string)].length; // characters (code points), as Python's len
      if (given(rule.min_length) && length < rule.min_length!) return 'too_short';
      if (length > Math.min(rule.max_length || TEXT_MAX, TEXT_MAX)) return 'too_long';
      return null;
    }
    case 'select_multiple': {
      const n = (value as unknown[]).length;
      if (given(rule.min_count) && n < rule.min_count!) return 'too_few';
      if (given(rule.max_count) && n > rule.max_count!) return 'too_many';
      return null;
    }
    default:
      return null;
  }
}

/** The path of the node a question's node sits in: the roster entry, or the root. */
const holderOf = (path: string): string => path.split('.').slice(0, -1).join('.');

/** The element a choice stands in while a choice_filter is evaluated (as on the server). */
export const CHOICE_ITEM = 'zc__choice';

/**
 * The names of the choices a choice_filter keeps for the answers (a cascade: township →
 * village). Each choice stands in the instance, beside the question, as an element whose
 * children are its name and its other columns, and is kept when the filter is true with that
 * element as `.` (`town = ${town}` reads the choice's town column and the answer to town).
 * Mirrors rules.py `kept_choices`.
 */
export function keptChoices(form: Form, question: Question, path: string, state: Walk, here: string | null): Set<string> {
  const choices = question.choices ?? [];
  const filter = question.xpath?.choice_filter;
  if (!filter) return new Set(choices.map((c) => c.name));
  const holder = state.nodes.get(holderOf(path)) ?? state.doc.documentElement;
  const items = choices.map((c) => {
    const item = addNode(holder, CHOICE_ITEM, '');
    addNode(item, 'name', c.name);
    for (const [k, v] of Object.entries(c.filters ?? {})) addNode(item, k, v);
    return [c.name, item] as const;
  });
  try {
    return new Set(items.filter(([, item]) => holdsAt(form, filter, item, here)).map(([name]) => name));
  } finally {
    for (const [, item] of items) item.remove();
  }
}

/**
 * An expression's text value for these answers at the question `path` (q, roster.0.q; the
 * root when empty): what a label shows for ${q}, and a default written as an expression.
 * Mirrors rules.py `expression_value`.
 */
export function expressionValue(form: Form, answers: Answers, text: string, path = '', state?: Walk): string {
  const w = state ?? walk(form, answers);
  const node = w.nodes.get(path) ?? w.doc.documentElement;
  const parts = path.split('.');
  const here = parts.length >= 3 ? parts[parts.length - 3] : null;
  return valueOf(xpathText(form, text, here), node);
}

/** A label, hint or note with each ${name} replaced by that answer or calculation, read from
 * the question at `path` (in a roster, the member's own row), as ODK's output values. */
export function fillText(form: Form, answers: Answers, text: string, path: string, state?: Walk): string {
  if (!text.includes('${')) return text;
  const w = state ?? walk(form, answers);
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) =>
    expressionValue(form, answers, `string(\${${name}})`, path, w),
  );
}

function questionError(form: Form, question: Question, value: unknown, path: string, state: Walk, here: string | null): string | null {
  const shown = state.shown.includes(path);
  const expr = question.xpath ?? {};
  const node = state.nodes.get(path)!;
  if (UNANSWERED_TYPES.has(question.type)) return question.type === 'note' && isAnswered(value) ? 'read_only' : null;
  if (!isAnswered(value)) {
    const needed = question.required || (!!expr.required && holdsAt(form, expr.required, node, here));
    return shown && needed && !META_TYPES.has(question.type) ? 'required' : null;
  }
  if (!shown) return 'not_relevant';
  let code = typeError(question, value) ?? constraintError(question, value);
  if (code === null && expr.choice_filter) {
    const kept = keptChoices(form, question, path, state, here);
    const chosen = Array.isArray(value) ? value : [value];
    if (chosen.some((c) => !kept.has(c as string))) code = 'filtered_choice';
  }
  if (code === null && expr.constraint && !holdsAt(form, expr.constraint, node, here)) code = 'constraint';
  return code;
}

/**
 * Whether a roster shows: one of its entries has a shown question, or, before it has any entry,
 * the roster and the groups around it (up to the entry it sits in) are relevant there (the form
 * itself at the top). Mirrors rules.py `roster_shown`.
 */
export function rosterShown(form: Form, repeat: string, values: Answers, prefix: string, state: Walk, scope: string | null): boolean {
  if (entries(values, repeat).length) {
    const at = `${prefix}${repeat}.`;
    return state.shown.some((p) => p.startsWith(at));
  }
  const holder = state.nodes.get(prefix.slice(0, -1)) ?? state.doc.documentElement;
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const seen = new Set<string>();
  let name: string | null | undefined = repeat;
  while (name && groups.has(name) && name !== scope && !seen.has(name)) {
    seen.add(name);
    const g: Group = groups.get(name)!;
    if (!holdsAt(form, g.xpath?.relevant, holder, scope, true)) return false;
    name = g.parent;
  }
  return true;
}

/** Per entry of a roster kept as a fact: its member id missing, not a UUID, or an earlier entry's. */
function memberErrors(list: Entry[]): Map<number, string> {
  const seen = new Set<string>();
  const out = new Map<number, string>();
  list.forEach((entry, index) => {
    const member = entry[MEMBER_ID];
    if (member === null || member === undefined) out.set(index, 'member_id_missing');
    else if (typeof member !== 'string' || !MEMBER_ID_RE.test(member)) out.set(index, 'member_id_invalid');
    else if (seen.has(member)) out.set(index, 'member_id_duplicate');
    if (typeof member === 'string') seen.add(member);
  });
  return out;
}

function repeatErrors(form: Form, repeat: Group, values: Answers, prefix: string, state: Walk, scope: string | null): AnswerError[] {
  const name = repeat.name;
  const value = values[name];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) return [{ question: prefix + name, code: 'not_list' }];
  if (value.length > (repeat.max_entries ?? 50)) return [{ question: prefix + name, code: 'too_many_entries' }];
  let members = new Map<number, string>();
  if (repeat.fact) {
    // A roster kept as a fact is sent only when it shows: it then replaces the fact.
    if (!rosterShown(form, name, values, prefix, state, scope)) return [{ question: prefix + name, code: 'not_relevant' }];
    members = memberErrors(value);
  }
  const errors: AnswerError[] = [];
  const count = repeat.xpath?.repeat_count;
  if (count) {
    // Evaluated in the entry the roster sits in (the form itself at the top).
    const holder = state.nodes.get(prefix.slice(0, -1))!;
    const text = valueOf(xpathText(form, count, scope, true), holder).trim();
    const wanted = text === '' ? NaN : Number(text);
    if (!Number.isNaN(wanted) && value.length !== Math.trunc(wanted)) errors.push({ question: prefix + name, code: 'repeat_count' });
  }
  value.forEach((entry: Entry, index) => {
    const code = members.get(index);
    if (code) errors.push({ question: `${prefix}${name}.${index}`, code });
    errors.push(...levelErrors(form, name, entry, `${prefix}${name}.${index}.`, state));
  });
  return errors;
}

/** The errors of the form (scope null) or of one roster entry, then names it does not know. */
function levelErrors(form: Form, scope: string | null, values: Answers, prefix: string, state: Walk): AnswerError[] {
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const errors: AnswerError[] = [];
  const known = innerRepeats(form, scope);
  if (scope !== null && groups.get(scope)?.fact) known.add(MEMBER_ID);
  for (const item of layout(form).get(scope ?? '') ?? []) {
    if (item.kind === 'repeat') {
      errors.push(...repeatErrors(form, groups.get(item.repeat)!, values, prefix, state, scope));
      continue;
    }
    const q = item.question;
    known.add(q.name);
    const code = questionError(form, q, values[q.name], prefix + q.name, state, scope);
    if (code) errors.push({ question: prefix + q.name, code });
  }
  for (const k of Object.keys(values).filter((k) => !known.has(k)).sort()) errors.push({ question: prefix + k, code: 'unknown_question' });
  return errors;
}

/** Every broken rule: form order, one error a question, then unknown names by name. */
export function checkAnswers(form: Form, answers: Answers): AnswerError[] {
  return levelErrors(form, null, answers, '', walk(form, answers));
}

/** The answers with every calculation's value as computed now (sent with the response). */
export function withCalculations(form: Form, answers: Answers): Answers {
  const out: Answers = { ...answers };
  for (const [path, text] of walk(form, answers).calculated) {
    const parts = path.split('.');
    if (parts.length === 1) {
      if (text) out[path] = text;
      else delete out[path];
      continue;
    }
    // Copy each list and entry on the way down, so the answers given are never changed.
    let place: Answers = out;
    for (let i = 0; i < parts.length - 1; i += 2) {
      const list = (place[parts[i]] as Entry[]).map((e) => ({ ...e }));
      place[parts[i]] = list;
      place = list[Number(parts[i + 1])];
    }
    if (text) place[parts[parts.length - 1]] = text;
  }
  return out;
}
