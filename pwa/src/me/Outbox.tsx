import { useEffect, useState } from 'preact/hooks';
import { deleteEvidence, listEvidence, photosOf, type EvidenceRecord } from '../evidence/evidence';
import { lang, t, type MessageKey } from '../i18n';
import { WORK_LOG, type WorkLogData } from '../presence/logs';
import { yuan } from '../money';
import { UNSENT, discard, keepMine, listOutbox, outboxChanged, takeServer, type OutboxItem } from '../outbox';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncNow, syncState } from '../sync';
import * as fmt from '../format';
import { StatusBadge, kindLabel } from '../ui/common';

function Summary({ item, data }: { item: OutboxItem; data: Record<string, unknown> }) {
  const date = (v: unknown) => (typeof v === 'string' && v ? fmt.day(v) : '');
  switch (item.kind) {
    case WORK_LOG: {
      const d = data as unknown as WorkLogData;
      return (
        <div class="summary">
          <div class="small muted">
            {date(d.date)} · {kindLabel(d.kind)}
          </div>
          <p class="text">{d.text}</p>
        </div>
      );
    }
    case 'presence_day':
      return (
        <div class="summary">
          <div class="small muted">
            {t('outbox.kind.presence_day')} · {date(data.date)}
          </div>
          <p class="text">
            {data.status ? t(`day.${String(data.status)}` as MessageKey) : ''}
            {data.note ? ` · ${String(data.note)}` : ''}
          </p>
        </div>
      );
    case 'leave_request':
      return (
        <div class="summary">
          <div class="small muted">
            {t('outbox.kind.leave_request')} · {date(data.start_date)} – {date(data.end_date)}
            {data.cancelled ? ` · ${t('leave.state.cancelled')}` : ''}
          </div>
          <p class="text">{String(data.reason ?? '')}</p>
        </div>
      );
    case 'feedback':
      return (
        <div class="summary">
          <div class="small muted">{t('nav.feedback')}</div>
          <p class="text">{String(data.text ?? '')}</p>
        </div>
      );
    case 'travel_claim':
      return (
        <div class="summary">
          <div class="small muted">
            {t('outbox.kind.travel_claim')} · {date(data.date)}
          </div>
          <p class="text">
            {data.mode === 'car'
              ? t('claim.carFacts', { km: String(data.road_km ?? '') })
              : t('claim.publicFacts', { fare: yuan(data.fare_fen as number | null) })}
            {data.note ? ` · ${String(data.note)}` : ''}
          </p>
        </div>
      );
    case 'insurance_incident':
      return (
        <div class="summary">
          <div class="small muted">
            {t('accident.title')} · {date(data.accident_date)}
          </div>
          <p class="text">{String(data.description ?? '')}</p>
        </div>
      );
    case 'survey_response':
      return (
        <div class="summary">
          <div class="small muted">
            {t('outbox.kind.survey_response')} · {fmt.dateTime(String(data.answered_at ?? item.created_at))}
          </div>
        </div>
      );
    case 'inbox':
      return <div class="summary small muted">{t('outbox.kind.inbox')}</div>;
    default:
      return <pre class="small">{JSON.stringify(data, null, 1)}</pre>;
  }
}

/** Where a refused record is put right. */
const FIX_ROUTE: Record<string, string[]> = {
  presence_day: ['month'],
  leave_request: ['leave'],
  feedback: ['feedback'],
  travel_claim: ['claims'],
  insurance_incident: ['accident'],
};

function Item({ userId, item }: { userId: string; item: OutboxItem }) {
  const drop = async () => {
    if (!confirm(t('outbox.discardConfirm'))) return;
    await discard(userId, item.id);
    // Photos only this record named go with it (deleteEvidence keeps any still named elsewhere).
    for (const sha of photosOf(item)) await deleteEvidence(userId, sha);
  };
  return (
    <li class="item" data-testid="outbox-item" data-id={item.id} data-status={item.status}>
      <div class="item-head">
        <span class="small muted">{fmt.dateTime(item.updated_at)}</span>
        <StatusBadge status={item.status} />
      </div>
      {item.status === 'conflict' && item.server ? (
        <>
          <p class="small">{t('outbox.conflictHelp')}</p>
          <div class="versions">
            <div data-testid="conflict-mine">
              <h3>{t('outbox.mine')}</h3>
              <Summary item={item} data={item.data} />
            </div>
            <div data-testid="conflict-server">
              <h3>{t('outbox.server')}</h3>
              <Summary item={item} data={item.server.data} />
            </div>
          </div>
          <div class="actions">
            <button class="btn" onClick={() => void takeServer(userId, item.id)} data-testid="conflict-take-server">
              {t('outbox.takeServer')}
            </button>
            <button class="btn primary" onClick={() => void keepMine(userId, item.id).then(() => syncNow())} data-testid="conflict-keep-mine">
              {t('outbox.keepMine')}
            </button>
          </div>
        </>
      ) : (
        <Summary item={item} data={item.data} />
      )}
      {item.status === 'rejected' && (
        <>
          <p class="small">{t('outbox.rejectedHelp')}</p>
          <ul class="errors" data-testid="outbox-errors">
            {(item.errors ?? []).map((e) => (
              <li class="err">
                {e.field && <code>{e.field}</code>} {e.message}
              </li>
            ))}
          </ul>
          <div class="actions">
            {item.kind === WORK_LOG && (
              <a class="btn primary" href={href('today', 'edit', item.id)} data-testid="outbox-edit">
                {t('outbox.fix')}
              </a>
            )}
            {item.kind === 'travel_claim' && (
              <a class="btn primary" href={href('claims', 'edit', item.id)} data-testid="outbox-edit">
                {t('outbox.fix')}
              </a>
            )}
            {item.kind === 'survey_response' && (
              <a class="btn primary" href={href('surveys', 'response', item.id)} data-testid="outbox-edit">
                {t('outbox.fix')}
              </a>
            )}
            {FIX_ROUTE[item.kind] && (
              <a class="btn" href={href(FIX_ROUTE[item.kind][0])} data-testid="outbox-open">
                {t('outbox.open')}
              </a>
            )}
            <button class="btn danger" onClick={drop} data-testid="outbox-discard">
              {t('outbox.discard')}
            </button>
          </div>
        </>
      )}
      {item.status === 'pending' && (
        <div class="actions">
          <button class="link danger" onClick={drop} data-testid="outbox-discard">
            {t('outbox.discard')}
          </button>
        </div>
      )}
    </li>
  );
}

function PhotoItem({ userId, rec }: { userId: string; rec: EvidenceRecord }) {
  const [url] = useState(() => URL.createObjectURL(rec.blob));
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li class="item photo-row" data-testid="outbox-photo" data-sha256={rec.sha256} data-status={rec.status}>
      <img src={url} alt="" />
      <div>
        <p class="small">
          {rec.status === 'rejected' ? t('outbox.photoRejected', { msg: rec.error ?? '' }) : t('outbox.photoPending')}
        </p>
        {rec.status === 'rejected' && (
          <button class="link danger" onClick={() => void deleteEvidence(userId, rec.sha256)}>
            {t('outbox.photoDiscard')}
          </button>
        )}
      </div>
    </li>
  );
}

export default function Outbox({ user }: ViewProps) {
  useStores(lang, outboxChanged, syncState);
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [photos, setPhotos] = useState<EvidenceRecord[]>([]);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void (async () => {
      const all = (await listOutbox(user.id)).filter((i) => UNSENT.includes(i.status));
      const named = new Set(all.flatMap(photosOf));
      const ev = (await listEvidence(user.id)).filter((e) => e.status !== 'uploaded' && named.has(e.sha256));
      if (live) {
        setItems(all);
        setPhotos(ev);
      }
    })();
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  const sync = syncState.get();
  return (
    <section>
      <h1>{t('outbox.title')}</h1>
      <div class="card syncbar">
        <button class="btn primary" onClick={() => void syncNow()} disabled={sync.running} data-testid="sync-now">
          {sync.running ? t('outbox.syncing') : t('outbox.syncNow')}
        </button>
        <span class="small muted" data-testid="last-sync" data-at={sync.lastSyncAt ?? ''} data-running={String(sync.running)}>
          {sync.lastSyncAt ? t('outbox.lastSync', { t: fmt.dateTime(sync.lastSyncAt) }) : t('outbox.neverSynced')}
        </span>
        {sync.lastError && (
          <p class="err small" data-testid="sync-error">
            {t('outbox.lastError', { msg: sync.lastError })}
          </p>
        )}
      </div>
      {items.length === 0 && photos.length === 0 ? (
        <p class="empty" data-testid="outbox-empty">
          {t('outbox.empty')}
        </p>
      ) : (
        <ul class="list" data-testid="outbox-list">
          {items.map((i) => (
            <Item key={i.id} userId={user.id} item={i} />
          ))}
          {photos.map((p) => (
            <PhotoItem key={p.sha256} userId={user.id} rec={p} />
          ))}
        </ul>
      )}
    </section>
  );
}
