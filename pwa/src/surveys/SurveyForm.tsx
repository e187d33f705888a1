import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FieldError } from '../api';
import type { User } from '../auth';
import { getEvidence, type EvidenceRecord } from '../evidence/evidence';
import { lang, t, type MessageKey } from '../i18n';
import { inLang } from '../notify/inbox';
import { canLocate, getFix } from '../evidence/location';
import type { RecordView } from '../records';
import { go, href } from '../router';
import {
  answersToSend,
  confirmedToSend,
  factValue,
  prefill,
  householdName,
  isOwn,
  knownFacts,
  loadDraft,
  newEntry,
  parseNumber,
  startAnswers,
  withMeta,
  responsesByTarget,
  saveDraft,
  submitResponse,
  targetKey,
  unconfirmed,
  type Known,
  type ResponseData,
  type SurveyContext,
  type SurveyData,
} from './answering';
import { rosterFact } from './facts';
import { openPoints } from './geoshapes';
import { ShapeInput } from './ShapeInput';
import {
  checkAnswers,
  fillText,
  isAnswered,
  keptChoices,
  layout,
  MEMBER_ID,
  repeatOf,
  rosterShown,
  same,
  walk,
  type AnswerError,
  type Answers,
  type Form,
  type Question,
  type Walk,
} from './rules';
import { syncSoon } from '../sync';
import { localDate } from '../time';
import * as fmt from '../format';
import { StatusBadge, errorFor } from '../ui/common';
import { PhotoPicker, Thumb, type Photo } from '../evidence/photos';

let notice: string | null = null;

/** The "saved" line for the screen a submit returns to (read once). */
export function takeNotice(): string | null {
  const n = notice;
  notice = null;
  return n;
}

const label = (text: { zh?: string; en?: string } | null | undefined) => inLang(text ?? undefined, lang.get());

/** One survey's form for one household (or, for a village survey, the village). */
export function SurveyForm(props: {
  user: User;
  ctx: SurveyContext;
  survey: RecordView<SurveyData>;
  householdId: string | null;
}) {
  const { user, ctx, survey, householdId } = props;
  const s = survey.data;
  const target = targetKey(s.village_code, householdId);
  const existing = responsesByTarget(ctx.responses, s.survey_id).get(target);
  const household = householdId ? ctx.households.find((h) => h.id === householdId) : undefined;
  const known = useMemo(
    () => (householdId ? knownFacts(s.form, ctx.facts, householdId) : {}),
    [s.form, ctx.facts, householdId],
  );
  // Teammates' responses are pulled too: only our own may be changed.
  const mine = !!existing && isOwn(ctx, existing, user.id);
  const open = s.state === 'published';
  const [editing, setEditing] = useState(!existing || existing.status === 'rejected');
  const [saved, setSaved] = useState<string | null>(null);

  // A draft of an edit survives a reload: reopen it in the editor.
  useEffect(() => {
    let live = true;
    void loadDraft(user.id, s.survey_id, target).then((d) => live && d && setEditing(true));
    return () => {
      live = false;
    };
  }, [user.id, s.survey_id, target]);

  const back = s.target === 'villages' ? href('surveys') : href('surveys', survey.id);
  const done = () => {
    if (s.target === 'villages') {
      setEditing(false);
      setSaved(t('survey.saved'));
    } else {
      notice = t('survey.saved');
      go('surveys', survey.id);
    }
  };

  return (
    <section>
      <a class="link small" href={back} data-testid="survey-back">
        ← {t('survey.back')}
      </a>
      <h1>{s.title}</h1>
      <p class="survey-who" data-testid="survey-target">
        <strong>{household ? householdName(household.data) : t('survey.village')}</strong>
        {household?.data.group_name && <span class="muted"> · {household.data.group_name}</span>}
        {household?.data.external_id && <span class="muted small"> · {household.data.external_id}</span>}
      </p>
      {saved && (
        <p class="ok" role="status" data-testid="survey-saved">
          {saved}
        </p>
      )}
      {editing && open && (!existing || mine) ? (
        <Editor user={user} survey={s} householdId={householdId} known={known} existing={existing} editId={mine ? existing?.id : undefined} onDone={done} />
      ) : existing ? (
        <ResponseView
          userId={user.id}
          survey={s}
          response={existing}
          onEdit={open && mine ? () => setEditing(true) : undefined}
        />
      ) : open ? null /* just sent: the response shows once the outbox is read again */ : (
        <p class="empty" data-testid="survey-closed">
          {t('survey.closedReadOnly')}
        </p>
      )}
    </section>
  );
}

interface EditState {
  answers: Answers;
  confirmed: string[];
}

function Editor(props: {
  user: User;
  survey: SurveyData;
  householdId: string | null;
  known: Record<string, Known>;
  existing?: RecordView<ResponseData>;
  /** Our own response being changed (kept under its id). */
  editId?: string;
  onDone: () => void;
}) {
  const { user, survey: s, householdId, known, existing } = props;
  const form = s.form;
  const target = targetKey(s.village_code, householdId);
  const [state, setState] = useState<EditState | null>(null);
  const [dirty, setDirty] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [draftSaved, setDraftSaved] = useState(false);

  // Start from the draft if there is one, else the response being edited, else known facts.
  useEffect(() => {
    let live = true;
    void loadDraft(user.id, s.survey_id, target).then((d) => {
      if (!live) return;
      if (d) setState({ answers: d.answers, confirmed: d.confirmed });
      else if (existing) setState({ answers: { ...existing.data.answers }, confirmed: Object.keys(known) });
      else setState({ answers: startAnswers(form, known, user.name), confirmed: [] });
      if (d) setDraftSaved(true);
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user.id, s.survey_id, target]);

  // Every change is kept on the phone at once: a reload or a flat battery loses nothing.
  useEffect(() => {
    if (!state || !dirty) return;
    void saveDraft(user.id, s.survey_id, target, {
      ...state,
      form_version_id: s.form_version_id,
      response_id: existing?.id,
      updated_at: new Date().toISOString(),
    }).then(() => setDraftSaved(true));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  if (!state) return <p class="muted loading">{t('app.loading')}</p>;

  const { answers, confirmed } = state;
  const setAnswer = (name: string, value: unknown) => {
    // A changed answer is no longer a confirmation of the known value.
    setState((st) => st && { answers: { ...st.answers, [name]: value }, confirmed: st.confirmed.filter((n) => n !== name) });
    setDirty(true);
  };
  /** A roster's entries changed (added, removed, or one answer in one entry). */
  const setEntries = (repeat: string, change: (list: Answers[]) => Answers[]) => {
    setState((st) => {
      if (!st) return st;
      const list = Array.isArray(st.answers[repeat]) ? (st.answers[repeat] as Answers[]) : [];
      const next = change(list.map((e) => ({ ...e })));
      // A roster kept as a fact whose members changed is no longer a confirmation of them.
      const kept = same(factValue(form, repeat, next), factValue(form, repeat, list));
      return { answers: { ...st.answers, [repeat]: next }, confirmed: kept ? st.confirmed : st.confirmed.filter((n) => n !== repeat) };
    });
    setDirty(true);
  };
  const restoreRoster = (repeat: string) => {
    setEntries(repeat, () => (prefill({ [repeat]: known[repeat] })[repeat] as Answers[]) ?? []);
  };
  const confirm = (name: string) => {
    setState((st) => st && { ...st, confirmed: [...st.confirmed, name] });
    setDirty(true);
  };

  const state_ = walk(form, answers);
  const sent = answersToSend(form, answers);
  const errors = checkAnswers(form, sent);
  const pending = unconfirmed(form, answers, known, confirmed);
  // "Required" waits for a first try to submit; a wrong value shows as soon as it is typed.
  const shownErrors = errors.filter((e) => tried || e.code !== 'required');
  const serverErrors = existing?.status === 'rejected' ? existing.item?.errors : undefined;
  const generalErrors = serverErrors?.filter((e) => !e.field.includes('answers.'));

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    const first = errors[0]?.question ?? pending[0];
    if (first) {
      document.querySelector(`[data-name="${first}"]`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      return;
    }
    setBusy(true);
    try {
      const final = answersToSend(form, withMeta(form, answers, user.name));
      await submitResponse(user.id, s, householdId, final, confirmedToSend(form, final, known, confirmed), props.editId);
      syncSoon();
      props.onDone();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card survey-form" onSubmit={submit} noValidate data-testid="survey-form">
      {s.description && <p class="small muted">{s.description}</p>}
      {serverErrors && <p class="err block">{t('survey.serverRejected')}</p>}
      <FormBody
        form={form}
        answers={answers}
        walk={state_}
        render={(q, path, value, onChange) => (
          <QuestionField
            key={path}
            userId={user.id}
            q={q}
            path={path}
            value={value}
            onChange={onChange}
            choices={filteredChoices(form, q, path, state_)}
            labelText={fillText(form, answers, label(q.label), path, state_)}
            hintText={q.hint ? fillText(form, answers, label(q.hint), path, state_) : undefined}
            error={shownErrors.find((e) => e.question === path)}
            serverError={errorFor(serverErrors, path)}
            known={path === q.name ? known[q.name] : undefined}
            confirmed={confirmed.includes(q.name)}
            onConfirm={() => confirm(q.name)}
          />
        )}
        setAnswer={setAnswer}
        setEntries={setEntries}
        entryError={(path) => shownErrors.find((e) => e.question === path)}
        rosterHead={(repeat, list) =>
          known[repeat] ? (
            <KnownRoster
              form={form}
              repeat={repeat}
              known={known[repeat]}
              list={list}
              confirmed={confirmed.includes(repeat)}
              onConfirm={() => confirm(repeat)}
              onRestore={() => restoreRoster(repeat)}
            />
          ) : null
        }
      />
      {generalErrors?.map((e: FieldError) => (
        <p class="err block">{e.message}</p>
      ))}
      {tried && (errors.length > 0 || pending.length > 0) && (
        <div class="err block" role="alert" data-testid="survey-blocked">
          {errors.length > 0 && <p>{t('survey.blockedErrors', { n: errors.length })}</p>}
          {pending.length > 0 && <p data-testid="survey-blocked-facts">{t('survey.blockedFacts', { n: pending.length })}</p>}
        </div>
      )}
      <button class="btn primary wide" type="submit" disabled={busy} data-testid="survey-submit">
        {existing ? t('survey.submitEdit') : t('survey.submit')}
      </button>
      {draftSaved && (
        <p class="small muted center" data-testid="survey-draft-saved">
          {t('survey.draftSaved')}
        </p>
      )}
    </form>
  );
}

const CONSTRAINT_CODES = new Set(['below_min', 'above_max', 'too_short', 'too_long', 'too_few', 'too_many', 'constraint']);

/** The message for a broken rule: the form's own wording for its constraint, else ours. */
export function errorMessage(q: Question, e: AnswerError): string {
  if (e.code === 'required' && q.required_message) return label(q.required_message);
  if (CONSTRAINT_CODES.has(e.code) && q.constraint_message) return label(q.constraint_message);
  const c = q.constraint ?? {};
  const n = { too_short: c.min_length, too_long: c.max_length ?? 2000, too_few: c.min_count, too_many: c.max_count }[e.code];
  const key = `survey.err.${e.code}` as MessageKey;
  return t(key, { min: String(c.min ?? ''), max: String(c.max ?? ''), n: String(n ?? '') });
}

/** An answer as words: choice labels, 是/否, a date, a place. */
export function formatValue(q: Question, value: unknown): string {
  if (!isAnswered(value)) return t('survey.unanswered');
  const choice = (name: unknown) => label(q.choices?.find((c) => c.name === name)?.label) || String(name);
  switch (q.type) {
    case 'select_one':
      return choice(value);
    case 'select_multiple':
      return Array.isArray(value) ? value.map(choice).join('、') : String(value);
    case 'yes_no':
      return t(value ? 'survey.yes' : 'survey.no');
    case 'date':
      return fmt.day(String(value));
    case 'geopoint': {
      const p = value as { lat: number; lon: number };
      return `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
    }
    case 'photo':
      return t('survey.photo');
    case 'geotrace':
    case 'geoshape':
      return t(q.type === 'geotrace' ? 'survey.shape.traceDone' : 'survey.shape.shapeDone', {
        n: openPoints(q.type, value).length,
      });
    default:
      return String(value);
  }
}

type Render = (q: Question, path: string, value: unknown, onChange: (v: unknown) => void) => preact.JSX.Element;

type SetValue = (name: string, value: unknown) => void;
type SetList = (repeat: string, change: (list: Answers[]) => Answers[]) => void;

const listOf = (value: unknown): Answers[] => (Array.isArray(value) ? (value as Answers[]).map((e) => ({ ...e })) : []);

/**
 * The questions in form order: a group as a titled section (a field-list page is one section
 * as well), a repeat as a list of entries (a household's members) with add and remove, a repeat
 * inside an entry (each member's jobs) as an inner list in that entry, at any depth; notes as
 * text; calculations and metadata are not asked.
 */
function FormBody(props: {
  form: Form;
  answers: Answers;
  walk: Walk;
  render: Render;
  setAnswer: SetValue;
  setEntries: SetList;
  /** What was sent: no adding or removing entries; calculations shown with the answers. */
  readOnly?: boolean;
  /** Shown at the top of a roster (what is known of a roster kept as a fact). */
  rosterHead?: (repeat: string, list: Answers[]) => preact.JSX.Element | null;
  /** A broken rule of an entry itself (a member's id), by its path (`members.0`). */
  entryError?: (path: string) => AnswerError | undefined;
}) {
  const { form, answers, walk: w, render, readOnly } = props;
  const shown = new Set(w.shown);
  const groups = new Map((form.groups ?? []).map((g) => [g.name, g]));
  const levels = layout(form);
  const asked = (q: Question) => !q.meta && (readOnly || q.type !== 'calculate');

  const level = (scope: string | null, values: Answers, prefix: string, setValue: SetValue, setList: SetList): preact.JSX.Element[] => {
    const out: preact.JSX.Element[] = [];
    let lastGroup: string | null = null;
    for (const item of levels.get(scope ?? '') ?? []) {
      if (item.kind === 'question') {
        const q = item.question;
        const path = prefix + q.name;
        if (!shown.has(path) || !asked(q)) continue;
        if (q.group !== lastGroup && q.group && q.group !== scope) {
          const g = groups.get(q.group);
          if (g?.label && !g.repeat) out.push(<h3 class="survey-group" data-testid={`survey-group-${g.name}`}>{label(g.label)}</h3>);
        }
        lastGroup = q.group ?? null;
        out.push(render(q, path, values[q.name], (v) => setValue(q.name, v)));
        continue;
      }
      const repeat = item.repeat;
      const g = groups.get(repeat)!;
      const list = listOf(values[repeat]);
      const at = prefix + repeat;
      if (!rosterShown(form, repeat, values, prefix, w, scope)) continue;
      // A title naming an answer (`${m_name}的工作`) reads it from the entry the roster sits in.
      const near = (levels.get(scope ?? '') ?? []).find((i) => i.kind === 'question');
      const title = label(g.label);
      const name = (near?.kind === 'question' && title ? fillText(form, answers, title, prefix + near.question.name, w) : title) || repeat;
      out.push(
        <fieldset class={`survey-repeat${scope ? ' inner' : ''}`} data-testid={`survey-repeat-${at}`} data-name={at}>
          <legend>{name}</legend>
          {!scope && props.rosterHead?.(repeat, list)}
          {list.map((entry, i) => {
            const entryValue: SetValue = (n, v) => setList(repeat, (l) => l.map((e, j) => (j === i ? { ...e, [n]: v } : e)));
            const entryList: SetList = (inner, change) =>
              setList(repeat, (l) => l.map((e, j) => (j === i ? { ...e, [inner]: change(listOf(e[inner])) } : e)));
            return (
              <div class="survey-entry card" data-testid={`survey-entry-${at}-${i}`} data-name={`${at}.${i}`}>
                <p class="small muted entry-head">
                  {name} {i + 1}
                  {!readOnly && (
                    <button
                      type="button"
                      class="link small"
                      onClick={() => setList(repeat, (l) => l.filter((_x, j) => j !== i))}
                      data-testid={`survey-remove-${at}-${i}`}
                    >
                      {t('survey.removeEntry')}
                    </button>
                  )}
                </p>
                {props.entryError?.(`${at}.${i}`) && (
                  <small class="err block" data-testid={`survey-error-${at}.${i}`}>
                    {t(`survey.err.${props.entryError(`${at}.${i}`)!.code}` as MessageKey)}
                  </small>
                )}
                {level(repeat, entry, `${at}.${i}.`, entryValue, entryList)}
              </div>
            );
          })}
          {readOnly && list.length === 0 && <p class="small muted">{t('survey.unanswered')}</p>}
          {!readOnly && list.length < (g.max_entries ?? 50) && (
            <button
              type="button"
              class="btn small"
              onClick={() => setList(repeat, (l) => [...l, newEntry(form, repeat, answers, prefix)])}
              data-testid={`survey-add-${at}`}
            >
              + {t('survey.addEntry', { name })}
            </button>
          )}
        </fieldset>,
      );
    }
    return out;
  };
  return <>{level(null, answers, '', props.setAnswer, props.setEntries)}</>;
}

/**
 * What is known of a roster kept as a fact: its members (their member facts), who confirmed
 * them and when; then confirm them unchanged, or see that they changed and restore them.
 */
function KnownRoster(props: {
  form: Form;
  repeat: string;
  known: Known;
  list: Answers[];
  confirmed: boolean;
  onConfirm: () => void;
  onRestore: () => void;
}) {
  const { form, repeat, known } = props;
  const roster = rosterFact(form, repeat);
  const members = (known.value as Answers[]) ?? [];
  const date = known.at ? fmt.day(localDate(new Date(known.at))) : '';
  const changed = !same(factValue(form, repeat, props.list), known.value);
  return (
    <div class="known small" data-testid={`survey-known-${repeat}`}>
      <span>{t('survey.knownMembers', { n: members.length, name: known.by, date })}</span>
      {members.length > 0 && (
        <ol class="known-members">
          {members.map((m) => (
            <li data-testid="survey-known-member" data-member-id={String(m[MEMBER_ID] ?? '')}>
              {(roster?.questions ?? [])
                .filter((q) => isAnswered(m[q.name]))
                .map((q) => formatValue(q, m[q.name]))
                .join(' · ')}
            </li>
          ))}
        </ol>
      )}
      {changed ? (
        <span class="changed">
          <span data-testid={`survey-changed-${repeat}`}>{t('survey.changed')}</span>
          <button type="button" class="link small" onClick={props.onRestore} data-testid={`survey-restore-${repeat}`}>
            {t('survey.restore')}
          </button>
        </span>
      ) : props.confirmed ? (
        <span class="ok" data-testid={`survey-confirmed-${repeat}`}>
          ✓ {t('survey.confirmed')}
        </span>
      ) : (
        <button type="button" class="btn small" onClick={props.onConfirm} data-testid={`survey-confirm-${repeat}`}>
          {t('survey.confirm')}
        </button>
      )}
    </div>
  );
}

/** A select's choices kept by its choice_filter (a cascade), as the server keeps them. */
function filteredChoices(form: Form, q: Question, path: string, w: Walk): Question['choices'] {
  if (!q.xpath?.choice_filter || !q.choices) return q.choices;
  const kept = keptChoices(form, q, path, w, repeatOf(form, q.group));
  return q.choices.filter((c) => kept.has(c.name));
}

function QuestionField(props: {
  userId: string;
  q: Question;
  path: string;
  value: unknown;
  onChange: (v: unknown) => void;
  choices?: Question['choices'];
  labelText: string;
  hintText?: string;
  error?: AnswerError;
  serverError?: string;
  known?: Known;
  confirmed: boolean;
  onConfirm: () => void;
}) {
  const { q, value, onChange, known } = props;
  const id = `q-${props.path}`;
  if (q.type === 'note') {
    return (
      <p class="survey-note" data-testid="survey-note" data-name={props.path}>
        {props.labelText}
      </p>
    );
  }
  return (
    <div
      class={props.error ? 'field survey-q has-error' : 'field survey-q'}
      role="group"
      aria-labelledby={id}
      data-testid="survey-q"
      data-name={props.path}
      data-type={q.type}
    >
      <span id={id} class="q-label">
        {props.labelText}
        {q.required && <span class="req"> *</span>}
      </span>
      {props.hintText && <small class="muted block">{props.hintText}</small>}
      <Control userId={props.userId} q={{ ...q, choices: props.choices ?? q.choices }} path={props.path} value={value} onChange={onChange} />
      {known && (
        <div class="known small" data-testid={`survey-known-${q.name}`}>
          <span>
            {t('survey.known', {
              value: formatValue(q, known.value),
              name: known.by,
              date: known.at ? fmt.day(localDate(new Date(known.at))) : '',
            })}
          </span>
          {!same(value, known.value) ? (
            <span class="changed">
              <span data-testid={`survey-changed-${q.name}`}>{t('survey.changed')}</span>
              <button type="button" class="link small" onClick={() => onChange(JSON.parse(JSON.stringify(known.value)))}>
                {t('survey.restore')}
              </button>
            </span>
          ) : props.confirmed ? (
            <span class="ok" data-testid={`survey-confirmed-${q.name}`}>
              ✓ {t('survey.confirmed')}
            </span>
          ) : (
            <button type="button" class="btn small" onClick={props.onConfirm} data-testid={`survey-confirm-${q.name}`}>
              {t('survey.confirm')}
            </button>
          )}
        </div>
      )}
      {props.error && (
        <small class="err block" data-testid={`survey-error-${props.path}`} data-code={props.error.code}>
          {errorMessage(q, props.error)}
        </small>
      )}
      {props.serverError && (
        <small class="err block" data-testid={`survey-server-error-${props.path}`}>
          {props.serverError}
        </small>
      )}
    </div>
  );
}

function Control(props: { userId: string; q: Question; path: string; value: unknown; onChange: (v: unknown) => void }) {
  const { q, value, onChange } = props;
  const testid = `survey-input-${props.path}`;
  const text = typeof value === 'string' ? value : '';
  switch (q.type) {
    case 'barcode':
      return <input type="text" value={text} onInput={(e) => onChange(e.currentTarget.value)} data-testid={testid} />;
    case 'time':
      return <input type="time" value={text} onInput={(e) => onChange(e.currentTarget.value || null)} data-testid={testid} />;
    case 'datetime':
      return (
        <input
          type="datetime-local"
          value={text ? localInput(text) : ''}
          onInput={(e) => onChange(e.currentTarget.value ? new Date(e.currentTarget.value).toISOString() : null)}
          data-testid={testid}
        />
      );
    case 'range': {
      const r = q.range ?? { start: 0, end: 10, step: 1 };
      return (
        <div class="range">
          <input
            type="range"
            min={Math.min(r.start, r.end)}
            max={Math.max(r.start, r.end)}
            step={r.step}
            value={typeof value === 'number' ? value : r.start}
            onInput={(e) => onChange(Number(e.currentTarget.value))}
            data-testid={testid}
          />
          <output>{typeof value === 'number' ? value : '—'}</output>
        </div>
      );
    }
    case 'acknowledge':
      return (
        <label class="check">
          <input type="checkbox" checked={value === 'OK'} onChange={(e) => onChange(e.currentTarget.checked ? 'OK' : null)} data-testid={testid} />
          <span>{t('survey.acknowledge')}</span>
        </label>
      );
    case 'text': {
      const short = (q.constraint?.max_length ?? 2000) <= 60;
      return short ? (
        <input type="text" value={text} onInput={(e) => onChange(e.currentTarget.value)} aria-labelledby={`q-${props.path}`} data-testid={testid} />
      ) : (
        <textarea rows={3} value={text} onInput={(e) => onChange(e.currentTarget.value)} aria-labelledby={`q-${props.path}`} data-testid={testid} />
      );
    }
    case 'integer':
    case 'decimal':
      return <NumberInput integer={q.type === 'integer'} value={value} onChange={onChange} testid={testid} labelledBy={`q-${props.path}`} />;
    case 'date':
      return (
        <input
          type="date"
          value={typeof value === 'string' ? value : ''}
          min={typeof q.constraint?.min === 'string' ? q.constraint.min : undefined}
          max={typeof q.constraint?.max === 'string' ? q.constraint.max : undefined}
          onInput={(e) => onChange(e.currentTarget.value || null)}
          aria-labelledby={`q-${props.path}`}
          data-testid={testid}
        />
      );
    case 'select_one':
    case 'select_multiple': {
      const many = q.type === 'select_multiple';
      const chosen = many ? (Array.isArray(value) ? value : []) : [value];
      const toggle = (name: string) =>
        onChange(many ? (chosen.includes(name) ? chosen.filter((c) => c !== name) : [...chosen, name]) : name);
      return (
        <>
          <ul class="checklist options">
            {(q.choices ?? []).map((c) => (
              <li>
                <label class="check">
                  <input
                    type={many ? 'checkbox' : 'radio'}
                    name={props.path}
                    checked={chosen.includes(c.name)}
                    onChange={() => toggle(c.name)}
                    data-testid={`survey-choice-${props.path}-${c.name}`}
                  />
                  <span>{label(c.label)}</span>
                </label>
              </li>
            ))}
          </ul>
          {!many && !q.required && isAnswered(value) && (
            <button type="button" class="link small" onClick={() => onChange(null)} data-testid={`survey-clear-${props.path}`}>
              {t('survey.clear')}
            </button>
          )}
        </>
      );
    }
    case 'yes_no':
      return (
        <div class="chips" role="radiogroup">
          {[true, false].map((b) => (
            <button
              type="button"
              role="radio"
              aria-checked={value === b}
              class={value === b ? 'chip on' : 'chip'}
              onClick={() => onChange(value === b && !q.required ? null : b)}
              data-testid={`survey-${b ? 'yes' : 'no'}-${props.path}`}
            >
              {t(b ? 'survey.yes' : 'survey.no')}
            </button>
          ))}
        </div>
      );
    case 'geopoint':
      return <GeoInput name={props.path} value={value} onChange={onChange} />;
    case 'geotrace':
    case 'geoshape':
      return <ShapeInput kind={q.type} name={props.path} value={value} onChange={onChange} />;
    case 'photo':
      return <PhotoInput userId={props.userId} name={props.path} value={value} onChange={onChange} />;
    default:
      return <p class="muted small">{t('survey.err.unknown_type')}</p>;
  }
}

/** An ISO moment as a datetime-local box shows it (the phone's own time). */
function localInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * A number typed as text: `1.` on the way to `1.5` must stay on screen, so the box keeps its
 * own text and follows the answer only when it changes from outside (restoring a known value).
 */
function NumberInput(props: { integer: boolean; value: unknown; onChange: (v: unknown) => void; testid: string; labelledBy?: string }) {
  const shown = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const [text, setText] = useState(shown(props.value));
  useEffect(() => {
    if (!same(parseNumber(text), props.value ?? null)) setText(shown(props.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.value]);
  return (
    <input
      type="text"
      aria-labelledby={props.labelledBy}
      inputMode={props.integer ? 'numeric' : 'decimal'}
      autoComplete="off"
      value={text}
      onInput={(e) => {
        setText(e.currentTarget.value);
        props.onChange(parseNumber(e.currentTarget.value));
      }}
      data-testid={props.testid}
    />
  );
}

interface GeoValue {
  lat: number;
  lon: number;
  accuracy_m?: number | null;
  captured_at?: string | null;
}

/** A place, only when the cadre taps for it (never taken automatically). */
function GeoInput({ name, value, onChange }: { name: string; value: unknown; onChange: (v: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const fix = isAnswered(value) ? (value as GeoValue) : null;
  const locate = async () => {
    if (!canLocate()) return setFailure(t('survey.locationUnsupported'));
    setBusy(true);
    setFailure(null);
    try {
      onChange(await getFix());
    } catch (err) {
      setFailure(t('survey.locationFailed', { msg: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {fix ? (
        <div class="row" data-testid={`survey-fix-${name}`}>
          <span class="small">
            {typeof fix.accuracy_m === 'number' ? t('survey.accuracy', { m: Math.round(fix.accuracy_m) }) : `${fix.lat}, ${fix.lon}`}
            {fix.captured_at ? ` · ${fmt.time(fix.captured_at)}` : ''}
          </span>
          <button type="button" class="link danger" onClick={() => onChange(null)} data-testid={`survey-locate-remove-${name}`}>
            {t('survey.removeLocation')}
          </button>
        </div>
      ) : (
        <button type="button" class="btn" onClick={locate} disabled={busy} data-testid={`survey-locate-${name}`}>
          {busy ? t('survey.locating') : t('survey.locate')}
        </button>
      )}
      {failure && <small class="err block">{failure}</small>}
    </>
  );
}

/** One photo through the work-log pipeline (downscaled, kept, queued); the answer is its hash. */
function PhotoInput(props: { userId: string; name: string; value: unknown; onChange: (v: unknown) => void }) {
  const { userId, value } = props;
  const [photos, setPhotos] = useState<Photo[]>([]);
  const current = useRef(photos);
  current.current = photos;
  useEffect(() => () => current.current.forEach((p) => p.url && URL.revokeObjectURL(p.url)), []);
  // Show the photo a draft or a known fact names (a photo taken elsewhere has no local bytes).
  useEffect(() => {
    const sha = typeof value === 'string' ? value : null;
    if ((current.current[0]?.rec.sha256 ?? null) === sha) return;
    let live = true;
    if (!sha) setPhotos([]);
    else
      void getEvidence(userId, sha).then(
        (rec) =>
          live &&
          setPhotos([rec ? { rec, url: URL.createObjectURL(rec.blob) } : { rec: { sha256: sha } as EvidenceRecord, url: '' }]),
      );
    return () => {
      live = false;
    };
  }, [userId, value]);
  const change = (next: Photo[]) => {
    setPhotos(next);
    props.onChange(next[0]?.rec.sha256 ?? null);
  };
  return (
    <PhotoPicker userId={userId} photos={photos} onChange={change} max={1} legend={t('survey.photo')} testid={`survey-photo-${props.name}`} />
  );
}

/** What was sent (or pulled, for a teammate's response): read-only. */
function ResponseView(props: {
  userId: string;
  survey: SurveyData;
  response: RecordView<ResponseData>;
  onEdit?: () => void;
}) {
  const { survey: s, response: r } = props;
  const answers = r.data.answers ?? {};
  const w = useMemo(() => walk(s.form, answers), [s.form, answers]);
  const at = r.data.answered_at;
  // Each answer its own list (a group's heading and a roster's entries stand between them).
  const render: Render = (q, path, value) =>
    // Notes are read, not answered; a calculation without a label is the form's own working.
    q.type === 'note' || (q.type === 'calculate' && !label(q.label)) ? (
      <></>
    ) : (
      <dl class="sent-answer" data-testid="survey-answer" data-name={path}>
        <dt>{label(q.label)}</dt>
        <dd>
          {q.type === 'photo' && typeof value === 'string' ? (
            <Thumb userId={props.userId} sha={value} />
          ) : q.type === 'calculate' ? (
            String(value ?? w.calculated.get(path) ?? '')
          ) : (
            formatValue(q, value)
          )}
        </dd>
      </dl>
    );
  return (
    <div class="card" data-testid="survey-response" data-id={r.id} data-status={r.status}>
      <div class="item-head">
        <span class="small muted">{at ? t('survey.answeredAt', { t: fmt.day(localDate(new Date(at))) }) : ''}</span>
        <StatusBadge status={r.status} />
      </div>
      <div class="answers" data-testid="survey-answers">
        <FormBody form={s.form} answers={answers} walk={w} render={render} setAnswer={() => undefined} setEntries={() => undefined} readOnly />
      </div>
      {props.onEdit && (
        <button type="button" class="btn" onClick={props.onEdit} data-testid="survey-edit">
          {t('survey.edit')}
        </button>
      )}
    </div>
  );
}

