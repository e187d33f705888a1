import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, fetchBlob, errorText } from '../api';
import { activePostings, type User } from '../auth';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import { outboxChanged } from '../outbox';
import {
  DAY_STATUSES,
  cachedEligibility,
  fetchEligibility,
  fetchMonth,
  isFrozen,
  loadMonth,
  reasonIn,
  stateDay,
  submitMonth,
  supersedes,
  unsentForMonth,
  type DayStatus,
  type Eligibility,
  type MonthDay,
  type MonthView,
} from './presence';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncNow, syncSoon, syncState } from '../sync';
import { addMonths, localDate, localMonth } from '../time';
import * as fmt from '../format';
import { Calendar, Legend, dayLabel } from './calendar';

const VALID_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export default function Month({ user, params }: ViewProps) {
  useStores(lang, outboxChanged, online, syncState);
  const current = localMonth();
  const [ym, setYm] = useState(() => (VALID_MONTH.test(params[0] ?? '') && params[0] <= current ? params[0] : current));
  const [view, setView] = useState<MonthView | null>(null);
  const [fresh, setFresh] = useState(false);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const [editing, setEditing] = useState<MonthDay | null>(null);
  const tick = outboxChanged.get();
  const lastSync = syncState.get().lastSyncAt;
  const isOnline = online.get();

  // What the phone holds, at once and after every local change.
  // A local read started before the server's answer arrived must not replace that answer.
  const fetched = useRef(0);
  useEffect(() => {
    let live = true;
    const before = fetched.current;
    void loadMonth(user, ym).then((v) => live && fetched.current === before && setView(v));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user.id, ym, tick]);

  // The server's month, when it can be reached: on opening, and after each sync.
  useEffect(() => {
    setFresh(false);
    setFetchError(null);
    if (!isOnline) return;
    let live = true;
    fetchMonth(user, ym).then(
      (v) => {
        if (!live) return;
        fetched.current++;
        // A read sent before a submit may be answered after it: the submitted sheet stays.
        setView((held) => (supersedes(held, v) ? v : held));
        setFresh(true);
      },
      (err) => live && setFetchError(errorText(err)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user.id, ym, isOnline, lastSync]);

  const changeMonth = (m: string) => {
    setView(null);
    setEditing(null);
    setYm(m);
  };
  const today = localDate();
  const village = view?.village_code || activePostings(user, today)[0]?.village_code || '';
  const frozen = view ? isFrozen(view.state) : false;

  return (
    <section>
      <div class="row">
        <h1>{t('month.title')}</h1>
        <a class="btn small" href={href('leave')} data-testid="open-leave">
          {t('leave.open')}
        </a>
      </div>
      <div class="month-head">
        <button class="btn" onClick={() => changeMonth(addMonths(ym, -1))} aria-label={t('month.prev')} data-testid="month-prev">
          ‹
        </button>
        <strong data-testid="month-label">{fmt.month(ym)}</strong>
        <button
          class="btn"
          onClick={() => changeMonth(addMonths(ym, 1))}
          disabled={ym >= current}
          aria-label={t('month.next')}
          data-testid="month-next"
        >
          ›
        </button>
      </div>
      {!view ? (
        <p class="muted loading">{t('app.loading')}</p>
      ) : (
        <>
          <SheetBanner view={view} fresh={fresh} online={isOnline} fetchError={fetchError} />
          <Summary view={view} />
          <Calendar ym={ym} days={view.days} today={today} onPick={frozen ? undefined : setEditing} selected={editing?.date} />
          <Legend />
          <p class="small muted" data-testid="month-hint">
            {frozen ? t('month.frozenHint') : t('month.tapHint')}
          </p>
          <SubmitBar user={user} view={view} onDone={(v) => (fetched.current++, setView(v), setFresh(true))} />
        </>
      )}
      <EligibilityCard userId={user.id} year={Number(today.slice(0, 4))} />
      {editing && view && (
        <DayEditor
          day={editing}
          onClose={() => setEditing(null)}
          onSave={async (status, note) => {
            await stateDay(user, village, editing.date, status, note);
            setEditing(null);
            syncSoon();
          }}
        />
      )}
    </section>
  );
}

function SheetBanner({ view, fresh, online, fetchError }: { view: MonthView; fresh: boolean; online: boolean; fetchError: string | null }) {
  return (
    <div class={`card sheet-state sheet-${view.state}`} data-testid="sheet-state" data-state={view.state}>
      <div class="row">
        <strong>{t('month.sheet')}</strong>
        <span class={`status sh-${view.state}`} data-testid="sheet-state-label">
          {t(`sheet.${view.state}` as MessageKey)}
        </span>
      </div>
      {view.state === 'returned' && view.return_reason && (
        <p class="err block" data-testid="return-reason">
          {t('month.returnReason', { reason: view.return_reason })}
        </p>
      )}
      {view.state === 'draft' && <p class="small muted">{t('month.draft')}</p>}
      {!fresh && (
        <p class="small muted" data-testid="month-origin" data-origin={view.origin}>
          {!online
            ? view.origin === 'local'
              ? t('month.offlineLocal')
              : t('month.offlineCache')
            : fetchError
              ? t('month.fetchFailed', { msg: fetchError })
              : t('month.refreshing')}
        </p>
      )}
    </div>
  );
}

function Summary({ view }: { view: MonthView }) {
  const confirmed = view.state === 'confirmed' ? view.village_days : 0;
  return (
    <div class="card summary-days">
      <p class="big" data-testid="month-confirmed" data-confirmed={confirmed}>
        {t('month.confirmedOf', { n: confirmed, min: view.minimum_days })}
      </p>
      <p class="small muted" data-testid="month-count" data-village={view.village_days}>
        {t('month.counts', { v: view.village_days, l: view.leave_days, a: view.away_days })}
      </p>
    </div>
  );
}

function SubmitBar({ user, view, onDone }: { user: User; view: MonthView; onDone: (v: MonthView) => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();

  if (view.state === 'submitted' || view.state === 'confirmed') {
    return (
      <p class="ok" data-testid="submit-done">
        {view.state === 'submitted' ? t('month.submittedWait') : t('month.confirmedNote')}
      </p>
    );
  }

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await syncNow(); // what was stated on this phone goes first
      const waiting = await unsentForMonth(user.id, view.month);
      if (waiting) {
        setError(t('month.unsentFirst', { n: waiting }));
        return;
      }
      onDone(await submitMonth(user, view.month));
      setAsking(false);
    } catch (err) {
      if (err instanceof ApiError && err.network) setError(t('month.submitOffline'));
      else if (err instanceof ApiError && err.status === 409) {
        setError(err.display);
        onDone(await fetchMonth(user, view.month).catch(() => view));
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card submitbar">
      {!isOnline && (
        <p class="banner warn" data-testid="submit-offline">
          {t('month.submitOffline')}
        </p>
      )}
      {asking ? (
        <>
          <p data-testid="submit-confirm-text">
            {t('month.submitConfirm', { n: view.village_days })}
            {view.month === localMonth() && ` ${t('month.submitEarly')}`}
          </p>
          <div class="actions">
            <button class="btn primary" onClick={submit} disabled={busy || !isOnline} data-testid="submit-confirm">
              {busy ? t('month.submitting') : t('month.submitYes')}
            </button>
            <button class="btn" onClick={() => setAsking(false)} disabled={busy} data-testid="submit-cancel">
              {t('common.cancel')}
            </button>
          </div>
        </>
      ) : (
        <button
          class="btn primary wide"
          onClick={() => (setError(null), setAsking(true))}
          disabled={!isOnline}
          data-testid="submit-month"
        >
          {view.state === 'returned' ? t('month.resubmit') : t('month.submit')}
        </button>
      )}
      {error && (
        <p class="err block" role="alert" data-testid="submit-error">
          {error}
        </p>
      )}
    </div>
  );
}

function DayEditor(props: { day: MonthDay; onClose: () => void; onSave: (s: DayStatus, note: string) => Promise<void> }) {
  const { day } = props;
  const [status, setStatus] = useState<DayStatus | null>(day.status);
  const [note, setNote] = useState(day.note);
  const [busy, setBusy] = useState(false);
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!status) return;
    setBusy(true);
    try {
      await props.onSave(status, note);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="bottom-sheet" role="dialog" aria-modal="true" aria-labelledby="day-editor-title">
      <form onSubmit={save} data-testid="day-editor">
        <h2 id="day-editor-title">{fmt.day(day.date, true)}</h2>
        <p class="small muted">
          {day.logs > 0 ? t('month.dayLogs', { n: day.logs }) : t('month.dayNoLogs')}
          {day.source === 'drafted' && day.status && ` · ${t('month.dayDrafted', { s: dayLabel(day.status) })}`}
        </p>
        <div class="chips status-chips" role="radiogroup" aria-label={t('month.dayStatus')}>
          {DAY_STATUSES.map((s) => (
            <button
              type="button"
              role="radio"
              aria-checked={status === s}
              class={status === s ? `chip on st-${s}` : 'chip'}
              onClick={() => setStatus(s)}
              data-testid={`day-status-${s}`}
            >
              {dayLabel(s)}
            </button>
          ))}
        </div>
        <label class="field">
          <span>{t('month.dayNote')}</span>
          <input
            type="text"
            maxLength={200}
            value={note}
            placeholder={t('month.dayNotePlaceholder')}
            onInput={(e) => setNote(e.currentTarget.value)}
            data-testid="day-note"
          />
        </label>
        <div class="actions">
          <button class="btn primary" type="submit" disabled={!status || busy} data-testid="day-save">
            {t('common.save')}
          </button>
          <button class="btn" type="button" onClick={props.onClose} data-testid="day-cancel">
            {t('common.cancel')}
          </button>
        </div>
        <p class="small muted">{t('month.daySavedLocally')}</p>
      </form>
      </div>
    </div>
  );
}

function EligibilityCard({ userId, year }: { userId: string; year: number }) {
  useStores(online);
  const [e, setE] = useState<Eligibility | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const isOnline = online.get();
  useEffect(() => {
    let live = true;
    void cachedEligibility(userId, year).then((c) => live && c && setE((prev) => prev ?? c));
    if (isOnline) {
      fetchEligibility(userId, year).then(
        (v) => live && setE(v),
        (err) => live && setError(errorText(err)),
      );
    }
    return () => {
      live = false;
    };
  }, [userId, year, isOnline]);

  const openDossier = async () => {
    setOpening(true);
    setError(null);
    try {
      const blob = await fetchBlob(`/commendation/dossiers/${encodeURIComponent(userId)}/print?year=${year}`, { user: userId });
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
      const a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 120_000);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setOpening(false);
    }
  };

  if (e === null) return null;
  return (
    <div class="card eligibility" data-testid="eligibility" data-eligible={e ? String(e.eligible) : ''}>
      <div class="row">
        <h2>{t('elig.title', { year })}</h2>
        {e && (
          <span class={e.eligible ? 'status s-applied' : 'status s-none'} data-testid="eligibility-verdict">
            {e.eligible ? t('elig.yes') : t('elig.no')}
          </span>
        )}
      </div>
      {!e ? (
        <p class="small muted">{isOnline ? t('app.loading') : t('elig.offline')}</p>
      ) : (
        <>
          <p>{t('elig.days', { n: e.confirmed_days, req: e.required_days })}</p>
          <ul class="reasons small" data-testid="eligibility-reasons">
            {e.reasons.map((r) => (
              <li>{reasonIn(r, lang.get())}</li>
            ))}
          </ul>
          <p class="small muted">{t('elig.note')}</p>
          <button class="btn small" onClick={openDossier} disabled={!isOnline || opening} data-testid="open-dossier">
            {opening ? t('app.loading') : t('elig.dossier')}
          </button>
        </>
      )}
      {error && <p class="err small">{error}</p>}
    </div>
  );
}
