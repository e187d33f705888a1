import { useEffect, useRef, useState } from 'preact/hooks';
import { activePostings } from '../auth';
import { INCIDENT } from './claims';
import { lang, t } from '../i18n';
import { enqueue, outboxChanged } from '../outbox';
import { recordViews, type RecordView } from '../records';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncSoon } from '../sync';
import { localDate } from '../time';
import * as fmt from '../format';
import { StatusBadge } from '../ui/common';
import { SaveNotice } from '../ui/SaveNotice';
import { PhotoPicker, Thumb, type Photo } from '../evidence/photos';

export const MAX_ACCIDENT_PHOTOS = 20;

interface IncidentData {
  village_code: string;
  accident_date: string;
  description: string;
  evidence: string[];
  /** Added by the server. */
  state?: 'reported' | 'forwarded';
  forwarded_at?: string | null;
  forward_note?: string | null;
  cadre_id?: string;
}

/** 意外报案: a cadre reports an accident to the county (offline too); photos optional. */
export default function Accident({ user }: ViewProps) {
  useStores(lang, outboxChanged);
  const today = localDate();
  const posting = activePostings(user, today)[0];
  const [date, setDate] = useState(today);
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const [rows, setRows] = useState<RecordView<IncidentData>[]>([]);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void recordViews<IncidentData>(user.id, INCIDENT).then(
      (r) => live && setRows(r.filter((x) => !x.data.cadre_id || x.data.cadre_id === user.id)),
    );
    return () => {
      live = false;
    };
  }, [user.id, tick]);
  const shown = useRef(photos);
  shown.current = photos;
  useEffect(() => () => shown.current.forEach((p) => p.url && URL.revokeObjectURL(p.url)), []);

  const save = async (e: Event) => {
    e.preventDefault();
    setSavedId(null);
    if (!posting) return;
    if (!date || date > today) return setError(t('claim.badDate'));
    if (!text.trim()) return setError(t('accident.textRequired'));
    setError(null);
    const item = await enqueue(user.id, INCIDENT, {
      village_code: posting.village_code,
      accident_date: date,
      description: text.trim(),
      evidence: photos.map((p) => p.rec.sha256),
    });
    photos.forEach((p) => p.url && URL.revokeObjectURL(p.url));
    setPhotos([]);
    setText('');
    setSavedId(item.id);
    syncSoon();
  };

  return (
    <section>
      <div class="row">
        <h1>{t('accident.title')}</h1>
        <a class="btn small" href={href('claims')}>
          {t('claim.back')}
        </a>
      </div>
      {!posting ? (
        <p class="empty">{t('today.noPosting')}</p>
      ) : (
        <form class="card" onSubmit={save} noValidate data-testid="accident-form">
          <p class="small muted">{t('accident.intro')}</p>
          <label class="field">
            <span>{t('accident.date')}</span>
            <input type="date" value={date} max={today} onInput={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} data-testid="accident-date" />
          </label>
          <label class="field">
            <span>{t('accident.text')}</span>
            <textarea rows={4} maxLength={5000} value={text} placeholder={t('accident.placeholder')} onInput={(e) => setText(e.currentTarget.value)} data-testid="accident-text" />
          </label>
          <PhotoPicker
            userId={user.id}
            photos={photos}
            onChange={setPhotos}
            max={MAX_ACCIDENT_PHOTOS}
            legend={t('accident.photos')}
            testid="accident-photo"
          />
          {error && <p class="err block">{error}</p>}
          <button class="btn primary wide" type="submit" data-testid="accident-save">
            {t('accident.send')}
          </button>
          {savedId && <SaveNotice userId={user.id} id={savedId} offline="accident.saved" testid="accident-saved" />}
        </form>
      )}
      <h2>{t('accident.mine')}</h2>
      {rows.length === 0 ? (
        <p class="empty">{t('accident.none')}</p>
      ) : (
        <ul class="list" data-testid="accident-list">
          {rows.map((r) => {
            const state = r.data.state ?? 'reported';
            return (
              <li class="item" data-testid="accident-item" data-id={r.id} data-state={state} data-status={r.status}>
                <div class="item-head">
                  <strong>{fmt.day(r.data.accident_date)}</strong>
                  {r.status !== 'applied' ? (
                    <StatusBadge status={r.status} />
                  ) : (
                    <span class={state === 'forwarded' ? 'status s-applied' : 'status'} data-testid="accident-state">
                      {t(`accident.state.${state}`)}
                    </span>
                  )}
                </div>
                <p class="text">{r.data.description}</p>
                {r.data.evidence?.length > 0 && (
                  <div class="thumbs">
                    {r.data.evidence.map((sha) => (
                      <Thumb userId={user.id} sha={sha} />
                    ))}
                  </div>
                )}
                {state === 'forwarded' && (
                  <p class="small">
                    {t('ins.forwardedAt', { t: r.data.forwarded_at ? fmt.dateTime(r.data.forwarded_at) : '' })}
                    {r.data.forward_note && ` · ${r.data.forward_note}`}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
