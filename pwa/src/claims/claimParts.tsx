import { useEffect, useState } from 'preact/hooks';
import { fetchBlob } from '../api';
import { flagDetail, type ClaimData, type ClaimEvent, type ClaimFlag } from './claims';
import { getEvidence } from '../evidence/evidence';
import { t, type MessageKey } from '../i18n';
import { yuan } from '../money';
import * as fmt from '../format';
import { Thumb } from '../evidence/photos';

/** Pieces shared by the cadre's claims, the reviewers' queue and finance. */

export function ClaimStateBadge({ state }: { state: string }) {
  return (
    <span class={`status cs-${state}`} data-testid="claim-state" data-state={state}>
      {t(`claim.state.${state}` as MessageKey)}
    </span>
  );
}

/** "生活补贴 · 2026年11月" or "往返交通费 · 2026年11月20日". */
export function claimTitle(d: Pick<ClaimData, 'type' | 'month' | 'date'>): string {
  return d.type === 'subsidy'
    ? `${t('claim.type.subsidy')} · ${fmt.month(d.month)}`
    : `${t('claim.type.travel')} · ${d.date ? fmt.day(d.date) : ''}`;
}

const km = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** What the amount is made of, as the server counts it. */
export function ClaimFacts({ d }: { d: ClaimData }) {
  if (d.type === 'subsidy') {
    return (
      <p class="small" data-testid="claim-facts">
        {t('claim.subsidyFacts', { n: d.village_days ?? 0, rate: yuan(d.rate_fen) })}
      </p>
    );
  }
  return (
    <p class="small" data-testid="claim-facts">
      {d.mode === 'car'
        ? t('claim.carFacts', { km: d.road_km !== null ? km(d.road_km) : '—' })
        : t('claim.publicFacts', { fare: yuan(d.fare_fen) })}
      {d.mode === 'car' && d.rate_fen > 0 && ` × ${t('claim.perKm', { rate: yuan(d.rate_fen) })}`}
      {d.mode === 'car' && d.geodesic_km !== null && (
        <span class="muted"> · {t('claim.geodesic', { km: d.geodesic_km.toFixed(1) })}</span>
      )}
    </p>
  );
}

/**
 * The amount: the server's when it has computed it (for a correction, what is payable: the
 * difference to the corrected claim), else an estimate marked as such.
 */
export function ClaimAmount({ d, computed, estimate }: { d: ClaimData; computed: boolean; estimate?: number | null }) {
  if (!computed) {
    return (
      <p class="amount pending" data-testid="claim-amount" data-computed="false">
        {estimate !== null && estimate !== undefined ? t('claim.estimate', { amount: yuan(estimate) }) : t('claim.amountAfterSync')}
      </p>
    );
  }
  if (d.corrects_id) {
    return (
      <p class="amount" data-testid="claim-amount" data-computed="true" data-fen={d.payable_fen}>
        <span class="tag">{t('claim.correction')}</span> {t('claim.payable', { amount: yuan(d.payable_fen) })}
        <span class="small muted"> · {t('claim.newAmount', { amount: yuan(d.amount_fen) })}</span>
      </p>
    );
  }
  return (
    <p class="amount" data-testid="claim-amount" data-computed="true" data-fen={d.amount_fen}>
      {yuan(d.amount_fen)}
    </p>
  );
}

/** A flag in words: known codes from their params, others as the server wrote them. */
export function flagText(f: ClaimFlag): string {
  const p = f.params ?? {};
  if (f.code === 'road_distance_high' && typeof p.road_km === 'number' && typeof p.geodesic_km === 'number') {
    return t('claim.flag.road_distance_high', {
      road: km(p.road_km),
      geo: p.geodesic_km.toFixed(1),
      k: String(p.factor ?? ''),
    });
  }
  if (f.code === 'distance_unchecked') return t('claim.flag.distance_unchecked');
  return flagDetail(f);
}

export function FlagList({ flags }: { flags: ClaimFlag[] }) {
  if (!flags.length) return null;
  return (
    <ul class="flags" data-testid="claim-flags">
      {flags.map((f) => (
        <li class="flag" data-testid="claim-flag" data-code={f.code}>
          {flagText(f)}
        </li>
      ))}
    </ul>
  );
}

/** Receipt photos as thumbnails; a tap shows the larger display copy. */
export function EvidenceStrip({ userId, shas }: { userId: string; shas: string[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (!shas.length) return null;
  return (
    <>
      <div class="thumbs" data-testid="claim-photos">
        {shas.map((sha) => (
          <button type="button" class="thumb-btn" onClick={() => setOpen(sha)} aria-label={t('photo.enlarge')} data-testid="claim-photo-open" data-sha256={sha}>
            <Thumb userId={userId} sha={sha} />
          </button>
        ))}
      </div>
      {open && <PhotoViewer userId={userId} sha={open} onClose={() => setOpen(null)} />}
    </>
  );
}

/** Full screen: this phone's own copy if it still has one, else the server's display copy. */
export function PhotoViewer({ userId, sha, onClose }: { userId: string; sha: string; onClose: () => void }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    void (async () => {
      try {
        const local = await getEvidence(userId, sha);
        const blob = local?.blob ?? (await fetchBlob(`/evidence/${sha}/display`, { user: userId, timeoutMs: 60_000 }));
        made = URL.createObjectURL(blob);
        if (live) setUrl(made);
        else URL.revokeObjectURL(made);
      } catch {
        if (live) setFailed(true);
      }
    })();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      live = false;
      window.removeEventListener('keydown', onKey);
      if (made) URL.revokeObjectURL(made);
    };
  }, [userId, sha]);
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-label={t('photo.enlarge')} onClick={onClose} data-testid="photo-viewer">
      <button type="button" class="btn small viewer-close" onClick={onClose} data-testid="photo-viewer-close">
        {t('common.close')}
      </button>
      {url ? (
        <img src={url} alt="" onClick={(e) => e.stopPropagation()} data-testid="photo-viewer-img" />
      ) : (
        <p class="viewer-msg">{failed ? t('photo.unavailable') : t('app.loading')}</p>
      )}
    </div>
  );
}

/** Who did what when: drafted, submitted, approved, returned (why), paid. */
export function HistoryList({ events }: { events: ClaimEvent[] }) {
  return (
    <ol class="history" data-testid="claim-history">
      {events.map((e) => (
        <li data-testid="claim-event" data-to={e.to_state ?? ''}>
          <span class="small muted">{fmt.dateTime(e.at)}</span>{' '}
          <strong>{e.to_state ? t(`claim.event.${e.to_state}` as MessageKey) : e.action}</strong>
          {e.actor_name && <span> · {e.actor_name}</span>}
          {e.reason && <p class="small">{t('claim.reasonIs', { reason: e.reason })}</p>}
        </li>
      ))}
    </ol>
  );
}
