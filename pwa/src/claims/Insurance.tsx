import { useState } from 'preact/hooks';
import type { User } from '../auth';
import { claimFailure, coverageGaps, forwardIncident, incidents, type Incident } from './claimReview';
import { lang, t } from '../i18n';
import { online } from '../net';
import { useStores } from '../store';
import { localDate } from '../time';
import * as fmt from '../format';
import { EvidenceStrip } from './claimParts';
import { useOnlineList } from '../ui/onlineList';

/** 审核 › 保险 (county admins): cadres with uncovered days, and accident reports to forward. */
export default function Insurance({ user, vname }: { user: User; vname: (code: string) => string }) {
  useStores(lang, online);
  const gaps = useOnlineList(() => coverageGaps(user.id), [user.id]);
  const reports = useOnlineList(() => incidents(user.id), [user.id]);
  const [notice, setNotice] = useState<string | null>(null);
  const year = localDate().slice(0, 4);
  const open = reports.rows?.filter((i) => i.state === 'reported') ?? [];
  const forwarded = reports.rows?.filter((i) => i.state === 'forwarded') ?? [];

  return (
    <div data-testid="review-insurance">
      {notice && (
        <p class="ok" role="status" data-testid="insurance-notice">
          {notice}
        </p>
      )}
      <h2>{t('ins.incidents')}</h2>
      {reports.error && <p class="err block">{reports.error}</p>}
      {reports.rows && open.length === 0 && (
        <p class="empty" data-testid="incidents-empty">
          {t('ins.noIncidents')}
        </p>
      )}
      <ul class="list">
        {open.map((i) => (
          <IncidentCard
            key={i.id}
            userId={user.id}
            incident={i}
            village={vname(i.village_code)}
            onDone={(msg) => {
              setNotice(msg);
              reports.reload();
            }}
          />
        ))}
      </ul>
      {forwarded.length > 0 && (
        <>
          <h2>{t('ins.forwardedTitle')}</h2>
          <ul class="list compact" data-testid="incidents-forwarded">
            {forwarded.map((i) => (
              <li class="item" data-testid="incident-forwarded" data-id={i.id}>
                <div class="item-head">
                  <strong>{i.cadre_name}</strong>
                  <span class="small muted">{fmt.day(i.accident_date)}</span>
                </div>
                <p class="small">
                  {t('ins.forwardedAt', { t: i.forwarded_at ? fmt.dateTime(i.forwarded_at) : '' })}
                  {i.forward_note && ` · ${i.forward_note}`}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('ins.gaps', { year })}</h2>
      <p class="small muted">{t('ins.gapsNote')}</p>
      {gaps.error && <p class="err block">{gaps.error}</p>}
      {gaps.rows && gaps.rows.length === 0 && (
        <p class="empty" data-testid="gaps-empty">
          {t('ins.noGaps')}
        </p>
      )}
      <ul class="list compact" data-testid="insurance-gaps">
        {gaps.rows?.map((g) => (
          <li class="item" data-testid="insurance-gap" data-cadre={g.cadre_id}>
            <div class="item-head">
              <strong>{g.name}</strong>
              <span class="small muted">{vname(g.village_code)}</span>
            </div>
            <ul class="periods small">
              {g.gaps.map((p) => (
                <li>
                  {fmt.dayRange(p.start, p.end)}（{t('leave.days', { n: p.days })}）
                </li>
              ))}
            </ul>
            <p class="small muted">{t('ins.uncovered', { n: g.uncovered_days })}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}

function IncidentCard(props: { userId: string; incident: Incident; village: string; onDone: (msg: string) => void }) {
  const { incident: i } = props;
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const forward = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await forwardIncident(props.userId, i, note);
      props.onDone(t('ins.forwardedDone', { name: i.cadre_name }));
    } catch (err) {
      const f = claimFailure(err);
      if (f.stale) props.onDone(f.text);
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="item review-card" data-testid="incident-card" data-id={i.id}>
      <div class="item-head">
        <strong>{i.cadre_name}</strong>
        <span class="small muted">{fmt.day(i.accident_date)}</span>
      </div>
      <p class="small muted">{props.village}</p>
      <p class="text">{i.description}</p>
      <EvidenceStrip userId={props.userId} shas={i.evidence.map((e) => e.sha256)} />
      <p class="small">
        {i.policy_number ? t('ins.policy', { insurer: i.insurer ?? '', number: i.policy_number }) : <span class="flag">{t('ins.noPolicy')}</span>}
      </p>
      <form onSubmit={forward} noValidate>
        <label class="field">
          <span>{t('ins.forwardNote')}</span>
          <input type="text" maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="incident-note" />
        </label>
        {error && <p class="err block">{error}</p>}
        <button class="btn primary wide" type="submit" disabled={busy || !online.get()} data-testid="incident-forward">
          {t('ins.forward')}
        </button>
      </form>
    </li>
  );
}
