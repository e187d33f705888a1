import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api';
import { activePostings, type User } from '../auth';
import {
  CORRECTABLE,
  MAX_RECEIPTS,
  byMonth,
  canEdit,
  claimHistory,
  claimPolicy,
  editTrip,
  estimateFen,
  findClaim,
  flash,
  hasUnsent,
  isEditable,
  myClaims,
  recordTrip,
  refreshMine,
  startCorrection,
  submitClaim,
  type ClaimEvent,
  type ClaimPolicy,
  type ClaimView,
  type TravelMode,
} from './claims';
import { getEvidence, type EvidenceRecord } from '../evidence/evidence';
import { lang, t } from '../i18n';
import { fenToInput, parseKm, parseYuan, yuan } from '../money';
import { online } from '../net';
import { outboxChanged } from '../outbox';
import { go, href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncNow, syncSoon, syncState } from '../sync';
import { localDate } from '../time';
import * as fmt from '../format';
import { ClaimAmount, ClaimFacts, ClaimStateBadge, EvidenceStrip, FlagList, HistoryList, claimTitle } from './claimParts';
import { FieldErr, StatusBadge, errorFor } from '../ui/common';
import { PhotoPicker, type Photo } from '../evidence/photos';

/** 报销: the cadre's claims by month, a round trip's form, and one claim with its history. */
export default function Claims({ user, params }: ViewProps) {
  useStores(lang, outboxChanged, online, syncState, flash);
  if (params[0] === 'new') return <TripForm user={user} />;
  if (params[0] === 'edit' && params[1]) return <TripForm user={user} editId={params[1]} />;
  if (params[0]) return <ClaimDetail user={user} id={params[0]} />;
  return <ClaimList user={user} />;
}

/** The county's policy for this year (cached for offline use). */
function usePolicy(user: User): ClaimPolicy | null {
  const [policy, setPolicy] = useState<ClaimPolicy | null>(null);
  const county = activePostings(user, localDate())[0]?.county_code ?? user.postings[0]?.county_code ?? '';
  const year = Number(localDate().slice(0, 4));
  const isOnline = online.get();
  useEffect(() => {
    if (!county) return;
    let live = true;
    void claimPolicy(user.id, county, year, isOnline).then((p) => live && setPolicy(p));
    return () => {
      live = false;
    };
  }, [user.id, county, year, isOnline]);
  return policy;
}

/** The user's claims on the phone, again after each local change and sync; the server's list when online. */
function useClaims(userId: string): ClaimView[] | null {
  const [rows, setRows] = useState<ClaimView[] | null>(null);
  const tick = outboxChanged.get();
  const lastSync = syncState.get().lastSyncAt;
  const isOnline = online.get();
  useEffect(() => {
    let live = true;
    void myClaims(userId).then((r) => live && setRows(r));
    return () => {
      live = false;
    };
  }, [userId, tick]);
  useEffect(() => {
    if (!isOnline) return;
    refreshMine(userId).catch(() => undefined); // offline or refused: the phone's copy stands
  }, [userId, isOnline, lastSync]);
  return rows;
}

function ClaimList({ user }: { user: User }) {
  const rows = useClaims(user.id);
  const policy = usePolicy(user);
  const notice = flash.get();
  useEffect(() => () => flash.set(null), []);
  const posting = activePostings(user, localDate())[0];
  return (
    <section data-testid="claims" data-ready={String(rows !== null)}>
      <div class="row">
        <h1>{t('claim.title')}</h1>
        {posting && (
          <a class="btn primary" href={href('claims', 'new')} data-testid="claim-new">
            {t('claim.newTrip')}
          </a>
        )}
      </div>
      {notice && (
        <p class="ok" role="status" data-testid="claim-flash">
          {notice}
        </p>
      )}
      {policy && (
        <p class="small muted card policy-note" data-testid="claim-policy">
          {t('claim.policy', {
            daily: yuan(policy.subsidy_daily_fen),
            trips: policy.round_trips_per_month,
            perKm: yuan(policy.car_fen_per_km),
          })}
        </p>
      )}
      <p class="small">
        <a class="link" href={href('accident')} data-testid="open-accident">
          {t('accident.open')}
        </a>
      </p>
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="claims-empty">
          {t('claim.none')}
        </p>
      )}
      {rows &&
        byMonth(rows).map(([month, list]) => (
          <div class="claim-month" data-testid="claim-month" data-month={month}>
            <h2>{fmt.month(month)}</h2>
            <ul class="list">
              {list.map((c) => (
                <ClaimCard key={c.id} userId={user.id} c={c} policy={policy} />
              ))}
            </ul>
          </div>
        ))}
    </section>
  );
}

function ClaimCard({ userId, c, policy, detail }: { userId: string; c: ClaimView; policy: ClaimPolicy | null; detail?: boolean }) {
  const d = c.data;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const isOnline = online.get();
  const unsent = hasUnsent(c);
  const estimate = estimateFen(d.mode, d.fare_fen, d.road_km, policy?.car_fen_per_km ?? null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      let current: ClaimView | undefined = c;
      if (unsent || current.version === undefined) {
        await syncNow(); // the trip as changed on this phone goes first
        current = await findClaim(userId, c.id);
        if (!current || hasUnsent(current) || current.version === undefined) {
          setError(t('claim.unsentFirst'));
          return;
        }
      }
      await submitClaim(userId, current);
      setDone(t('claim.submittedNote'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setError(t('claim.changedMeanwhile'));
        await refreshMine(userId).catch(() => undefined);
      } else if (err instanceof ApiError && err.network) setError(t('claim.submitOffline'));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class="item claim-card"
      data-testid="claim-item"
      data-id={c.id}
      data-type={d.type}
      data-state={d.state}
      data-status={c.status}
      data-computed={String(c.computed)}
    >
      <div class="item-head">
        <strong data-testid="claim-title">{claimTitle(d)}</strong>
        <ClaimStateBadge state={d.state} />
      </div>
      <ClaimFacts d={d} />
      <ClaimAmount d={d} computed={c.computed} estimate={d.type === 'travel' ? estimate : null} />
      {c.computed && <FlagList flags={d.flags} />}
      {d.note && <p class="text small">{d.note}</p>}
      {detail && <EvidenceStrip userId={userId} shas={d.evidence} />}
      {!detail && d.evidence.length > 0 && <p class="small muted">{t('claim.receipts', { n: d.evidence.length })}</p>}
      {(d.state === 'returned' || d.state === 'rejected') && d.reason && (
        <p class={d.state === 'returned' ? 'banner warn reason' : 'err block'} data-testid="claim-reason">
          {t(d.state === 'returned' ? 'claim.returnedBecause' : 'claim.rejectedBecause', { reason: d.reason })}
        </p>
      )}
      {d.state === 'paid' && d.payment_reference && (
        <p class="small" data-testid="claim-payref">
          {t('claim.paidRef', { ref: d.payment_reference })}
        </p>
      )}
      {c.status !== 'applied' && (
        <div class="item-foot small">
          <StatusBadge status={c.status} />
          {c.status === 'pending' && <span class="muted">{t('claim.savedLocally')}</span>}
        </div>
      )}
      {c.status === 'rejected' &&
        c.item?.errors?.map((e) => (
          <small class="err block" data-testid="claim-push-error">
            {e.message}
          </small>
        ))}
      {error && (
        <p class="err block" role="alert" data-testid="claim-error">
          {error}
        </p>
      )}
      {done && (
        <p class="ok" role="status" data-testid="claim-done">
          {done}
        </p>
      )}
      <div class="actions">
        {isEditable(c) && (
          <button
            class="btn primary"
            onClick={submit}
            disabled={busy || !isOnline || c.status === 'rejected' || c.status === 'conflict'}
            data-testid="claim-submit"
          >
            {busy ? t('claim.submitting') : d.state === 'returned' ? t('claim.resubmit') : t('claim.submit')}
          </button>
        )}
        {canEdit(c) && (
          <a class="btn" href={href('claims', 'edit', c.id)} data-testid="claim-edit">
            {t('claim.edit')}
          </a>
        )}
        {!detail && (
          <a class="btn" href={href('claims', c.id)} data-testid="claim-open">
            {t('claim.details')}
          </a>
        )}
      </div>
      {isEditable(c) && !isOnline && <p class="small muted">{t('claim.submitNeedsOnline')}</p>}
    </li>
  );
}

function ClaimDetail({ user, id }: { user: User; id: string }) {
  const rows = useClaims(user.id);
  const policy = usePolicy(user);
  const c = rows?.find((r) => r.id === id);
  const [events, setEvents] = useState<ClaimEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isOnline = online.get();
  const version = c?.version;
  useEffect(() => {
    if (!c || c.version === undefined) return;
    let live = true;
    claimHistory(user.id, id, isOnline).then(
      (e) => live && setEvents(e),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user.id, id, isOnline, version]);

  const correct = async () => {
    setBusy(true);
    setError(null);
    try {
      const out = await startCorrection(user.id, id);
      go('claims', ...(out.type === 'travel' ? ['edit', out.id] : [out.id]));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="claim-detail">
      <div class="row">
        <h1>{t('claim.detailTitle')}</h1>
        <a class="btn small" href={href('claims')} data-testid="claim-back">
          {t('claim.back')}
        </a>
      </div>
      {rows && !c && <p class="empty">{t('claim.notFound')}</p>}
      {c && (
        <>
          <ul class="list">
            <ClaimCard userId={user.id} c={c} policy={policy} detail />
          </ul>
          {c.data.corrects_id && (
            <p class="small">
              <a href={href('claims', c.data.corrects_id)}>{t('claim.correctsLink')}</a>
            </p>
          )}
          <h2>{t('claim.history')}</h2>
          {error && <p class="err block">{error}</p>}
          {c.version === undefined ? (
            <p class="small muted">{t('claim.historyAfterSync')}</p>
          ) : events === null ? (
            <p class="small muted">{isOnline ? t('app.loading') : t('claim.historyOnline')}</p>
          ) : (
            <HistoryList events={events} />
          )}
          {c.data.submitted_at && (
            <p class="small muted">{t('claim.submittedAt', { t: fmt.dateTime(c.data.submitted_at) })}</p>
          )}
          {c.data.type === 'travel' && CORRECTABLE.includes(c.data.state) && (
            <div class="card correction">
              <p class="small muted">{t('claim.correctionHelp')}</p>
              <button class="btn" onClick={correct} disabled={busy || !isOnline} data-testid="claim-correct">
                {t('claim.startCorrection')}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

// --- a round trip ------------------------------------------------------------------------------

function TripForm({ user, editId }: { user: User; editId?: string }) {
  const today = localDate();
  const policy = usePolicy(user);
  const [ready, setReady] = useState(!editId);
  const [editing, setEditing] = useState<ClaimView | null>(null);
  const [date, setDate] = useState(today);
  const [mode, setMode] = useState<TravelMode>('public');
  const [fare, setFare] = useState('');
  const [road, setRoad] = useState('');
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!editId) return;
    let live = true;
    void (async () => {
      const c = await findClaim(user.id, editId);
      if (!live) return;
      if (!c || !canEdit(c)) {
        setEditing(null);
        setReady(true);
        return;
      }
      setEditing(c);
      setDate(c.data.date ?? today);
      setMode(c.data.mode ?? 'public');
      setFare(fenToInput(c.data.fare_fen));
      setRoad(c.data.road_km !== null ? String(c.data.road_km) : '');
      setNote(c.data.note);
      const loaded: Photo[] = [];
      for (const sha of c.data.evidence) {
        const rec = await getEvidence(user.id, sha);
        if (rec) loaded.push({ rec, url: URL.createObjectURL(rec.blob) });
        else loaded.push({ rec: { sha256: sha } as EvidenceRecord, url: '' });
      }
      if (live) {
        setPhotos(loaded);
        setReady(true);
      }
    })();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editId, user.id]);

  const shown = useRef(photos);
  shown.current = photos;
  useEffect(() => () => shown.current.forEach((p) => p.url && URL.revokeObjectURL(p.url)), []);

  const posting = activePostings(user, date)[0] ?? activePostings(user, today)[0];
  const fareFen = parseYuan(fare);
  const roadKm = parseKm(road);
  const estimate = estimateFen(mode, fareFen, roadKm, policy?.car_fen_per_km ?? null);
  const errors = editing?.item?.status === 'rejected' ? editing.item.errors : undefined;

  const save = async (e: Event) => {
    e.preventDefault();
    if (!posting) return setError(t('claim.noPosting'));
    if (!date || date > today) return setError(t('claim.badDate'));
    if (mode === 'public' && (fareFen === null || fareFen <= 0)) return setError(t('claim.fareRequired'));
    if (mode === 'car' && (roadKm === null || roadKm <= 0)) return setError(t('claim.roadRequired'));
    setError(null);
    setBusy(true);
    try {
      const input = {
        village_code: editing?.data.village_code || posting.village_code,
        date,
        mode,
        fare_fen: mode === 'public' ? fareFen : null,
        road_km: mode === 'car' ? roadKm : null,
        note,
        evidence: photos.map((p) => p.rec.sha256),
        corrects_id: editing?.data.corrects_id ?? null,
      };
      if (editing) await editTrip(user.id, editing, input);
      else await recordTrip(user.id, input);
      const resubmit = editing?.data.state === 'returned';
      flash.set(t(online.get() ? (resubmit ? 'claim.sendingResubmit' : 'claim.sending') : resubmit ? 'claim.savedResubmit' : 'claim.saved'));
      syncSoon();
      go('claims');
    } finally {
      setBusy(false);
    }
  };

  if (!ready) return <p class="muted loading">{t('app.loading')}</p>;
  if (editId && !editing) {
    return (
      <section>
        <p class="empty">{t('claim.notEditable')}</p>
        <a class="btn" href={href('claims')}>
          {t('claim.back')}
        </a>
      </section>
    );
  }
  return (
    <section>
      <div class="row">
        <h1>{editing ? t('claim.editTrip') : t('claim.newTrip')}</h1>
        <a class="btn small" href={href('claims')} data-testid="claim-back">
          {t('claim.back')}
        </a>
      </div>
      {editing?.data.state === 'returned' && editing.data.reason && (
        <p class="banner warn reason">{t('claim.returnedBecause', { reason: editing.data.reason })}</p>
      )}
      {!posting ? (
        <p class="empty">{t('claim.noPosting')}</p>
      ) : (
        <form class="card" onSubmit={save} noValidate data-testid="trip-form">
          <p class="small muted">{t('claim.tripIntro')}</p>
          <label class="field">
            <span>{t('claim.date')}</span>
            <input type="date" value={date} max={today} onInput={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} data-testid="trip-date" />
            <FieldErr errors={errors} field="date" />
          </label>
          <fieldset class="field">
            <legend>{t('claim.mode')}</legend>
            <div class="chips" role="radiogroup">
              {(['public', 'car'] as TravelMode[]).map((m) => (
                <button
                  type="button"
                  role="radio"
                  aria-checked={mode === m}
                  class={mode === m ? 'chip on' : 'chip'}
                  onClick={() => setMode(m)}
                  data-testid={`trip-mode-${m}`}
                >
                  {t(`claim.mode.${m}`)}
                </button>
              ))}
            </div>
          </fieldset>
          {mode === 'public' ? (
            <label class="field">
              <span>{t('claim.fare')}</span>
              <input
                type="text"
                inputMode="decimal"
                autoComplete="off"
                placeholder="0.00"
                value={fare}
                onInput={(e) => setFare(e.currentTarget.value)}
                data-testid="trip-fare"
              />
              <small class="muted">{t('claim.fareHelp')}</small>
              <FieldErr errors={errors} field="fare_fen" />
            </label>
          ) : (
            <label class="field">
              <span>{t('claim.roadKm')}</span>
              <input
                type="text"
                inputMode="decimal"
                autoComplete="off"
                placeholder="0.0"
                value={road}
                onInput={(e) => setRoad(e.currentTarget.value)}
                data-testid="trip-road"
              />
              <small class="muted">
                {policy ? t('claim.roadHelpRate', { rate: yuan(policy.car_fen_per_km) }) : t('claim.roadHelp')}
              </small>
              <FieldErr errors={errors} field="road_km" />
            </label>
          )}
          {estimate !== null && (
            <p class="small" data-testid="trip-estimate">
              {t('claim.estimate', { amount: yuan(estimate) })}
            </p>
          )}
          <label class="field">
            <span>{t('claim.note')}</span>
            <textarea rows={2} maxLength={500} value={note} placeholder={t(mode === 'car' ? 'claim.notePlaceholderCar' : 'claim.notePlaceholder')} onInput={(e) => setNote(e.currentTarget.value)} data-testid="trip-note" />
          </label>
          <PhotoPicker
            userId={user.id}
            photos={photos}
            onChange={setPhotos}
            max={MAX_RECEIPTS}
            legend={t('claim.receiptPhotos')}
            testid="trip-photo"
            error={errorFor(errors, 'evidence')}
          />
          {error && (
            <p class="err block" role="alert" data-testid="trip-error">
              {error}
            </p>
          )}
          <button class="btn primary wide" type="submit" disabled={busy} data-testid="trip-save">
            {editing ? t('claim.saveEdit') : t('claim.save')}
          </button>
        </form>
      )}
    </section>
  );
}
