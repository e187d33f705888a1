import { useState } from 'preact/hooks';
import type { User } from '../auth';
import {
  actOnClaim,
  bulkApprove,
  claimQueue,
  isCleanClaim,
  reviewStates,
  stepFailure,
  type BulkClaimResult,
} from './claimReview';
import { fromOut, type ClaimOut } from './claims';
import { lang, t } from '../i18n';
import { yuan } from '../money';
import { online } from '../net';
import { useStores } from '../store';
import { MonthFilter } from '../ui/MonthFilter';
import { BulkApprove, type BulkLine } from '../ui/BulkApprove';
import { useOnlineList } from '../ui/onlineList';
import { ClaimAmount, ClaimFacts, ClaimStateBadge, EvidenceStrip, FlagList, claimTitle } from './claimParts';

/** 审核 › 报销: the claims the township (submitted) or the county (township-approved) decides. */
export default function ClaimQueue({ user, vname }: { user: User; vname: (code: string) => string }) {
  useStores(lang, online);
  const states = reviewStates(user.roles);
  const { rows, setRows, error, reload } = useOnlineList(() => claimQueue(user.id, states), [user.id, states.join()]);
  const [notice, setNotice] = useState<string | null>(null);
  const [month, setMonth] = useState('');
  const months = [...new Set(rows?.map((c) => c.month) ?? [])].sort().reverse();
  const shown = rows?.filter((c) => !month || c.month === month) ?? null;
  const clean = shown?.filter(isCleanClaim) ?? [];
  const total = shown?.reduce((a, c) => a + c.payable_fen, 0) ?? 0;

  const runBulk = async (): Promise<BulkLine[]> => {
    const byId = new Map(clean.map((c) => [c.id, c]));
    const results = await bulkApprove(user.id, clean);
    return results.filter((r) => byId.has(r.id)).map((r) => bulkLine(byId.get(r.id)!, r));
  };

  return (
    <div data-testid="review-claims">
      {error && <p class="err block">{error}</p>}
      {notice && (
        <p class="ok" role="status" data-testid="claims-notice">
          {notice}
        </p>
      )}
      {shown && (
        <div class="row">
          <p class="small muted" data-testid="claims-count">
            {t('claimq.waiting', { n: shown.length, amount: yuan(total) })}
          </p>
          <MonthFilter months={months} value={month} onChange={setMonth} testid="claims-month" />
        </div>
      )}
      <BulkApprove
        count={clean.length}
        texts={{ button: 'claimq.bulk', ask: 'claimq.bulkAsk', yes: 'claimq.bulkYes', note: 'claimq.bulkNote' }}
        testIds={{ button: 'claims-bulk', yes: 'claims-bulk-yes', results: 'claims-bulk-results', result: 'claims-bulk-result' }}
        run={runBulk}
        onStart={() => setNotice(null)}
        onDone={reload}
      />
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="claims-empty">
          {t('claimq.none')}
        </p>
      )}
      <ul class="list">
        {shown?.map((c) => (
          <ReviewClaimCard
            key={c.id}
            userId={user.id}
            claim={c}
            village={vname(c.village_code)}
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
    </div>
  );
}

/** A claim's line in the answer to a bulk approval. */
function bulkLine(claim: ClaimOut, result: BulkClaimResult): BulkLine {
  const ok = result.status === 'approved';
  const stale = result.code === 'conflict' || result.code === 'wrong_state';
  return {
    id: claim.id,
    ok,
    label: `${claim.cadre_name} · ${claimTitle(claim)} · ${yuan(claim.payable_fen)}`,
    why: ok ? undefined : stale ? t('review.conflictShort') : (result.message ?? result.code ?? ''),
  };
}

type Mode = 'idle' | 'return' | 'reject';

function ReviewClaimCard(props: {
  userId: string;
  claim: ClaimOut;
  village: string;
  onDone: (msg: string) => void;
  onStale: (msg: string) => void;
}) {
  const { userId, claim: c } = props;
  const [mode, setMode] = useState<Mode>('idle');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const d = fromOut(c);
  const name = `${c.cadre_name} · ${claimTitle(c)}`;
  const isOnline = online.get();

  const act = async (action: 'approve' | 'return' | 'reject') => {
    if (action !== 'approve' && !reason.trim()) return setError(t('review.reasonRequired'));
    setBusy(true);
    setError(null);
    try {
      await actOnClaim(userId, c, action, action === 'approve' ? {} : { reason });
      props.onDone(t(`claimq.done.${action}`, { name }));
    } catch (err) {
      const f = await stepFailure(userId, c, err);
      if (f.stale) props.onStale(f.text);
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class="item review-card"
      data-testid="claim-card"
      data-id={c.id}
      data-cadre={c.cadre_id}
      data-type={c.type}
      data-flagged={String(c.flags.length > 0)}
    >
      <div class="item-head">
        <strong>{c.cadre_name}</strong>
        <ClaimStateBadge state={c.state} />
      </div>
      <p class="small muted" data-testid="claim-village">
        {props.village}
      </p>
      <p>{claimTitle(c)}</p>
      <ClaimFacts d={d} />
      <ClaimAmount d={d} computed />
      {c.flags.length > 0 ? <FlagList flags={c.flags} /> : <p class="small muted">{t('claimq.noFlags')}</p>}
      {c.note && <p class="text small">{c.note}</p>}
      <EvidenceStrip userId={userId} shas={d.evidence} />
      {c.type === 'travel' && c.evidence.length === 0 && <p class="small muted">{t('claimq.noReceipts')}</p>}
      {error && (
        <p class="err block" role="alert" data-testid="claim-card-error">
          {error}
        </p>
      )}
      {mode === 'idle' ? (
        <div class="actions">
          <button class="btn primary" onClick={() => void act('approve')} disabled={busy || !isOnline} data-testid="claim-approve">
            {t('claimq.approve')}
          </button>
          <button class="btn" onClick={() => (setMode('return'), setError(null))} disabled={busy} data-testid="claim-return">
            {t('review.return')}
          </button>
          <button class="btn danger" onClick={() => (setMode('reject'), setError(null))} disabled={busy} data-testid="claim-reject">
            {t('claimq.reject')}
          </button>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(mode);
          }}
          noValidate
        >
          <label class="field">
            <span>{mode === 'return' ? t('review.returnReason') : t('claimq.rejectReason')}</span>
            <textarea rows={3} maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid="claim-reason-input" />
          </label>
          <div class="actions">
            <button class="btn danger" type="submit" disabled={busy || !isOnline} data-testid="claim-reason-send">
              {mode === 'return' ? t('review.returnSend') : t('claimq.rejectSend')}
            </button>
            <button class="btn" type="button" onClick={() => (setMode('idle'), setError(null))}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
