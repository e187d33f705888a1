import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { User } from '../auth';
import { lang, t, type MessageKey } from '../i18n';
import { NoWorkerError, disablePush, enablePush, localPushState, pushState, type PushState } from './push';
import { useStores } from '../store';

const STATE_TEXT: Record<PushState, MessageKey> = {
  on: 'push.on',
  off: 'push.off',
  blocked: 'push.blocked',
  unsupported: 'push.unsupported',
  unconfigured: 'push.unconfigured',
};

function failure(err: unknown): string {
  if (err instanceof ApiError) return err.network ? t('push.needsOnline') : t('push.failed', { msg: err.display });
  if (err instanceof NoWorkerError) return t('push.failed', { msg: t('push.noWorker') });
  // The browser's own words (“Registration failed - push service error”) mean nothing to a
  // cadre: FCM unreachable, the push permission refused, …
  return t('push.failed', { msg: t('push.serviceFailed') });
}

const detail = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * 消息提醒 on the settings screen. Showing it reads the state and asks the server for its key;
 * the browser's permission prompt comes only from the tap on “开启提醒”.
 */
export function PushCard({ user }: { user: User }) {
  useStores(lang);
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState<'enable' | 'disable' | null>(null);
  const [error, setError] = useState<{ text: string; detail: string } | null>(null);

  useEffect(() => {
    let live = true;
    void pushState(user.id).then(
      (s) => live && setState(s),
      () => live && setState('off'),
    );
    return () => {
      live = false;
    };
  }, [user.id]);

  const run = async (what: 'enable' | 'disable') => {
    setBusy(what);
    setError(null);
    try {
      setState(await (what === 'enable' ? enablePush(user.id) : disablePush(user.id)));
    } catch (err) {
      setError({ text: failure(err), detail: detail(err) });
      setState(await localPushState(user.id).catch(() => 'off' as const));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="card" data-testid="push-card" data-state={state ?? 'checking'}>
      <h2>{t('push.title')}</h2>
      <p class="small muted">{t('push.intro')}</p>
      <p data-testid="push-state" role="status">
        {state ? t(STATE_TEXT[state]) : t('push.checking')}
      </p>
      {error && (
        <p class="err block" role="alert" data-testid="push-error" title={error.detail}>
          {error.text}
        </p>
      )}
      {state === 'off' && (
        <button class="btn primary wide" disabled={!!busy} onClick={() => void run('enable')} data-testid="push-enable">
          {busy === 'enable' ? t('push.enabling') : t('push.enable')}
        </button>
      )}
      {state === 'on' && (
        <button class="btn wide" disabled={!!busy} onClick={() => void run('disable')} data-testid="push-disable">
          {busy === 'disable' ? t('push.disabling') : t('push.disable')}
        </button>
      )}
    </div>
  );
}
