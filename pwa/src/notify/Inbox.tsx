import { useEffect, useState } from 'preact/hooks';
import { lang, t } from '../i18n';
import { inLang, inboxRows, markRead, type InboxRow } from './inbox';
import { outboxChanged } from '../outbox';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncSoon } from '../sync';
import * as fmt from '../format';

/** Notices arrive through sync pull (kind `inbox`); reading one is pushed back the same way. */
export default function Inbox({ user }: ViewProps) {
  useStores(lang, outboxChanged);
  const [rows, setRows] = useState<InboxRow[] | null>(null);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void inboxRows(user.id).then((r) => live && setRows(r));
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  const open = async (row: InboxRow) => {
    if (row.unread) {
      await markRead(user.id, row);
      syncSoon();
    }
    const link = row.data.link;
    if (link && link.startsWith('#/')) location.hash = link;
  };

  const l = lang.get();
  const unread = rows?.filter((r) => r.unread).length ?? 0;
  return (
    <section>
      <div class="row">
        <h1>{t('inbox.title')}</h1>
        <a class="btn small" href={href('feedback')} data-testid="open-feedback">
          {t('nav.feedback')}
        </a>
      </div>
      {rows && rows.length > 0 && (
        <p class="small muted" data-testid="inbox-unread">
          {t('inbox.unread', { n: unread })}
        </p>
      )}
      {rows === null ? null : rows.length === 0 ? (
        <p class="empty" data-testid="inbox-empty">
          {t('inbox.empty')}
        </p>
      ) : (
        <ul class="list" data-testid="inbox-list">
          {rows.map((r) => (
            <li class={r.unread ? 'item unread' : 'item'} data-testid="inbox-item" data-id={r.id} data-unread={String(r.unread)} data-event={r.data.event ?? ''}>
              <button class="item-button" onClick={() => void open(r)} data-testid="inbox-open">
                <span class="item-head">
                  <strong>{inLang(r.data.title, l)}</strong>
                  {r.data.created_at && <span class="small muted nowrap">{fmt.dateTime(r.data.created_at)}</span>}
                </span>
                {inLang(r.data.body, l) && <span class="text block">{inLang(r.data.body, l)}</span>}
                {r.unread && <span class="small unread-mark">{t('inbox.new')}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
