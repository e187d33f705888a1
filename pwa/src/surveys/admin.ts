import { ApiError, api, type FieldError, type Schema } from '../api';
import type { User } from '../auth';
import { byCode } from '../dashboard/dashboard';
import { t, type Lang } from '../i18n';
import { inLang } from '../notify/inbox';
import type { Condition, Constraint, Form, Label, Question } from './rules';
import { localDate } from '../time';

/**
 * 调查管理 (county admins, township reviewers): the HTTP calls of docs/surveys.md and the pure
 * helpers the screen shows them with. Online only: nothing here is queued.
 */

// What crosses the wire, as the server's schemas define it (backend/surveys/schemas.py).
export type Survey = Schema<'SurveyOut'>;
export type SurveyState = Survey['state'];
export type Target = Survey['target'];
export type FormVersion = Schema<'VersionOut'>;
export type SurveyIn = Schema<'SurveyIn'>;
/** A question asking a household fact: how many targeted households already have it. */
export type KnownFact = Schema<'KnownFact'>;
/** Another survey asking the same households within the window, one row per shared village. */
export type Overlap = Schema<'Overlap'>;
export type Preview = Schema<'PreviewOut'>;
export type VillageProgress = Schema<'VillageProgress'>;
export type Progress = Schema<'ProgressOut'>;
export type PlanSurvey = Schema<'PlannedSurvey'>;
export type PlanVillage = Schema<'VillagePlan'>;
/** A division as this screen reads it. */
export type Village = Pick<Schema<'DivisionOut'>, 'code' | 'name' | 'parent_code' | 'county_code' | 'level'>;

// The form is one shape for the phone and the admin screen (docs/surveys.md).
export type { Condition, Constraint, Form, Label, Question };

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const EXPORTS = ['xlsx', 'csv', 'zip', 'geojson'] as const;
export type ExportKind = (typeof EXPORTS)[number];

const id = encodeURIComponent;

// ---- calls ----

export const listSurveys = (userId: string) => api<Survey[]>('/surveys', { user: userId });
export const getSurvey = (userId: string, sid: string) => api<Survey>(`/surveys/${id(sid)}`, { user: userId });

export const createSurvey = (userId: string, body: SurveyIn) =>
  api<Survey>('/surveys', { method: 'POST', json: body, user: userId });

/** The body of an XLSForm upload: the raw .xlsx, or with its attachments (the CSVs of
 * select_one_from_file) a multipart form of `form` and `files`, named as the form names them. */
export function xlsformBody(file: Blob, attachments: File[] = []): { body: BodyInit; headers: Record<string, string> } {
  if (attachments.length === 0) return { body: file, headers: { 'Content-Type': XLSX_TYPE } };
  const body = new FormData();
  body.append('form', file, 'form.xlsx');
  for (const a of attachments) body.append('files', a, a.name);
  return { body, headers: {} };
}

/** The server reads the workbook (and its attachments), all or nothing. */
export const uploadXlsform = (userId: string, sid: string, file: Blob, attachments: File[] = []) =>
  api<Survey>(`/surveys/${id(sid)}/xlsform`, {
    method: 'PUT',
    ...xlsformBody(file, attachments),
    user: userId,
    timeoutMs: 60_000,
  });

/** Replace the working form (the in-app editor); a published version never changes. */
export const saveForm = (userId: string, sid: string, form: Form) =>
  api<Survey>(`/surveys/${id(sid)}/form`, { method: 'PUT', json: form, user: userId });

export const getPreview = (userId: string, sid: string) => api<Preview>(`/surveys/${id(sid)}/preview`, { user: userId });

export const publishSurvey = (userId: string, sid: string) =>
  api<Survey>(`/surveys/${id(sid)}/publish`, { method: 'POST', user: userId });
export const closeSurvey = (userId: string, sid: string) =>
  api<Survey>(`/surveys/${id(sid)}/close`, { method: 'POST', user: userId });

// The server sorts villages by code already; sorting again keeps that a rule of this screen.
export async function getProgress(userId: string, sid: string): Promise<Progress> {
  const p = await api<Progress>(`/surveys/${id(sid)}/progress`, { user: userId });
  return { ...p, villages: sortVillages(p.villages) };
}

export async function getPlan(userId: string, start: string, end: string): Promise<PlanVillage[]> {
  const q = new URLSearchParams({ start, end });
  return sortVillages((await api<Schema<'PlanOut'>>(`/surveys/plan?${q}`, { user: userId })).villages);
}

/** Divisions of the caller's scope, by code: villages to choose, townships to name them by. */
export const listDivisions = (userId: string) => api<Village[]>('/geo/divisions', { user: userId });

export const exportPath = (sid: string, kind: ExportKind) => `/surveys/${id(sid)}/responses.${kind}`;
export const TEMPLATE_PATH = '/surveys/xlsform-template';

// ---- pure helpers ----

/** By village code, never by any measure of work done: no rankings. */
export function sortVillages<T extends { village_code: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.village_code < b.village_code ? -1 : a.village_code > b.village_code ? 1 : 0));
}

/** Overlaps of one survey: the villages it shares, the facts asked in any, the nearest days apart. */
export type OverlapGroup = Omit<Overlap, 'village_code' | 'village_name'> & { villages: string[] };

/** The server lists overlaps per village; an admin thinks per survey: one row each. */
export function groupOverlaps(rows: Overlap[]): OverlapGroup[] {
  const out = new Map<string, OverlapGroup>();
  for (const o of rows) {
    const g = out.get(o.survey_id);
    if (!g) {
      out.set(o.survey_id, { ...o, villages: [o.village_name], shared_facts: [...o.shared_facts] });
      continue;
    }
    if (!g.villages.includes(o.village_name)) g.villages.push(o.village_name);
    for (const f of o.shared_facts) if (!g.shared_facts.includes(f)) g.shared_facts.push(f);
    g.days_apart = Math.min(g.days_apart, o.days_apart);
  }
  return [...out.values()].sort((a, b) => (a.period_start < b.period_start ? -1 : a.period_start > b.period_start ? 1 : 0));
}

/** The label in the UI language, falling back to the other one. */
export function labelOf(label: Label | null | undefined, lang: Lang): string {
  return label ? inLang(label, lang) : '';
}

/** `1 – 20`, `≥ 1`, `≤ 20`, or '' when neither bound is set. */
export function rangeText(lo: unknown, hi: unknown): string {
  const has = (v: unknown) => v !== null && v !== undefined && v !== '';
  if (has(lo) && has(hi)) return lo === hi ? String(lo) : `${lo} – ${hi}`;
  if (has(lo)) return `≥ ${lo}`;
  if (has(hi)) return `≤ ${hi}`;
  return '';
}

/** What a constraint allows, in words of the UI language ('' for none). */
export function constraintSummary(c: Constraint | null | undefined): string {
  if (!c) return '';
  const parts: string[] = [];
  const value = rangeText(c.min, c.max);
  if (value) parts.push(value);
  const length = rangeText(c.min_length, c.max_length);
  if (length) parts.push(t('surveyAdmin.cLength', { range: length }));
  const count = rangeText(c.min_count, c.max_count);
  if (count) parts.push(t('surveyAdmin.cCount', { range: count }));
  return parts.join('; ');
}

const OPS: Record<string, string> = { '=': '=', '!=': '≠', '>': '>', '>=': '≥', '<': '<', '<=': '≤' };

/** One condition as `q op value`, with choice labels and 是/否 instead of codes. */
export function conditionText(c: Condition, questions: Question[], lang: Lang): string {
  const target = questions.find((q) => q.name === c.q);
  const choice = target?.choices?.find((ch) => ch.name === c.value);
  const value =
    typeof c.value === 'boolean' ? t(c.value ? 'surveyAdmin.yes' : 'surveyAdmin.no') : choice ? `“${labelOf(choice.label, lang)}”` : String(c.value);
  if (c.op === 'selected' || c.op === 'not_selected') {
    return `${c.q} ${t(c.op === 'selected' ? 'surveyAdmin.opSelected' : 'surveyAdmin.opNotSelected')} ${value}`;
  }
  return `${c.q} ${OPS[c.op] ?? c.op} ${value}`;
}

/** When a question is shown: groups joined by 或/or, conditions within a group by 且/and. */
export function relevanceSummary(relevant: Condition[][] | null | undefined, questions: Question[], lang: Lang): string {
  if (!relevant?.length) return '';
  const groups = relevant.map((g) => g.map((c) => conditionText(c, questions, lang)).join(` ${t('surveyAdmin.and')} `));
  return groups.length === 1 ? groups[0] : groups.map((g) => `(${g})`).join(` ${t('surveyAdmin.or')} `);
}

/** YYYY-MM-DD of an ISO date or date-time (Asia/Shanghai for instants). */
export function dayOf(iso: string): string {
  return iso.length <= 10 ? iso : localDate(new Date(iso));
}

/** How fresh known facts are: `2024-03-01 – 2024-06-30`, one date, or '—' when none is known. */
export function freshnessText(oldest: string | null, newest: string | null): string {
  const a = oldest ? dayOf(oldest) : '';
  const b = newest ? dayOf(newest) : '';
  if (!a && !b) return '—';
  if (!a || !b || a === b) return a || b;
  return `${a} – ${b}`;
}

/** Whole percent done, 0…100; nothing targeted counts as 0. */
export function percent(done: number, targeted: number): number {
  if (!(targeted > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / targeted) * 100)));
}

export interface ProblemRow {
  sheet: string;
  row: string;
  column: string;
  reason: string;
}

/** An XLSForm 422 as table rows (表/行/列/原因); the column comes as the error's field. */
export function problemRows(err: unknown): ProblemRow[] {
  if (!(err instanceof ApiError)) return [];
  return err.errors.map(located);
}

/** The warnings of an upload (accepted and ignored: an appearance, metadata) as the same rows. */
export function warningRows(survey: Survey): ProblemRow[] {
  return (survey.warnings ?? []).map(located);
}

function located(e: FieldError | Schema<'LocalisedFieldError'>): ProblemRow {
  return { sheet: e.sheet ?? '', row: e.row === undefined || e.row === null ? '' : String(e.row), column: e.column ?? e.field, reason: e.message };
}

/** First and last day of the month of `today` (YYYY-MM-DD). */
export function monthPeriod(today: string, months = 1): { start: string; end: string } {
  const [y, m] = today.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months, 0)).getUTCDate();
  const endMonth = new Date(Date.UTC(y, m - 1 + months - 1, 1));
  const ym = `${endMonth.getUTCFullYear()}-${String(endMonth.getUTCMonth() + 1).padStart(2, '0')}`;
  return { start: `${today.slice(0, 7)}-01`, end: `${ym}-${String(last).padStart(2, '0')}` };
}

/**
 * Villages a user may target: every village of a county they administer, or of a township they
 * review. The geo list also holds villages seen for other reasons (a cadre's own posting).
 */
export function choosableVillages(villages: Village[], user: Pick<User, 'scope'>): Village[] {
  const s = (user.scope ?? {}) as Partial<Schema<'ScopeOut'>>;
  const counties = new Set(s.admin_counties ?? []);
  const townships = new Set(s.review_townships ?? []);
  return byCode(
    villages.filter(
      (v) => v.level === 'village' && ((v.county_code && counties.has(v.county_code)) || (v.parent_code && townships.has(v.parent_code))),
    ),
  );
}

/** What the create form must have before it is sent; message keys of what is missing. */
export function draftProblems(d: SurveyIn): ('surveyAdmin.needTitle' | 'surveyAdmin.needVillages' | 'surveyAdmin.needPeriod')[] {
  const out: ('surveyAdmin.needTitle' | 'surveyAdmin.needVillages' | 'surveyAdmin.needPeriod')[] = [];
  if (!d.title.trim()) out.push('surveyAdmin.needTitle');
  if (!d.period_start || !d.period_end || d.period_start > d.period_end) out.push('surveyAdmin.needPeriod');
  if (!d.village_codes.length) out.push('surveyAdmin.needVillages');
  return out;
}

/** A file name for an export: the survey's title made safe, and the kind. */
export function exportName(title: string, kind: ExportKind): string {
  const safe = title.replace(/[\\/:*?"<>|\s]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'survey';
  return `${safe}.${kind}`;
}
