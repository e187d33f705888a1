import { useEffect, useState } from 'preact/hooks';
import { ApiError, type FieldError } from '../api';
import { download } from '../dashboard/dashboard';
import { ask } from '../dialog';
import { dayRange } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import { go, href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import {
  EXPORTS,
  TEMPLATE_PATH,
  choosableVillages,
  closeSurvey,
  constraintSummary,
  createSurvey,
  draftProblems,
  exportName,
  exportPath,
  freshnessText,
  getPlan,
  getPreview,
  getProgress,
  getSurvey,
  groupOverlaps,
  labelOf,
  listDivisions,
  listSurveys,
  monthPeriod,
  percent,
  problemRows,
  publishSurvey,
  relevanceSummary,
  uploadXlsform,
  type ExportKind,
  type PlanVillage,
  type Preview,
  type ProblemRow,
  type Progress,
  type Survey,
  type Target,
  type Village,
} from './admin';
import { localDate } from '../time';
import { useOnlineList } from '../ui/onlineList';
import SurveyEditor from './SurveyEditor';

const message = (err: unknown) => (err instanceof ApiError ? err.display : String(err));

/** 调查管理: surveys of the caller's scope (#/surveyadmin), a new one (…/new), one survey (…/<id>). */
export default function SurveyAdmin({ user, params }: ViewProps) {
  useStores(lang, online);
  const sid = params[0];
  return (
    <section data-testid="surveyadmin">
      {!online.get() && (
        <p class="banner warn" data-testid="surveyadmin-offline">
          {t('surveyAdmin.offline')}
        </p>
      )}
      {!sid && <SurveyList userId={user.id} />}
      {sid === 'new' && <CreateSurvey user={user} />}
      {sid && sid !== 'new' && <SurveyDetail key={sid} userId={user.id} sid={sid} />}
    </section>
  );
}

/** Divisions of the caller's scope, by code (villages to choose, townships to name them). */
function useDivisions(userId: string): Village[] | null {
  const [rows, setRows] = useState<Village[] | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    listDivisions(userId).then(
      (r) => live && setRows(r),
      () => live && setRows([]),
    );
    return () => {
      live = false;
    };
  }, [userId, isOnline]);
  return rows;
}

function period(s: { period_start: string; period_end: string }): string {
  return dayRange(s.period_start, s.period_end);
}

function StateBadge({ state }: { state: string }) {
  return (
    <span class={`status sv-${state}`} data-testid="survey-state" data-state={state}>
      {t(`surveyAdmin.state.${state}` as MessageKey)}
    </span>
  );
}

// ---- list and coordination ----

function SurveyList({ userId }: { userId: string }) {
  const { rows, error } = useOnlineList(() => listSurveys(userId), [userId]);
  return (
    <>
      <div class="row">
        <h1>{t('surveyAdmin.title')}</h1>
        <a class="btn primary" href={href('surveyadmin', 'new')} data-testid="surveyadmin-new">
          {t('surveyAdmin.new')}
        </a>
      </div>
      {error && <p class="err block">{error}</p>}
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="surveyadmin-empty">
          {t('surveyAdmin.none')}
        </p>
      )}
      <ul class="list" data-testid="survey-list">
        {rows?.map((s) => (
          <li class="item" data-testid="survey-row" data-id={s.id} data-state={s.state}>
            <a class="item-button" href={href('surveyadmin', s.id)}>
              <div class="item-head">
                <strong>{s.title}</strong>
                <StateBadge state={s.state} />
              </div>
              <p class="small muted">
                {period(s)} · {t(`surveyAdmin.target.${s.target}` as MessageKey)} · {t('surveyAdmin.villageCount', { n: s.villages.length })}
              </p>
            </a>
          </li>
        ))}
      </ul>
      <Plan userId={userId} />
    </>
  );
}

/** 统筹: which surveys each village gets in a period, so they can be spread out. */
function Plan({ userId }: { userId: string }) {
  const [range, setRange] = useState(() => monthPeriod(localDate(), 2));
  const [rows, setRows] = useState<PlanVillage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline || !range.start || !range.end || range.start > range.end) return;
    let live = true;
    getPlan(userId, range.start, range.end).then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, range.start, range.end, isOnline]);
  const busy = rows?.filter((v) => v.surveys.length > 0) ?? null;
  return (
    <div class="card" data-testid="survey-plan">
      <h2>{t('surveyAdmin.plan')}</h2>
      <p class="small muted">{t('surveyAdmin.planNote')}</p>
      <div class="two">
        <label class="field">
          <span>{t('surveyAdmin.from')}</span>
          <input type="date" value={range.start} onInput={(e) => setRange({ ...range, start: e.currentTarget.value })} data-testid="plan-start" />
        </label>
        <label class="field">
          <span>{t('surveyAdmin.to')}</span>
          <input type="date" value={range.end} onInput={(e) => setRange({ ...range, end: e.currentTarget.value })} data-testid="plan-end" />
        </label>
      </div>
      {error && <p class="err block">{error}</p>}
      {busy && busy.length === 0 && <p class="empty">{t('surveyAdmin.planNone')}</p>}
      {busy && busy.length > 0 && (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th class="sticky">{t('surveyAdmin.village')}</th>
                <th>{t('surveyAdmin.surveys')}</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((v) => (
                <tr data-testid="plan-row" data-code={v.village_code}>
                  <th class="sticky" scope="row">
                    {v.village_name}
                    {v.repeated && (
                      <div class="small warnc" data-testid="plan-repeated">
                        {t('surveyAdmin.repeated')}
                      </div>
                    )}
                  </th>
                  <td>
                    {v.surveys.map((s) => (
                      <div>
                        <a href={href('surveyadmin', s.survey_id)}>{s.title}</a> <span class="small muted">{period(s)}</span>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

// ---- create ----

function CreateSurvey({ user }: { user: ViewProps['user'] }) {
  const villages = useDivisions(user.id);
  const month = monthPeriod(localDate());
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [start, setStart] = useState(month.start);
  const [end, setEnd] = useState(month.end);
  const [target, setTarget] = useState<Target>('households');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const choosable = villages ? choosableVillages(villages, user) : null;
  const names = new Map((villages ?? []).map((v) => [v.code, v.name]));

  const toggle = (code: string) => {
    const next = new Set(picked);
    if (!next.delete(code)) next.add(code);
    setPicked(next);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { title: title.trim(), description: description.trim(), target, village_codes: [...picked].sort(), period_start: start, period_end: end };
    const missing = draftProblems(body);
    if (missing.length) return setError(missing.map((k) => t(k)).join(' '));
    setBusy(true);
    setError(null);
    setFieldErrors([]);
    try {
      const s = await createSurvey(user.id, body);
      go('surveyadmin', s.id);
    } catch (err) {
      setError(message(err));
      if (err instanceof ApiError) setFieldErrors(err.errors);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} data-testid="survey-create-form">
      <p>
        <a href={href('surveyadmin')}>‹ {t('surveyAdmin.back')}</a>
      </p>
      <h1>{t('surveyAdmin.new')}</h1>
      <label class="field">
        <span>{t('surveyAdmin.name')}</span>
        <input value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} data-testid="survey-title" />
      </label>
      <label class="field">
        <span>{t('surveyAdmin.description')}</span>
        <textarea rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} data-testid="survey-description" />
      </label>
      <div class="two">
        <label class="field">
          <span>{t('surveyAdmin.from')}</span>
          <input type="date" value={start} onInput={(e) => setStart(e.currentTarget.value)} data-testid="survey-start" />
        </label>
        <label class="field">
          <span>{t('surveyAdmin.to')}</span>
          <input type="date" value={end} onInput={(e) => setEnd(e.currentTarget.value)} data-testid="survey-end" />
        </label>
      </div>
      <fieldset class="field">
        <legend>{t('surveyAdmin.targetLabel')}</legend>
        <div class="chips">
          {(['households', 'villages'] as Target[]).map((k) => (
            <button type="button" class={k === target ? 'chip on' : 'chip'} aria-pressed={k === target} onClick={() => setTarget(k)} data-testid={`survey-target-${k}`}>
              {t(`surveyAdmin.target.${k}` as MessageKey)}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset class="field">
        <legend>{t('surveyAdmin.villagesLabel', { n: picked.size })}</legend>
        {!choosable && <p class="muted loading">{t('app.loading')}</p>}
        {choosable && choosable.length === 0 && <p class="empty">{t('surveyAdmin.noVillages')}</p>}
        {choosable && choosable.length > 1 && (
          <button
            type="button"
            class="link"
            onClick={() => setPicked(picked.size === choosable.length ? new Set() : new Set(choosable.map((v) => v.code)))}
            data-testid="survey-villages-all"
          >
            {picked.size === choosable.length ? t('surveyAdmin.selectNone') : t('surveyAdmin.selectAll')}
          </button>
        )}
        {choosable && choosable.length > 0 && (
          <ul class="checklist" data-testid="survey-villages">
            {choosable.map((v) => (
              <li>
                <label class="check">
                  <input type="checkbox" checked={picked.has(v.code)} onChange={() => toggle(v.code)} value={v.code} data-testid="survey-village" style={{ width: 'auto' }} />
                  <span>{v.name}</span>
                  {v.parent_code && names.has(v.parent_code) && <span class="tag">{names.get(v.parent_code)}</span>}
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {error && (
        <p class="err block" role="alert" data-testid="survey-create-error">
          {error}
        </p>
      )}
      {fieldErrors.length > 0 && (
        <ul class="errors err small">
          {fieldErrors.map((f) => (
            <li>
              {f.field}: {f.message}
            </li>
          ))}
        </ul>
      )}
      <button class="btn primary wide" type="submit" disabled={busy || !online.get()} data-testid="survey-create">
        {busy ? t('app.loading') : t('surveyAdmin.create')}
      </button>
      <p class="small muted">{t('surveyAdmin.createNote')}</p>
    </form>
  );
}

// ---- one survey ----

function SurveyDetail({ userId, sid }: { userId: string; sid: string }) {
  const [survey, setSurvey] = useState<Survey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getSurvey(userId, sid).then(
      (s) => live && (setSurvey(s), setError(null)),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, sid, isOnline]);

  const questions = survey?.form.questions ?? [];
  const open = survey && survey.state !== 'closed';
  // The in-app editor changes the working form: a draft, or a published survey's next version.
  const editable = !!open && !!survey?.can_manage;
  // A published survey is published again only when its working form changed since.
  const publishable = !!survey?.can_manage && questions.length > 0 && (survey.state === 'draft' || (survey.state === 'published' && survey.form_changed));
  return (
    <div data-testid="survey-detail" data-state={survey?.state ?? ''}>
      <p>
        <a href={href('surveyadmin')}>‹ {t('surveyAdmin.back')}</a>
      </p>
      {error && <p class="err block">{error}</p>}
      {!survey && !error && isOnline && <p class="muted loading">{t('app.loading')}</p>}
      {survey && (
        <>
          <div class="row">
            <h1 data-testid="survey-heading">{survey.title}</h1>
            <StateBadge state={survey.state} />
          </div>
          <p class="small muted">
            {period(survey)} · {t(`surveyAdmin.target.${survey.target}` as MessageKey)} · {t('surveyAdmin.villageCount', { n: survey.villages.length })}
            {survey.versions.length ? ` · ${t('surveyAdmin.version', { n: Math.max(...survey.versions.map((v) => v.version)) })}` : ''}
          </p>
          {survey.description && <p class="text">{survey.description}</p>}
          {notice && (
            <p class="ok" role="status" data-testid="survey-notice">
              {notice}
            </p>
          )}
          {/* Once sent out, progress matters most; the form and a new version come below it. */}
          {survey.state !== 'draft' && <ProgressCard userId={userId} survey={survey} />}
          {editing && editable && (
            <SurveyEditor
              userId={userId}
              survey={survey}
              onSaved={(s) => {
                setSurvey(s);
                setEditing(false);
                setNotice(t('surveyEditor.saved', { n: s.form.questions.length }));
              }}
              onCancel={() => setEditing(false)}
            />
          )}
          {!editing && editable && (
            <Upload
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.uploaded', { n: s.form.questions.length }));
              }}
            />
          )}
          {!editing && (
            <Questions
              survey={survey}
              onEdit={
                editable
                  ? () => {
                      setNotice(null);
                      setEditing(true);
                    }
                  : undefined
              }
            />
          )}
          {publishable && !editing && (
            <PreviewAndPublish
              key={JSON.stringify(survey.form)}
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.published'));
              }}
            />
          )}
          {survey.state === 'published' && survey.can_manage && !editing && (
            <CloseButton
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.closed'));
              }}
            />
          )}
        </>
      )}
    </div>
  );
}

function Upload({ userId, survey, onDone }: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'upload' | 'template' | 'xlsform-out' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<ProblemRow[]>([]);
  const off = !online.get();
  const upload = async () => {
    if (!file) return;
    setBusy('upload');
    setError(null);
    setProblems([]);
    try {
      onDone(await uploadXlsform(userId, survey.id, file));
    } catch (err) {
      setError(message(err));
      setProblems(problemRows(err));
    } finally {
      setBusy(null);
    }
  };
  const template = async (path = TEMPLATE_PATH, name = 'xlsform-template.xlsx') => {
    setBusy(path === TEMPLATE_PATH ? 'template' : 'xlsform-out');
    setError(null);
    try {
      await download(userId, path, name);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="card" data-testid="survey-upload-card">
      <h2>{t('surveyAdmin.xlsform')}</h2>
      <p class="small muted">{t('surveyAdmin.xlsformNote')}</p>
      <label class="field">
        <span>{t('surveyAdmin.xlsformFile')}</span>
        <input
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          data-testid="survey-xlsform"
        />
      </label>
      <div class="actions">
        <button type="button" class="btn primary" onClick={() => void upload()} disabled={!file || !!busy || off} data-testid="survey-upload">
          {busy === 'upload' ? t('app.loading') : t('surveyAdmin.upload')}
        </button>
        <button type="button" class="btn" onClick={() => void template()} disabled={!!busy || off} data-testid="survey-template">
          {busy === 'template' ? t('app.loading') : t('surveyAdmin.template')}
        </button>
        {survey.form.questions.length > 0 && (
          <button
            type="button"
            class="btn"
            onClick={() => void template(`/surveys/${survey.id}/xlsform`, `survey-${survey.id}.xlsx`)}
            disabled={!!busy || off}
            data-testid="survey-xlsform-download"
          >
            {busy === 'xlsform-out' ? t('app.loading') : t('surveyAdmin.xlsformDownload')}
          </button>
        )}
      </div>
      {error && (
        <p class="err block" role="alert" data-testid="survey-upload-error">
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <div class="table-wrap">
          <table class="data" data-testid="xlsform-errors">
            <thead>
              <tr>
                <th>{t('surveyAdmin.sheet')}</th>
                <th>{t('surveyAdmin.row')}</th>
                <th>{t('surveyAdmin.column')}</th>
                <th>{t('surveyAdmin.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr data-testid="xlsform-error">
                  <td>{p.sheet}</td>
                  <td class="num">{p.row}</td>
                  <td>{p.column}</td>
                  <td style={{ whiteSpace: 'normal' }}>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Questions({ survey, onEdit }: { survey: Survey; onEdit?: () => void }) {
  const questions = survey.form.questions;
  const l = lang.get();
  // Field names and facts are for whoever maintains the XLSForm: shown on request only.
  const [raw, setRaw] = useState(false);
  return (
    <div class="card">
      <h2>{t('surveyAdmin.questions', { n: questions.length })}</h2>
      {questions.length > 0 && (
        <label class="check">
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.currentTarget.checked)} data-testid="survey-show-raw" />
          <span>{t('surveyAdmin.showRaw')}</span>
        </label>
      )}
      {questions.length === 0 ? (
        <p class="empty" data-testid="survey-no-form">
          {t(onEdit ? 'surveyEditor.noForm' : 'surveyAdmin.noForm')}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="data" data-testid="survey-questions">
            <thead>
              <tr>
                <th class="sticky">{t('surveyAdmin.question')}</th>
                <th>{t('surveyAdmin.type')}</th>
                <th>{t('surveyAdmin.required')}</th>
                <th>{t('surveyAdmin.constraint')}</th>
                <th>{t('surveyAdmin.relevant')}</th>
                {raw && <th>{t('surveyAdmin.fact')}</th>}
              </tr>
            </thead>
            <tbody>
              {questions.map((q) => (
                <tr data-testid="survey-question" data-name={q.name}>
                  <th class="sticky" scope="row" style={{ whiteSpace: 'normal', minWidth: '8em' }}>
                    {labelOf(q.label, l)}
                    {raw && (
                      <div class="small muted" data-testid="survey-question-name">
                        <code>{q.name}</code>
                      </div>
                    )}
                  </th>
                  <td>{t(`surveyAdmin.qtype.${q.type}` as MessageKey)}</td>
                  <td>{q.required ? t('surveyAdmin.yes') : ''}</td>
                  <td>{constraintSummary(q.constraint)}</td>
                  <td>{relevanceSummary(q.relevant, questions, l)}</td>
                  {raw && <td>{q.fact ?? ''}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {onEdit && (
        <div class="actions">
          <button type="button" class="btn" onClick={onEdit} disabled={!online.get()} data-testid="survey-edit-form">
            {t('surveyEditor.edit')}
          </button>
        </div>
      )}
    </div>
  );
}

/** What publishing would ask again and whom else it would bother, then the button itself. */
function PreviewAndPublish(props: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const { userId, survey } = props;
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getPreview(userId, survey.id).then(
      (p) => live && (setPreview(p), setError(null)),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, survey.id, isOnline]);

  const questions = survey.form.questions;
  const overlaps = groupOverlaps(preview?.overlaps ?? []);
  const publish = async () => {
    const body = [t('surveyAdmin.publishAskBody')];
    if (overlaps.length) body.push(t('surveyAdmin.publishWarnConfirm', { n: overlaps.length }));
    const label = survey.state === 'draft' ? t('surveyAdmin.publish') : t('surveyAdmin.republish');
    if (!(await ask({ title: t('surveyAdmin.publishAsk', { title: survey.title }), body: body.join(' '), confirm: label }))) return;
    setBusy(true);
    setError(null);
    try {
      props.onDone(await publishSurvey(userId, survey.id));
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };
  return (
    <div class="card" data-testid="survey-preview">
      <h2>{t('surveyAdmin.preview')}</h2>
      {!preview && !error && <p class="muted loading">{t('app.loading')}</p>}
      {preview && survey.target === 'households' && (
        <>
          <h3>{t('surveyAdmin.knownFacts')}</h3>
          {preview.known.length === 0 ? (
            <p class="small muted" data-testid="preview-no-facts">
              {t('surveyAdmin.noKnownFacts')}
            </p>
          ) : (
            <div class="table-wrap">
              <table class="data">
                <thead>
                  <tr>
                    <th class="sticky">{t('surveyAdmin.question')}</th>
                    <th>{t('surveyAdmin.known')}</th>
                    <th>{t('surveyAdmin.freshness')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.known.map((f) => {
                    const q = questions.find((x) => x.name === f.question);
                    return (
                      <tr data-testid="preview-fact" data-fact={f.fact}>
                        <th class="sticky" scope="row" style={{ whiteSpace: 'normal', minWidth: '7em' }}>
                          {q ? labelOf(q.label, lang.get()) : f.label}
                          <div class="small muted">{f.fact}</div>
                        </th>
                        <td class="num" data-testid="preview-known">
                          {f.known} / {f.targeted}
                        </td>
                        <td>{freshnessText(f.oldest, f.newest)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <p class="small muted">{t('surveyAdmin.knownNote')}</p>
          <h3>{t('surveyAdmin.warnings')}</h3>
          {overlaps.length === 0 ? (
            <p class="small muted" data-testid="preview-no-warnings">
              {t('surveyAdmin.noWarnings', { days: preview.window_days })}
            </p>
          ) : (
            <ul class="list compact">
              {overlaps.map((o) => (
                <li class="item" data-testid="preview-warning" data-id={o.survey_id}>
                  <div class="item-head">
                    <strong>{o.title}</strong>
                    <StateBadge state={o.state} />
                  </div>
                  <p class="small">
                    {period(o)} · {o.days_apart ? t('surveyAdmin.daysApart', { n: o.days_apart }) : t('surveyAdmin.sameTime')}
                  </p>
                  <p class="small muted">
                    {o.villages.join('、')}
                    {o.shared_facts.length > 0 && ` · ${t('surveyAdmin.sharedFacts', { facts: o.shared_facts.join(', ') })}`}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {preview && preview.problems.length > 0 && (
        <ul class="errors err small" data-testid="preview-problems">
          {preview.problems.map((p) => (
            <li>
              {p.field}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {error && <p class="err block">{error}</p>}
      <div class="actions">
        <button
          class="btn primary wide"
          onClick={() => void publish()}
          disabled={busy || !preview || preview.problems.length > 0 || !isOnline}
          data-testid="survey-publish"
        >
          {busy ? t('app.loading') : survey.state === 'draft' ? t('surveyAdmin.publish') : t('surveyAdmin.republish')}
        </button>
      </div>
      <p class="small muted">{t('surveyAdmin.publishNote')}</p>
    </div>
  );
}

function ProgressCard({ userId, survey }: { userId: string; survey: Survey }) {
  const [data, setData] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getProgress(userId, survey.id).then(
      (p) => live && (setData(p), setError(null)),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, survey.id, survey.state, isOnline]);
  return (
    <div class="card" data-testid="survey-progress">
      <h2>{t('surveyAdmin.progress')}</h2>
      {error && <p class="err block">{error}</p>}
      {data && (
        <>
          <p data-testid="progress-total">
            {t(survey.target === 'villages' ? 'surveyAdmin.totalVillages' : 'surveyAdmin.totalHouseholds', { done: data.done, n: data.targeted })}
          </p>
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th class="sticky">{t('surveyAdmin.village')}</th>
                  <th>{t('surveyAdmin.doneOf')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.villages.map((v) => (
                  <tr data-testid="progress-row" data-code={v.village_code}>
                    <th class="sticky" scope="row">
                      {v.village_name}
                    </th>
                    <td class="num" data-testid="progress-count">
                      {v.done} / {v.targeted}
                    </td>
                    <td>
                      <progress max={100} value={percent(v.done, v.targeted)} aria-label={`${percent(v.done, v.targeted)}%`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="small muted">{t('surveyAdmin.noRanking')}</p>
        </>
      )}
      <Exports userId={userId} survey={survey} />
    </div>
  );
}

function Exports({ userId, survey }: { userId: string; survey: Survey }) {
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (kind: ExportKind) => {
    setBusy(kind);
    setError(null);
    try {
      await download(userId, exportPath(survey.id, kind), exportName(survey.title, kind));
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div data-testid="survey-exports">
      <div class="actions">
        {EXPORTS.map((kind) => (
          <button class="btn" onClick={() => void get(kind)} disabled={!!busy || !online.get()} data-testid={`survey-export-${kind}`}>
            {busy === kind ? t('app.loading') : t(`surveyAdmin.export.${kind}` as MessageKey)}
          </button>
        ))}
      </div>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}

function CloseButton({ userId, survey, onDone }: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = async () => {
    const sure = await ask({
      title: t('surveyAdmin.closeConfirm', { title: survey.title }),
      confirm: t('surveyAdmin.close'),
      danger: true,
    });
    if (!sure) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await closeSurvey(userId, survey.id));
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };
  return (
    <div class="card">
      <button class="btn danger wide" onClick={() => void close()} disabled={busy || !online.get()} data-testid="survey-close">
        {busy ? t('app.loading') : t('surveyAdmin.close')}
      </button>
      <p class="small muted">{t('surveyAdmin.closeNote')}</p>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}
