import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText } from '../api';
import { lang, t } from '../i18n';
import { online } from '../net';
import type { MonthDay } from '../presence/presence';
import {
  bulkConfirm,
  confirmSheet,
  decideLeave,
  isClean,
  leaveQueue,
  missingTalks,
  recordTalk,
  returnSheet,
  sheetQueue,
  talks,
  villageNames,
  type BulkResult,
  type CadreRow,
  type Division,
  type LeaveRow,
  type SheetRow,
  type TalkRow,
} from './review';
import { Lazy } from '../lazy';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { localDate } from '../time';
import * as fmt from '../format';
import { MonthFilter } from '../ui/MonthFilter';
import { BulkApprove, type BulkLine } from '../ui/BulkApprove';
import { useOnlineList } from '../ui/onlineList';
import { Calendar, Legend } from '../presence/calendar';

type Tab = 'sheets' | 'leave' | 'talks' | 'claims' | 'insurance';
const TABS: Tab[] = ['sheets', 'leave', 'talks', 'claims'];
/** County admins also see accident insurance. */
const ADMIN_TABS: Tab[] = [...TABS, 'insurance'];

// Claims and insurance are their own chunks, loaded when their tab is opened.
const loadClaimQueue = () => import('../claims/ClaimQueue');
const loadInsurance = () => import('../claims/Insurance');

/** What to tell a reviewer when an action failed; 409 means someone else acted first. */
function failure(err: unknown): { text: string; stale: boolean } {
  if (err instanceof ApiError && err.status === 409) return { text: t('review.conflict'), stale: true };
  return { text: errorText(err), stale: err instanceof ApiError && err.status === 404 };
}

export default function Review({ user, params }: ViewProps) {
  useStores(lang, online);
  const admin = user.roles.includes('county_admin');
  const tabs = admin ? ADMIN_TABS : TABS;
  const tab: Tab = tabs.includes(params[0] as Tab) ? (params[0] as Tab) : 'sheets';
  const [villages, setVillages] = useState<Map<string, Division>>(new Map());
  useEffect(() => {
    let live = true;
    void villageNames(user.id).then((v) => live && setVillages(v));
    return () => {
      live = false;
    };
  }, [user.id]);
  const vname = (code: string) => villages.get(code)?.name ?? code;

  return (
    <section>
      <h1>{t('review.title')}</h1>
      <nav class="segments" aria-label={t('review.title')}>
        {tabs.map((name) => (
          <a class={name === tab ? 'seg on' : 'seg'} href={href('review', name)} aria-current={name === tab ? 'page' : undefined} data-testid={`review-tab-${name}`}>
            {t(`review.tab.${name}`)}
          </a>
        ))}
        {admin && (
          <a class="seg" href={href('feedback')} data-testid="review-tab-feedback">
            {t('nav.feedback')}
          </a>
        )}
      </nav>
      {!online.get() && (
        <p class="banner warn" data-testid="review-offline">
          {t('review.needsOnline')}
        </p>
      )}
      {tab === 'sheets' && <Sheets userId={user.id} vname={vname} />}
      {tab === 'leave' && <LeaveQueue userId={user.id} admin={admin} vname={vname} />}
      {tab === 'talks' && <Talks userId={user.id} vname={vname} />}
      {tab === 'claims' && <Lazy load={loadClaimQueue} props={{ user, vname }} />}
      {tab === 'insurance' && <Lazy load={loadInsurance} props={{ user, vname }} />}
    </section>
  );
}

// --- presence sheets ---------------------------------------------------------------------------

function Sheets({ userId, vname }: { userId: string; vname: (c: string) => string }) {
  const { rows, setRows, error, reload } = useOnlineList(() => sheetQueue(userId), [userId]);
  const [notice, setNotice] = useState<string | null>(null);
  const [month, setMonth] = useState('');
  const months = [...new Set(rows?.map((s) => s.month) ?? [])].sort().reverse();
  const shown = rows?.filter((s) => !month || s.month === month) ?? null;
  const clean = shown?.filter(isClean) ?? [];

  const done = (s: SheetRow, msg: string) => {
    setRows((r) => r?.filter((x) => x.id !== s.id) ?? null);
    setNotice(msg);
  };
  const runBulk = (progress: (lines: BulkLine[]) => void): Promise<BulkLine[]> =>
    bulkConfirm(userId, clean, undefined, (done) => progress(done.map(sheetLine))).then((done) => done.map(sheetLine));
  const sheetLine = (b: BulkResult): BulkLine => ({
    id: b.sheet.id,
    ok: b.ok,
    label: `${b.sheet.cadre_name} · ${vname(b.sheet.village_code)} · ${fmt.month(b.sheet.month)}`,
    why: b.conflict ? t('review.conflictShort') : b.message,
  });

  return (
    <div data-testid="review-sheets">
      {error && <p class="err block">{error}</p>}
      {notice && (
        <p class="ok" role="status" data-testid="review-notice">
          {notice}
        </p>
      )}
      {rows && (
        <div class="row">
          <p class="small muted" data-testid="sheets-count">
            {t('review.sheetsWaiting', { n: shown?.length ?? 0 })}
          </p>
          <MonthFilter months={months} value={month} onChange={setMonth} testid="sheets-month" />
        </div>
      )}
      <BulkApprove
        count={clean.length}
        texts={{ button: 'review.bulk', ask: 'review.bulkAsk', yes: 'review.bulkYes', note: 'review.bulkNote' }}
        testIds={{ button: 'bulk-confirm', yes: 'bulk-confirm-yes', results: 'bulk-results', result: 'bulk-result' }}
        run={runBulk}
        onStart={() => setNotice(null)}
        onDone={reload}
      />
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="sheets-empty">
          {t('review.sheetsNone')}
        </p>
      )}
      <ul class="list">
        {shown?.map((s) => (
          <SheetCard
            key={s.id}
            userId={userId}
            sheet={s}
            village={vname(s.village_code)}
            onDone={done}
            onStale={(msg) => {
              setRows(null);
              reload();
              setNotice(msg);
            }}
          />
        ))}
      </ul>
    </div>
  );
}

interface CadreMonth {
  days: MonthDay[];
}

function SheetCard(props: {
  userId: string;
  sheet: SheetRow;
  village: string;
  onDone: (s: SheetRow, msg: string) => void;
  onStale: (msg: string) => void;
}) {
  const { userId, sheet: s } = props;
  const [mode, setMode] = useState<'idle' | 'return'>('idle');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [days, setDays] = useState<MonthDay[] | null>(null);
  const [showDays, setShowDays] = useState(false);
  const name = `${s.cadre_name} · ${fmt.month(s.month)}`;

  const act = async (fn: () => Promise<unknown>, msg: string) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      props.onDone(s, msg);
    } catch (err) {
      const f = failure(err);
      if (f.stale) props.onStale(f.text);
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  };
  const toggleDays = async () => {
    setShowDays((v) => !v);
    if (days) return;
    try {
      const m = await api<CadreMonth>(`/fieldwork/presence/${s.cadre_id}/${s.month}`, { user: userId });
      setDays(m.days);
    } catch (err) {
      setError(failure(err).text);
    }
  };

  const below = s.village_days < s.minimum_days;
  return (
    <li class="item review-card" data-testid="sheet-card" data-id={s.id} data-cadre={s.cadre_id} data-month={s.month} data-flagged={s.flagged_logs}>
      <div class="item-head">
        <strong>{s.cadre_name}</strong>
        <span class="small muted">{fmt.month(s.month)}</span>
      </div>
      <p class="small muted">{props.village}</p>
      <p class="days-line" data-testid="sheet-days">
        <span class={below ? 'warnc' : ''}>{t('review.villageDays', { n: s.village_days, min: s.minimum_days })}</span>
        <span>{t('review.leaveAway', { l: s.leave_days, a: s.away_days })}</span>
      </p>
      <p class="small">
        {s.flagged_logs > 0 ? (
          <span class="flag" data-testid="sheet-flagged">
            {t('review.flagged', { n: s.flagged_logs })}
          </span>
        ) : (
          <span class="muted">{t('review.noFlags')}</span>
        )}
      </p>
      <button class="link small" onClick={toggleDays} aria-expanded={showDays} data-testid="sheet-show-days">
        {showDays ? t('review.hideDays') : t('review.showDays')}
      </button>
      {showDays && days && (
        <div class="cadre-month">
          <Calendar ym={s.month} days={days} today={localDate()} testid="sheet-calendar" />
          <Legend />
        </div>
      )}
      {error && (
        <p class="err block" role="alert" data-testid="sheet-error">
          {error}
        </p>
      )}
      {mode === 'return' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!reason.trim()) return setError(t('review.reasonRequired'));
            void act(() => returnSheet(userId, s, reason), t('review.returned', { name }));
          }}
          noValidate
        >
          <label class="field">
            <span>{t('review.returnReason')}</span>
            <textarea rows={3} maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid="return-reason-input" />
          </label>
          <div class="actions">
            <button class="btn danger" type="submit" disabled={busy || !online.get()} data-testid="return-send">
              {t('review.returnSend')}
            </button>
            <button class="btn" type="button" onClick={() => (setMode('idle'), setError(null))}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button
            class="btn primary"
            onClick={() => void act(() => confirmSheet(userId, s), t('review.confirmed', { name }))}
            disabled={busy || !online.get()}
            data-testid="sheet-confirm"
          >
            {t('review.confirm')}
          </button>
          <button class="btn" onClick={() => setMode('return')} disabled={busy} data-testid="sheet-return">
            {t('review.return')}
          </button>
        </div>
      )}
    </li>
  );
}

// --- leave -------------------------------------------------------------------------------------

function LeaveQueue({ userId, admin, vname }: { userId: string; admin: boolean; vname: (c: string) => string }) {
  const { rows, setRows, error, reload } = useOnlineList(() => leaveQueue(userId), [userId]);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <div data-testid="review-leave">
      {error && <p class="err block">{error}</p>}
      {notice && (
        <p class="ok" role="status" data-testid="review-notice">
          {notice}
        </p>
      )}
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="leave-queue-empty">
          {t('review.leaveNone')}
        </p>
      )}
      <ul class="list">
        {rows?.map((l) => (
          <LeaveCard
            key={l.id}
            userId={userId}
            leave={l}
            admin={admin}
            village={vname(l.village_code)}
            onDone={(msg) => {
              setRows((r) => r?.filter((x) => x.id !== l.id) ?? null);
              setNotice(msg);
            }}
            onStale={(msg) => {
              setNotice(msg);
              reload();
            }}
          />
        ))}
      </ul>
    </div>
  );
}

function LeaveCard(props: {
  userId: string;
  leave: LeaveRow;
  admin: boolean;
  village: string;
  onDone: (msg: string) => void;
  onStale: (msg: string) => void;
}) {
  const { leave: l } = props;
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const countyOnly = l.decider_level === 'county' && !props.admin;
  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await decideLeave(props.userId, l, approve, note);
      props.onDone(t(approve ? 'review.leaveApproved' : 'review.leaveRejected', { name: l.cadre_name }));
    } catch (err) {
      const f = failure(err);
      if (f.stale) props.onStale(f.text);
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="item review-card" data-testid="leave-card" data-id={l.id} data-cadre={l.cadre_id} data-level={l.decider_level}>
      <div class="item-head">
        <strong>{l.cadre_name}</strong>
        <span class="small muted">{t('leave.days', { n: l.days })}</span>
      </div>
      <p class="small muted">{props.village}</p>
      <p>
        {fmt.dayRange(l.start_date, l.end_date)}
      </p>
      <p class="text">{l.reason}</p>
      <p class="small">
        <span class={l.decider_level === 'county' ? 'flag' : 'muted'} data-testid="leave-level">
          {l.decider_level === 'county' ? t('leave.byCounty') : t('leave.byTownship')}
        </span>
      </p>
      {countyOnly ? (
        <p class="banner warn" data-testid="leave-county-only">
          {t('review.countyDecides')}
        </p>
      ) : (
        <>
          <label class="field">
            <span>{t('review.leaveNote')}</span>
            <input type="text" maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="leave-note" />
          </label>
          <div class="actions">
            <button class="btn primary" onClick={() => void decide(true)} disabled={busy || !online.get()} data-testid="leave-approve">
              {t('review.approve')}
            </button>
            <button class="btn danger" onClick={() => void decide(false)} disabled={busy || !online.get()} data-testid="leave-reject">
              {t('review.reject')}
            </button>
          </div>
        </>
      )}
      {error && (
        <p class="err block" role="alert" data-testid="leave-error">
          {error}
        </p>
      )}
    </li>
  );
}

// --- heart-to-heart talks ----------------------------------------------------------------------

function Talks({ userId, vname }: { userId: string; vname: (c: string) => string }) {
  const today = localDate();
  const year = Number(today.slice(0, 4));
  const missing = useOnlineList<CadreRow>(() => missingTalks(userId, year), [userId, year]);
  const done = useOnlineList<TalkRow>(() => talks(userId, year), [userId, year]);
  const [cadre, setCadre] = useState('');
  const [date, setDate] = useState(today);
  const [summary, setSummary] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Everyone in scope this year: those without a talk and those with one.
  const choices = new Map<string, { name: string; village: string }>();
  for (const c of missing.rows ?? []) choices.set(c.cadre_id, { name: c.name, village: c.village_code });
  for (const c of done.rows ?? []) choices.set(c.cadre_id, { name: c.cadre_name, village: c.village_code });
  const sorted = [...choices.entries()].sort((a, b) =>
    a[1].village === b[1].village ? a[1].name.localeCompare(b[1].name, 'zh-CN') : a[1].village < b[1].village ? -1 : 1,
  );

  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (!cadre) return setError(t('talks.cadreRequired'));
    if (!summary.trim()) return setError(t('talks.summaryRequired'));
    setBusy(true);
    setError(null);
    try {
      await recordTalk(userId, { cadre_id: cadre, date, summary });
      setNotice(t('talks.saved', { name: choices.get(cadre)?.name ?? '' }));
      setSummary('');
      setCadre('');
      missing.reload();
      done.reload();
    } catch (err) {
      setError(failure(err).text);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="review-talks">
      <form class="card" onSubmit={save} noValidate id="talk-form" data-testid="talk-form">
        <h2>{t('talks.record')}</h2>
        <label class="field">
          <span>{t('talks.cadre')}</span>
          <select value={cadre} onChange={(e) => setCadre(e.currentTarget.value)} data-testid="talk-cadre">
            <option value="">{t('talks.pick')}</option>
            {sorted.map(([id, c]) => (
              <option value={id}>
                {c.name}（{vname(c.village)}）
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('talks.date')}</span>
          <input type="date" value={date} max={today} onInput={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} data-testid="talk-date" />
        </label>
        <label class="field">
          <span>{t('talks.summary')}</span>
          <textarea rows={3} maxLength={5000} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} data-testid="talk-summary" />
        </label>
        {error && <p class="err block">{error}</p>}
        <button class="btn primary wide" type="submit" disabled={busy || !online.get()} data-testid="talk-save">
          {t('talks.save')}
        </button>
        {notice && (
          <p class="ok" role="status" data-testid="talk-saved">
            {notice}
          </p>
        )}
      </form>
      <h2>{t('talks.missing', { year, n: missing.rows?.length ?? 0 })}</h2>
      {missing.error && <p class="err block">{missing.error}</p>}
      {missing.rows && missing.rows.length === 0 && <p class="empty">{t('talks.missingNone')}</p>}
      <ul class="list compact" data-testid="talks-missing">
        {missing.rows?.map((c) => (
          <li class="item row" data-testid="talk-missing" data-cadre={c.cadre_id}>
            <span>
              {c.name} <span class="small muted">{vname(c.village_code)}</span>
            </span>
            <button
              class="btn small"
              onClick={() => {
                setCadre(c.cadre_id);
                document.getElementById('talk-form')?.scrollIntoView({ behavior: 'smooth' });
              }}
            >
              {t('talks.recordFor')}
            </button>
          </li>
        ))}
      </ul>
      <h2>{t('talks.done', { year })}</h2>
      {done.rows && done.rows.length === 0 && <p class="empty">{t('talks.none')}</p>}
      <ul class="list compact" data-testid="talks-list">
        {done.rows?.map((r) => (
          <li class="item" data-testid="talk-item">
            <div class="item-head">
              <strong>{r.cadre_name}</strong>
              <span class="small muted">{fmt.day(r.date)}</span>
            </div>
            <p class="small muted">{vname(r.village_code)}</p>
            <p class="text">{r.summary}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
