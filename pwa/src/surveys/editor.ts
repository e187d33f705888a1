import type { FieldError } from '../api';
import type { MessageKey } from '../i18n';
import type { Choice, Condition, Constraint, Expressions, Form, Group, Label, Question, QuestionType } from './rules';

/**
 * The in-app form editor (编辑表单) of 调查管理: pure helpers between what a county admin types
 * on a phone and the form JSON of docs/surveys.md. The server checks the form again
 * (backend/surveys/forms.py); the checks here only catch what is plainly wrong before sending.
 */

export const QUESTION_TYPES: readonly QuestionType[] = [
  'text',
  'integer',
  'decimal',
  'date',
  'select_one',
  'select_multiple',
  'yes_no',
  'geopoint',
  'photo',
  'note',
  'calculate',
];
export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const CHOICE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
export const FACT_RE = /^[a-z][a-z0-9_]{0,39}$/;
export const COMMON_FACTS = ['members', 'phone', 'housing', 'income_band'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TEXT_LIMIT = 2000;
const COUNT_LIMIT = 500;

/** The ops the editor offers: one simple condition. Richer relevance is kept as it came. */
export type SimpleOp = '=' | '!=' | 'selected';

/** What a condition on a question of each type may use, within the editor's ops. */
export function opsFor(type: QuestionType): SimpleOp[] {
  if (type === 'select_one') return ['=', '!=', 'selected'];
  if (type === 'select_multiple') return ['selected'];
  if (type === 'geopoint' || type === 'photo' || type === 'note') return [];
  return ['=', '!='];
}

/** One question as the editor holds it: strings as typed, turned into the form by `buildForm`. */
export interface EditorQuestion {
  /** Stable while editing (names and positions change); never sent. */
  key: number;
  type: QuestionType;
  labelZh: string;
  labelEn: string;
  /** '' : numbered from its position when saved (`autoNames`). */
  name: string;
  required: boolean;
  /** integer, decimal: numbers; date: YYYY-MM-DD. */
  min: string;
  max: string;
  /** text */
  maxLength: string;
  /** select_multiple */
  maxCount: string;
  /** select types: one choice a line (`parseChoices`). */
  choices: string;
  /** '' : none. */
  fact: string;
  /** The earlier question the simple condition looks at (its key); null: always shown. */
  relKey: number | null;
  relOp: SimpleOp;
  relValue: string;
  /** Relevance the editor cannot express (an XLSForm's): sent back unchanged, shown read-only. */
  kept: Condition[][] | null;
  /** The group or repeat (roster) it is in; '' : none. */
  group: string;
  /** ODK expressions as typed (XPath with ${name}; '' : none), checked by the server. */
  expr: ExprText;
  /** The value shown before anything is answered ('' : none). */
  defaultValue: string;
  /** The form's own words when the constraint is broken ('' : ours). */
  messageZh: string;
  messageEn: string;
  /** The question as loaded: what the editor does not show (hint, min_length, …) is kept. */
  base: Question | null;
}

/** The expressions of a question the editor edits; choice_filter is kept as it came. */
export const EXPR_KEYS = ['relevant', 'constraint', 'required', 'calculation'] as const;
export type ExprKey = (typeof EXPR_KEYS)[number];
export type ExprText = Record<ExprKey, string>;
/** The longest expression the server takes. */
export const EXPR_LIMIT = 4000;
const noExpr = (): ExprText => ({ relevant: '', constraint: '', required: '', calculation: '' });

let lastKey = 0;
const freshKey = () => ++lastKey;

export function newQuestion(): EditorQuestion {
  return {
    key: freshKey(),
    type: 'text',
    labelZh: '',
    labelEn: '',
    name: '',
    required: false,
    min: '',
    max: '',
    maxLength: '',
    maxCount: '',
    choices: '',
    fact: '',
    relKey: null,
    relOp: '=',
    relValue: '',
    kept: null,
    group: '',
    expr: noExpr(),
    defaultValue: '',
    messageZh: '',
    messageEn: '',
    base: null,
  };
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The editor's view of a condition's value: 'true'/'false' for yes/no, numbers as text. */
function valueText(v: unknown): string | null {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return v;
  return null;
}

/** The working form as editor rows; relevance the editor cannot show stays in `kept`. */
export function fromForm(form: Form | null | undefined): EditorQuestion[] {
  const questions = form?.questions ?? [];
  const rows = questions.map((q) => ({ ...newQuestion(), base: q }));
  const earlier = new Map<string, { key: number; type: QuestionType }>();
  questions.forEach((q, i) => {
    const row = rows[i];
    const c = q.constraint ?? {};
    Object.assign(row, {
      type: q.type,
      labelZh: q.label?.zh ?? '',
      labelEn: q.label?.en && q.label.en !== q.label.zh ? q.label.en : '',
      name: q.name,
      required: !!q.required,
      min: str(c.min),
      max: str(c.max),
      maxLength: str(c.max_length),
      maxCount: str(c.max_count),
      choices: choicesText(q.choices ?? []),
      fact: q.fact ?? '',
      group: q.group ?? '',
      expr: Object.fromEntries(EXPR_KEYS.map((k) => [k, q.xpath?.[k] ?? ''])) as ExprText,
      defaultValue: q.default ?? '',
      messageZh: q.constraint_message?.zh ?? '',
      messageEn: q.constraint_message?.en && q.constraint_message.en !== q.constraint_message.zh ? q.constraint_message.en : '',
    });
    const rel = q.relevant;
    if (rel?.length) {
      const cond = rel.length === 1 && rel[0].length === 1 ? rel[0][0] : null;
      const target = cond ? earlier.get(cond.q) : undefined;
      const value = cond ? valueText(cond.value) : null;
      if (cond && target && value !== null && (opsFor(target.type) as string[]).includes(cond.op)) {
        row.relKey = target.key;
        row.relOp = cond.op as SimpleOp;
        row.relValue = value;
      } else {
        row.kept = rel;
      }
    }
    if (!earlier.has(q.name)) earlier.set(q.name, { key: row.key, type: q.type });
  });
  return rows;
}

// ---- choices ----

export interface ParsedChoices {
  choices: Choice[];
  /** 1-based numbers of the lines that cannot be read (bad code, no label, code used twice). */
  bad: number[];
}

/**
 * One choice a line: `中文` (code c1, c2… from its place), `代码=中文`, `中文=English` (when
 * the first part cannot be a code), or `代码=中文=English`. A full-width ＝ counts as =.
 */
export function parseChoices(text: string): ParsedChoices {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const read = lines.map((line) => {
    const parts = line.split(/[=＝]/).map((p) => p.trim());
    if (parts.length === 1) return { name: '', zh: parts[0], en: '' };
    if (parts.length === 2) {
      return CHOICE_RE.test(parts[0]) ? { name: parts[0], zh: parts[1], en: '' } : { name: '', zh: parts[0], en: parts[1] };
    }
    return { name: parts[0], zh: parts[1], en: parts.slice(2).join('=').trim() };
  });
  const used = new Set(read.map((r) => r.name).filter(Boolean));
  const seen = new Set<string>();
  const bad: number[] = [];
  const choices = read.map((r, i) => {
    let name = r.name;
    if (!name) {
      let n = i + 1;
      while (used.has(`c${n}`)) n += 1;
      name = `c${n}`;
      used.add(name);
    }
    const zh = r.zh || r.en;
    if (!CHOICE_RE.test(name) || !zh || seen.has(name)) bad.push(i + 1);
    seen.add(name);
    return { name, label: { zh, en: r.en || zh } };
  });
  return { choices, bad };
}

const sameChoices = (a: Choice[], b: Choice[]) => JSON.stringify(a) === JSON.stringify(b);

/** Choices as editor lines: the short `中文` where it reads back the same, else `代码=中文=English`. */
export function choicesText(choices: Choice[]): string {
  if (!choices.length) return '';
  const short = choices
    .map((c) => {
      const plain = !/[=＝\n]/.test(c.label.zh + c.label.en);
      if (plain && c.label.en === c.label.zh) return c.label.zh;
      return `${c.name}=${c.label.zh}=${c.label.en}`;
    })
    .join('\n');
  if (sameChoices(parseChoices(short).choices, choices)) return short;
  return choices.map((c) => `${c.name}=${c.label.zh}=${c.label.en}`).join('\n');
}

// ---- names ----

/** Question names: as typed, or q1, q2… from the position when empty, never one already used. */
export function autoNames(names: string[]): string[] {
  const used = new Set(names.map((n) => n.trim()).filter(Boolean));
  return names.map((raw, i) => {
    const name = raw.trim();
    if (name) return name;
    let candidate = `q${i + 1}`;
    for (let k = 2; used.has(candidate); k += 1) candidate = `q${i + 1}_${k}`;
    used.add(candidate);
    return candidate;
  });
}

// ---- building the form ----

/** Something the editor can tell is wrong before sending, on question `index`. */
export interface EditorProblem {
  index: number;
  /** The form field it is about (`label`, `name`, `choices`, `constraint`, `fact`, `relevant`). */
  field: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

const ORDERED = new Set<QuestionType>(['integer', 'decimal', 'date']);
const clean = (c: Constraint): Constraint =>
  Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined)) as Constraint;
const sameConstraint = (a: Constraint | null | undefined, b: Constraint | null) =>
  JSON.stringify(clean(a ?? {})) === JSON.stringify(clean(b ?? {}));

function bound(type: QuestionType, raw: string, add: (key: MessageKey) => void): number | string | null {
  const s = raw.trim();
  if (!s) return null;
  if (type === 'date') {
    if (!DATE_RE.test(s)) add('surveyEditor.err.date');
    return s;
  }
  const n = Number(s);
  if (!Number.isFinite(n)) {
    add('surveyEditor.err.number');
    return null;
  }
  return n;
}

function whole(raw: string, lo: number, hi: number, key: MessageKey, add: (key: MessageKey) => void): number | null {
  const s = raw.trim();
  if (!s) return null;
  const n = Number(s);
  if (!Number.isInteger(n) || n < lo || n > hi) {
    add(key);
    return null;
  }
  return n;
}

function constraintOf(q: EditorQuestion, add: (key: MessageKey) => void): Constraint | null {
  const c: Constraint = {};
  const old = q.base?.constraint ?? {};
  if (ORDERED.has(q.type)) {
    const lo = bound(q.type, q.min, add);
    const hi = bound(q.type, q.max, add);
    if (lo !== null) c.min = lo;
    if (hi !== null) c.max = hi;
    if (lo !== null && hi !== null && lo > hi) add('surveyEditor.err.range');
  } else if (q.type === 'text') {
    // min_length is not shown, only kept when the question was text already.
    if (q.base?.type === 'text' && old.min_length != null) c.min_length = old.min_length;
    const hi = whole(q.maxLength, 1, TEXT_LIMIT, 'surveyEditor.err.maxLength', add);
    if (hi !== null) c.max_length = hi;
  } else if (q.type === 'select_multiple') {
    if (q.base?.type === 'select_multiple' && old.min_count != null) c.min_count = old.min_count;
    const hi = whole(q.maxCount, 1, COUNT_LIMIT, 'surveyEditor.err.maxCount', add);
    if (hi !== null) c.max_count = hi;
  }
  return Object.keys(c).length ? c : null;
}

function conditionValue(target: EditorQuestion, raw: string): Condition['value'] | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  if (target.type === 'yes_no') return s === 'true' ? true : s === 'false' ? false : undefined;
  if (target.type === 'integer' || target.type === 'decimal') {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  if (target.type === 'date') return DATE_RE.test(s) ? s : undefined;
  if (target.type === 'select_one' || target.type === 'select_multiple') {
    return parseChoices(target.choices).choices.some((c) => c.name === s) ? s : undefined;
  }
  return s;
}

/**
 * The form JSON for `PUT /api/surveys/{id}/form`, and what is plainly wrong (nothing is sent
 * while there is any). Fields the editor does not show (hint, min_length, min_count, richer
 * relevance) are kept from the loaded question; its constraint message only while its
 * constraint is unchanged.
 */
export function buildForm(
  rows: EditorQuestion[],
  opts: { households: boolean; groups?: Form['groups'] },
): { form: Form; problems: EditorProblem[] } {
  const names = autoNames(rows.map((r) => r.name));
  const problems: EditorProblem[] = [];
  const seen = new Set<string>();
  const questions = rows.map((q, index): Question => {
    const add = (field: string) => (key: MessageKey, params?: Record<string, string | number>) =>
      problems.push(params ? { index, field, key, params } : { index, field, key });
    const name = names[index];
    const zh = q.labelZh.trim();
    if (!zh) add('label')('surveyEditor.err.labelRequired');
    if (!NAME_RE.test(name)) add('name')('surveyEditor.err.name');
    else if (seen.has(name)) add('name')('surveyEditor.err.nameDuplicate');
    seen.add(name);

    let choices: Choice[] | null = null;
    if (q.type === 'select_one' || q.type === 'select_multiple') {
      const parsed = parseChoices(q.choices);
      choices = parsed.choices;
      if (!choices.length) add('choices')('surveyEditor.err.choicesRequired');
      else if (parsed.bad.length) add('choices')('surveyEditor.err.choiceLines', { lines: parsed.bad.join(', ') });
    }

    const constraint = constraintOf(q, add('constraint'));
    const fact = opts.households ? q.fact.trim() : '';
    if (fact && !FACT_RE.test(fact)) add('fact')('surveyEditor.err.fact');

    let relevant: Condition[][] | null = q.kept;
    if (!relevant && q.relKey !== null) {
      const at = rows.findIndex((r) => r.key === q.relKey);
      const rel = add('relevant');
      if (at < 0) rel('surveyEditor.err.relevantGone');
      else if (at >= index) rel('surveyEditor.err.relevantOrder');
      else {
        const target = rows[at];
        const value = conditionValue(target, q.relValue);
        if (!opsFor(target.type).includes(q.relOp)) rel('surveyEditor.err.relevantOp');
        else if (value === undefined) rel('surveyEditor.err.relevantValue');
        else relevant = [[{ q: names[at], op: q.relOp, value }]];
      }
    }

    const xpath = expressionsOf(q.base?.xpath, q.expr, add('xpath'));
    if (q.type === 'calculate' && !xpath?.calculation) add('xpath')('surveyEditor.err.calculationRequired');
    const defaultValue = q.defaultValue.trim();
    if (defaultValue.length > 500) add('default')('surveyEditor.err.tooLong', { n: 500 });

    const base = q.base;
    return {
      // What an imported question carries beyond the editor's fields (group, ODK expressions,
      // default, appearance, other languages…) is kept as it came.
      ...keptFields(base),
      ...(q.group ? { group: q.group } : {}),
      name,
      type: q.type,
      label: { ...(base?.label ?? {}), zh, en: q.labelEn.trim() || zh },
      hint: base?.hint ?? null,
      required: q.required,
      constraint,
      constraint_message: messageOf(q, constraint, xpath),
      relevant,
      choices,
      fact: fact || null,
      ...(xpath ? { xpath } : {}),
      ...(defaultValue ? { default: defaultValue } : {}),
    };
  });
  const groups = opts.groups ?? [];
  const groupNames = new Set<string>();
  groups.forEach((g, i) => {
    if (!NAME_RE.test(g.name) || groupNames.has(g.name) || names.includes(g.name)) {
      problems.push({ index: -1 - i, field: 'group', key: 'surveyEditor.err.groupName', params: { name: g.name } });
    }
    groupNames.add(g.name);
    if (opts.households && g.fact && !FACT_RE.test(g.fact)) {
      problems.push({ index: -1 - i, field: 'group', key: 'surveyEditor.err.groupFact', params: { name: g.name } });
    }
    for (const [k, v] of Object.entries(g.xpath ?? {})) {
      if (typeof v === 'string' && v.length > EXPR_LIMIT) {
        problems.push({ index: -1 - i, field: 'group', key: 'surveyEditor.err.groupExprTooLong', params: { name: g.name, what: k, n: EXPR_LIMIT } });
      }
    }
  });
  rows.forEach((q, index) => {
    if (q.group && !groupNames.has(q.group)) problems.push({ index, field: 'group', key: 'surveyEditor.err.groupGone' });
  });
  // A roster is kept as a household fact only in a household survey.
  const kept = groups.map((g) => (g.fact && !opts.households ? { ...g, fact: null } : g));
  return { form: groups.length ? { questions, groups: kept } : { questions }, problems };
}

/** A new group (a section) or repeat (a roster such as a household's members). */
export function newGroup(existing: Group[], repeat: boolean): Group {
  const used = new Set(existing.map((g) => g.name));
  let n = existing.length + 1;
  while (used.has(`${repeat ? 'roster' : 'group'}_${n}`)) n += 1;
  const name = `${repeat ? 'roster' : 'group'}_${n}`;
  return { name, label: { zh: name, en: name }, repeat };
}

const KEPT = ['required_message', 'appearance', 'read_only', 'range', 'meta'] as const;

function keptFields(base: Question | null): Partial<Question> {
  const out: Partial<Question> = {};
  for (const key of KEPT) {
    if (base && base[key] !== undefined && base[key] !== null) (out as Record<string, unknown>)[key] = base[key];
  }
  return out;
}

/**
 * The question's expressions: what the editor shows as typed (trimmed, curly quotes pasted from
 * Word straightened as the importer does), the rest (choice_filter) kept; null when none.
 */
function expressionsOf(kept: Expressions | null | undefined, typed: ExprText, add: (key: MessageKey, params?: Record<string, string | number>) => void): Expressions | null {
  const out: Expressions = { ...(kept ?? {}) };
  for (const k of EXPR_KEYS) {
    const text = straighten(typed[k]).trim();
    if (text.length > EXPR_LIMIT) add('surveyEditor.err.exprTooLong', { n: EXPR_LIMIT });
    if (text) out[k] = text;
    else delete out[k];
  }
  const given = Object.entries(out).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return given.length ? (Object.fromEntries(given) as Expressions) : null;
}

/** Quotes pasted from Word (‘ ’ “ ”) as the plain ones XPath reads. */
export const straighten = (text: string): string => text.replace(/[‘’]/g, "'").replace(/[“”]/g, '"');

/**
 * The constraint message as typed; a loaded one left as it was is dropped when the rule it
 * explains changed (its bounds or its expression), so it never describes a rule gone.
 */
function messageOf(q: EditorQuestion, constraint: Constraint | null, xpath: Expressions | null): Label | null {
  const zh = q.messageZh.trim();
  const en = q.messageEn.trim();
  if (!zh && !en) return null;
  const old = q.base?.constraint_message ?? null;
  const untouched = !!old && zh === (old.zh ?? '') && (en === '' ? old.en === old.zh : en === old.en);
  if (untouched) {
    const same = sameConstraint(q.base?.constraint, constraint) && (q.base?.xpath?.constraint ?? null) === (xpath?.constraint ?? null);
    return same ? old : null;
  }
  return { ...(old ?? {}), zh: zh || en, en: en || zh };
}

// ---- groups ----

/** Set (or clear, with '') one expression of a group: its relevance, or a repeat's count. */
export function setGroupExpr(g: Group, key: 'relevant' | 'repeat_count', text: string): Group {
  const xpath: Expressions = { ...(g.xpath ?? {}) };
  const value = straighten(text);
  if (value.trim()) xpath[key] = value;
  else delete xpath[key];
  const given = Object.entries(xpath).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const out: Group = { ...g };
  if (given.length) out.xpath = Object.fromEntries(given) as Expressions;
  else delete out.xpath;
  return out;
}

/**
 * A new question in group `name`, placed after the group's last question (or at the end when
 * the group has none yet), so a group's questions stay together.
 */
export function addToGroup(rows: EditorQuestion[], name: string): EditorQuestion[] {
  let at = -1;
  rows.forEach((r, i) => {
    if (r.group === name) at = i;
  });
  const q = { ...newQuestion(), group: name };
  if (at < 0) return [...rows, q];
  return [...rows.slice(0, at + 1), q, ...rows.slice(at + 1)];
}

/** Groups in a new order: swap group `i` with its neighbour (questions keep their group). */
export const moveGroup = (groups: Group[], i: number, delta: -1 | 1): Group[] => move(groups, i, delta);

// ---- editing ----

/** The question with a new type; bounds of another kind (numbers ↔ dates) are cleared. */
export function changeType(q: EditorQuestion, type: QuestionType): EditorQuestion {
  const kind = (t: QuestionType) => (t === 'date' ? 'date' : t === 'integer' || t === 'decimal' ? 'number' : 'none');
  return kind(type) === kind(q.type) ? { ...q, type } : { ...q, type, min: '', max: '' };
}

/** Swap question `i` with its neighbour `i + delta` (nothing when that is off either end). */
export function move<T>(rows: T[], i: number, delta: -1 | 1): T[] {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= rows.length || j >= rows.length) return rows;
  const out = [...rows];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

// ---- server answers ----

export interface QuestionError {
  field: string;
  message: string;
}

/**
 * A 422 of `PUT …/form` by question: `form.questions.<i>.<field>…` (or without the `form.`
 * or with a `body.` prefix, as validation of the JSON itself names it) goes to question i;
 * anything else (or an index past the end) is `other`.
 */
export function errorsByQuestion(errors: FieldError[], count: number): { byIndex: Map<number, QuestionError[]>; other: FieldError[] } {
  const byIndex = new Map<number, QuestionError[]>();
  const other: FieldError[] = [];
  for (const e of errors) {
    const m = /(?:^|\.)questions\.(\d+)(?:\.([^.]+))?/.exec(e.field);
    const index = m ? Number(m[1]) : -1;
    if (!m || index >= count) {
      other.push(e);
      continue;
    }
    const list = byIndex.get(index) ?? [];
    list.push({ field: m[2] ?? '', message: e.message });
    byIndex.set(index, list);
  }
  return { byIndex, other };
}
