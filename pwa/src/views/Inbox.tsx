import { useEffect, useState } from 'preact/hooks';
import { recordsOfKind, type SyncedRecord } from '../db';
import { lang, t } from '../i18n';
import { outboxChanged } from '../outbox';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { formatDateTime } from '../time';

/** Inbox rows arrive through sync pull as changes of kind `inbox`. */
interface InboxData {
  title?: string;
  body?: string;
  text?: string;
  created_at?: string;
  read_at?: string | null;
}

export default function Inbox({ user }: ViewProps) {
  useStores(lang, outboxChanged);
  const [rows, setRows] = useState<SyncedRecord[]>([]);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void recordsOfKind(user.id, 'inbox').then((r) => {
      const key = (x: SyncedRecord) => String((x.data as InboxData).created_at ?? x.id);
      if (live) setRows(r.sort((a, b) => (key(a) < key(b) ? 1 : -1)));
    });
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  return (
    <section>
      <h1>{t('inbox.title')}</h1>
      {rows.length === 0 ? (
        <p class="empty" data-testid="inbox-empty">
          {t('inbox.empty')}
        </p>
      ) : (
        <ul class="list" data-testid="inbox-list">
          {rows.map((r) => {
            const d = r.data as InboxData;
            return (
              <li class={d.read_at ? 'item' : 'item unread'} data-testid="inbox-item" data-id={r.id}>
                <div class="item-head">
                  <strong>{d.title ?? ''}</strong>
                  {d.created_at && <span class="small muted">{formatDateTime(d.created_at, lang.get())}</span>}
                </div>
                {(d.body ?? d.text) && <p class="text">{d.body ?? d.text}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
