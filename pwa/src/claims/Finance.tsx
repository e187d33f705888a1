import { useState } from 'preact/hooks';
import { errorText } from '../api';
import { actOnClaim, claimExportPath, claimQueue, stepFailure } from './claimReview';
import { fromOut, type ClaimOut } from './claims';
import { download } from '../dashboard/dashboard';
import { lang, t } from '../i18n';
import { yuan } from '../money';
import { online } from '../net';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { addMonths, localMonth } from '../time';
import * as fmt from '../format';
import { ClaimAmount, ClaimFacts, ClaimStateBadge, EvidenceStrip, claimTitle } from './claimParts';
import { useOnlineList } from '../ui/onlineList';

type Tab = 'topay' | 'paid';
const TABS: Tab[] = ['topay', 'paid'];

/** 支付 (county finance): county-approved claims to mark paid, paid ones, and the month's exports. */
export default function Finance({ user, params }: ViewProps) {
  useStores(lang, online);
  const tab: Tab = TABS.includes(params[0] as Tab) ? (params[0] as Tab) : 'topay';
  const current = localMonth();
  const [month, setMonth] = useState(current);
  const state = tab === 'topay' ? 'county_approved' : 'paid';
  // To pay: every month still waiting; paid: the month chosen.
  const { rows, setRows, error, reload } = useOnlineList(
    () => claimQueue(user.id, [state], tab === 'paid' ? month : ''),
    [user.id, tab, tab === 'paid' ? month : ''],
  );
  const [notice, setNotice] = useState<string | null>(null);
  const total = rows?.reduce((a, c) => a + c.payable_fen, 0) ?? 0;

  return (
    <section data-testid="finance">
      <h1>{t('finance.title')}</h1>
      <nav class="segments" aria-label={t('finance.title')}>
        {TABS.map((name) => (
          <a class={name === tab ? 'seg on' : 'seg'} href={href('finance', name)} aria-current={name === tab ? 'page' : undefined} data-testid={`finance-tab-${name}`}>
            {t(`finance.tab.${name}`)}
          </a>
        ))}
      </nav>
      {!online.get() && (
        <p class="banner warn" data-testid="finance-offline">
          {t('review.needsOnline')}
        </p>
      )}
      <div class="card filters">
        <div class="month-head">
          <button class="btn" onClick={() => setMonth(addMonths(month, -1))} aria-label={t('month.prev')} data-testid="finance-prev">
            ‹
          </button>
          <strong data-testid="finance-month">{fmt.month(month)}</strong>
          <button class="btn" onClick={() => setMonth(addMonths(month, 1))} disabled={month >= current} aria-label={t('month.next')} data-testid="finance-next">
            ›
          </button>
        </div>
        <Exports userId={user.id} month={month} />
      </div>
      {error && <p class="err block">{error}</p>}
      {notice && (
        <p class="ok" role="status" data-testid="finance-notice">
          {notice}
        </p>
      )}
      {rows && (
        <p class="small muted" data-testid="finance-count">
          {tab === 'topay'
            ? t('finance.toPayCount', { n: rows.length, amount: yuan(total) })
            : t('finance.paidCount', { n: rows.length, amount: yuan(total), month: fmt.month(month) })}
        </p>
      )}
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="finance-empty">
          {tab === 'topay' ? t('finance.noneToPay') : t('finance.nonePaid')}
        </p>
      )}
      <ul class="list">
        {rows?.map((c) => (
          <PayCard
            key={c.id}
            userId={user.id}
            claim={c}
            onDone={(msg) => {
              setRows((r) => r?.filter((x) => x.id !== c.id) ?? null);
              setNotice(msg);
            }}
            onStale={(msg) => {
              setNotice(msg);
              reload();
            }}
          />
        ))}
      </ul>
      <p class="small muted">{t('finance.order')}</p>
    </section>
  );
}

function Exports({ userId, month }: { userId: string; month: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (kind: 'xlsx' | 'csv') => {
    setBusy(kind);
    setError(null);
    try {
      await download(userId, claimExportPath(kind, month), `claims-${month}.${kind}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const off = !online.get();
  return (
    <div data-testid="finance-exports">
      <p class="small muted">{t('finance.exportNote')}</p>
      <div class="actions">
        <button class="btn" onClick={() => void get('xlsx')} disabled={off || busy !== null} data-testid="finance-xlsx">
          {busy === 'xlsx' ? t('app.loading') : t('finance.xlsx')}
        </button>
        <button class="btn" onClick={() => void get('csv')} disabled={off || busy !== null} data-testid="finance-csv">
          {busy === 'csv' ? t('app.loading') : t('finance.csv')}
        </button>
      </div>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}

function PayCard(props: { userId: string; claim: ClaimOut; onDone: (msg: string) => void; onStale: (msg: string) => void }) {
  const { userId, claim: c } = props;
  const [ref, setRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const d = fromOut(c);
  const pay = async (e: Event) => {
    e.preventDefault();
    if (!ref.trim()) return setError(t('finance.refRequired'));
    setBusy(true);
    setError(null);
    try {
      await actOnClaim(userId, c, 'pay', { payment_reference: ref });
      props.onDone(t('finance.paidDone', { name: `${c.cadre_name} · ${claimTitle(c)}`, amount: yuan(c.payable_fen) }));
    } catch (err) {
      const f = await stepFailure(userId, c, err);
      if (f.stale) props.onStale(f.text);
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="item review-card" data-testid="pay-card" data-id={c.id} data-cadre={c.cadre_id} data-state={c.state}>
      <div class="item-head">
        <strong>{c.cadre_name}</strong>
        <ClaimStateBadge state={c.state} />
      </div>
      <p>{claimTitle(c)}</p>
      <ClaimFacts d={d} />
      <ClaimAmount d={d} computed />
      <EvidenceStrip userId={userId} shas={d.evidence} />
      {c.county_approved_at && <p class="small muted">{t('finance.approvedAt', { t: fmt.dateTime(c.county_approved_at) })}</p>}
      {c.state === 'paid' ? (
        <p class="small" data-testid="pay-ref">
          {t('claim.paidRef', { ref: c.payment_reference ?? '' })}
          {c.paid_at && ` · ${fmt.dateTime(c.paid_at)}`}
        </p>
      ) : (
        <form onSubmit={pay} noValidate>
          <label class="field">
            <span>{t('finance.ref')}</span>
            <input type="text" maxLength={64} value={ref} autoComplete="off" onInput={(e) => (setRef(e.currentTarget.value), setError(null))} data-testid="pay-ref-input" />
          </label>
          {error && (
            <p class="err block" role="alert" data-testid="pay-error">
              {error}
            </p>
          )}
          <button class="btn primary wide" type="submit" disabled={busy || !online.get()} data-testid="pay-send">
            {t('finance.markPaid', { amount: yuan(c.payable_fen) })}
          </button>
        </form>
      )}
    </li>
  );
}
