import { useEffect, useState } from 'preact/hooks';
import { ApiError, type FieldError, errorText } from '../api';
import { t, type MessageKey } from '../i18n';
import { online } from '../net';
import { go, href } from '../router';
import type { ViewProps } from '../routes';
import {
  choosableVillages,
  createSurvey,
  draftProblems,
  listDivisions,
  monthPeriod,
  type Target,
  type Village,
} from './admin';
import { localDate } from '../time';

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

/** A new draft survey: title, period, target and villages. */
export function CreateSurvey({ user }: { user: ViewProps['user'] }) {
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
      setError(errorText(err));
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
