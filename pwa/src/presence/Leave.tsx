import { useEffect, useState } from 'preact/hooks';
import { activePostings } from '../auth';
import { lang, t, type MessageKey } from '../i18n';
import {
  TOWNSHIP_LEAVE_LIMIT,
  cancelLeave,
  deciderLevel,
  leaveDays,
  leaveLimit,
  leaveState,
  myLeave,
  requestLeave,
  type LeaveData,
} from './leave';
import { online } from '../net';
import { outboxChanged } from '../outbox';
import type { RecordView } from '../records';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncSoon } from '../sync';
import { localDate } from '../time';
import * as fmt from '../format';
import { StatusBadge } from '../ui/common';
import { SaveNotice } from '../ui/SaveNotice';

export default function Leave({ user }: ViewProps) {
  useStores(lang, outboxChanged);
  const today = localDate();
  const posting = activePostings(user, today)[0];
  const [start, setStart] = useState(today);
  const [end, setEnd] = useState(today);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const [rows, setRows] = useState<RecordView<LeaveData>[]>([]);
  const [limit, setLimit] = useState(TOWNSHIP_LEAVE_LIMIT);
  const tick = outboxChanged.get();
  const county = posting?.county_code ?? '';
  const year = Number(start.slice(0, 4));
  useEffect(() => {
    if (!county || !year) return;
    let live = true;
    void leaveLimit(user.id, county, year, online.get()).then((n) => live && setLimit(n));
    return () => {
      live = false;
    };
  }, [user.id, county, year]);
  useEffect(() => {
    let live = true;
    void myLeave(user.id).then((r) => live && setRows(r));
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  const days = leaveDays(start, end);
  const save = async (e: Event) => {
    e.preventDefault();
    setSavedId(null);
    if (!posting) return;
    if (!days) return setError(t('leave.badDates'));
    if (!reason.trim()) return setError(t('leave.reasonRequired'));
    setError(null);
    const item = await requestLeave(user.id, { village_code: posting.village_code, start_date: start, end_date: end, reason });
    // Cleared, so the same request is not sent twice by a second tap.
    setReason('');
    setStart(today);
    setEnd(today);
    setSavedId(item.id);
    syncSoon();
  };

  return (
    <section>
      <div class="row">
        <h1>{t('leave.title')}</h1>
        <a class="btn small" href={href('month')}>
          {t('leave.backToMonth')}
        </a>
      </div>
      {!posting ? (
        <p class="empty">{t('today.noPosting')}</p>
      ) : (
        <form class="card" onSubmit={save} noValidate data-testid="leave-form">
          <div class="two">
            <label class="field">
              <span>{t('leave.start')}</span>
              <input
                type="date"
                value={start}
                onInput={(e) => {
                  const v = e.currentTarget.value;
                  if (!v) return;
                  setStart(v);
                  if (end < v) setEnd(v);
                }}
                data-testid="leave-start"
              />
            </label>
            <label class="field">
              <span>{t('leave.end')}</span>
              <input
                type="date"
                value={end}
                min={start}
                onInput={(e) => e.currentTarget.value && setEnd(e.currentTarget.value)}
                data-testid="leave-end"
              />
            </label>
          </div>
          <p class="small" data-testid="leave-days">
            {t('leave.days', { n: days })}
            {days > 0 && ` · ${deciderLevel(days, limit) === 'county' ? t('leave.byCountyOver', { n: limit }) : t('leave.byTownship')}`}
          </p>
          <label class="field">
            <span>{t('leave.reason')}</span>
            <textarea rows={3} value={reason} maxLength={1000} onInput={(e) => setReason(e.currentTarget.value)} data-testid="leave-reason" />
          </label>
          {error && <p class="err block">{error}</p>}
          <button class="btn primary wide" type="submit" data-testid="leave-save">
            {t('leave.submit')}
          </button>
          {savedId && <SaveNotice userId={user.id} id={savedId} offline="leave.saved" testid="leave-saved" />}
        </form>
      )}
      <h2>{t('leave.mine')}</h2>
      {rows.length === 0 ? (
        <p class="empty" data-testid="leave-empty">
          {t('leave.none')}
        </p>
      ) : (
        <ul class="list" data-testid="leave-list">
          {rows.map((r) => (
            <LeaveItem key={r.id} userId={user.id} row={r} />
          ))}
        </ul>
      )}
    </section>
  );
}

function LeaveItem({ userId, row }: { userId: string; row: RecordView<LeaveData> }) {
  const [asking, setAsking] = useState(false);
  const d = row.data;
  const state = leaveState(d);
  const days = d.days ?? leaveDays(d.start_date, d.end_date);
  const cancel = async () => {
    await cancelLeave(userId, row);
    setAsking(false);
    syncSoon();
  };
  return (
    <li class="item" data-testid="leave-item" data-id={row.id} data-state={state} data-status={row.status}>
      <div class="item-head">
        <strong>
          {fmt.dayRange(d.start_date, d.end_date)}
        </strong>
        <span class={`status lv-${state}`} data-testid="leave-state">
          {t(`leave.state.${state}` as MessageKey)}
        </span>
      </div>
      <p class="small muted">
        {t('leave.days', { n: days })} · {(d.decider_level ?? deciderLevel(days)) === 'county' ? t('leave.byCounty') : t('leave.byTownship')}
      </p>
      <p class="text">{d.reason}</p>
      {d.decision_note && <p class="small">{t('leave.note', { note: d.decision_note })}</p>}
      <div class="item-foot small">
        {row.status !== 'applied' && <StatusBadge status={row.status} />}
        {state === 'pending' && !asking && (
          <button class="link danger" onClick={() => setAsking(true)} data-testid="leave-cancel">
            {t('leave.cancel')}
          </button>
        )}
        {asking && (
          <>
            <span>{t('leave.cancelConfirm')}</span>
            <button class="btn small danger" onClick={cancel} data-testid="leave-cancel-yes">
              {t('leave.cancelYes')}
            </button>
            <button class="btn small" onClick={() => setAsking(false)}>
              {t('common.no')}
            </button>
          </>
        )}
      </div>
      {row.status === 'rejected' && row.item?.errors?.map((e) => <small class="err block">{e.message}</small>)}
    </li>
  );
}
