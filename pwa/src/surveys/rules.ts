/**
 * Which questions a survey form shows and whether answers keep its rules: pure functions.
 *
 * The server runs the same rules (backend/surveys/rules.py), and both are tested against
 * tests/fixtures/survey_rules.json, so the phone never accepts what the server will reject
 * (or the other way round). The rules are written out in docs/surveys.md; this file mirrors
 * the Python line for line, including its idea of equality (see `same`).
 */

export type QuestionType =
  | 'text'
  | 'integer'
  | 'decimal'
  | 'date'
  | 'select_one'
  | 'select_multiple'
  | 'yes_no'
  | 'geopoint'
  | 'photo';

export interface Label {
  zh: string;
  en: string;
}

export interface Choice {
  name: string;
  label: Label;
}

export interface Condition {
  q: string;
  op: '=' | '!=' | '>' | '>=' | '<' | '<=' | 'selected' | 'not_selected';
  value: unknown;
}

export interface Constraint {
  min?: number | string | null;
  max?: number | string | null;
  min_length?: number | null;
  max_length?: number | null;
  min_count?: number | null;
  max_count?: number | null;
}

export interface Question {
  name: string;
  type: QuestionType;
  label: Label;
  hint?: Label | null;
  required?: boolean;
  constraint?: Constraint | null;
  constraint_message?: Label | null;
  relevant?: Condition[][] | null;
  choices?: Choice[] | null;
  fact?: string | null;
}

export interface Form {
  questions: Question[];
}

export type Answers = Record<string, unknown>;

export interface AnswerError {
  question: string;
  code: string;
}

export const TEXT_MAX = 2000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const GEO_KEYS = new Set(['lat', 'lon', 'accuracy_m', 'captured_at']);

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
      return typeof value === 'string' ? null : 'not_text';
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

/** The names of the questions shown for these answers, in form order. */
export function visibleQuestions(form: Form, answers: Answers): string[] {
  const byName = new Map(form.questions.map((q) => [q.name, q]));
  // Filled in form order, so a condition can only hold on an earlier, shown question.
  const shown = new Set<string>();
  const holds = (c: Condition): boolean => {
    const value = answers[c.q];
    if (!shown.has(c.q) || !isAnswered(value) || typeError(byName.get(c.q)!, value)) return false;
    return compare(c.op, value, c.value);
  };
  for (const q of form.questions) {
    const groups = q.relevant;
    if (!groups || groups.length === 0 || groups.some((group) => group.every(holds))) shown.add(q.name);
  }
  return [...shown];
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

/** Every broken rule: form order, one error a question, then unknown names by name. */
export function checkAnswers(form: Form, answers: Answers): AnswerError[] {
  const shown = new Set(visibleQuestions(form, answers));
  const errors: AnswerError[] = [];
  for (const q of form.questions) {
    const value = answers[q.name];
    if (!isAnswered(value)) {
      if (shown.has(q.name) && q.required) errors.push({ question: q.name, code: 'required' });
      continue;
    }
    if (!shown.has(q.name)) {
      errors.push({ question: q.name, code: 'not_relevant' });
      continue;
    }
    const code = typeError(q, value) ?? constraintError(q, value);
    if (code) errors.push({ question: q.name, code });
  }
  const known = new Set(form.questions.map((q) => q.name));
  const unknown = Object.keys(answers).filter((name) => !known.has(name)).sort();
  for (const name of unknown) errors.push({ question: name, code: 'unknown_question' });
  return errors;
}
