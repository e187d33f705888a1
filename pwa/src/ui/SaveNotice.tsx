import { useEffect, useState } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import { online } from '../net';
import { getItem, outboxChanged, type OutboxStatus } from '../outbox';
import { useStores } from '../store';

/**
 * What became of something just saved, said truthfully and kept up to date: sent (the server
 * has it), being sent (online), or kept on the phone until there is signal (offline).
 */
export function SaveNotice({ userId, id, offline, testid }: { userId: string; id: string; offline: MessageKey; testid: string }) {
  useStores(outboxChanged, online);
  const [status, setStatus] = useState<OutboxStatus | 'gone' | null>(null);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void getItem(userId, id).then((item) => live && setStatus(item ? item.status : 'gone'));
    return () => {
      live = false;
    };
  }, [userId, id, tick]);
  if (status === null) return null;
  // An item leaves the outbox only once the server has applied it.
  const sent = status === 'applied' || status === 'gone';
  const problem = status === 'rejected' || status === 'conflict';
  const text = sent
    ? t('app.sent')
    : problem
      ? t(`status.${status}` as MessageKey)
      : online.get()
        ? t('app.sending')
        : t(offline);
  return (
    <p class={problem ? 'err block' : 'ok'} role="status" data-testid={testid} data-status={status}>
      {text}
    </p>
  );
}

/** A long text shown in a few lines, with a button to read it all (a log can be 5,000 characters). */
export function LongText({ text, limit = 180 }: { text: string; limit?: number }) {
  const [open, setOpen] = useState(false);
  const long = text.length > limit || text.split('\n').length > 4;
  return (
    <>
      <p class={long && !open ? 'text clamp' : 'text'} data-testid="long-text">
        {text}
      </p>
      {long && (
        <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="long-text-toggle">
          {open ? t('app.showLess') : t('app.showMore')}
        </button>
      )}
    </>
  );
}
