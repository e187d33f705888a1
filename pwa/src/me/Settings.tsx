import { useEffect, useState } from 'preact/hooks';
import { logout, requestPersistence } from '../auth';
import { ask } from '../dialog';
import { bytes, dayRange } from '../format';
import { LANGS, lang, setLang, t, type Lang, type MessageKey } from '../i18n';
import { unreadCount } from '../notify/inbox';
import { online } from '../net';
import { outboxChanged, unsentCount } from '../outbox';
import { go, href } from '../router';
import { barViews, type ViewProps } from '../routes';
import { useStores } from '../store';
import { offlineShell } from '../swreg';
import { PushCard } from '../notify/PushCard';

interface StorageInfo {
  usage?: number;
  quota?: number;
  persisted: boolean;
}

async function storageInfo(): Promise<StorageInfo | null> {
  if (!navigator.storage?.estimate) return null;
  const est = await navigator.storage.estimate();
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  return { usage: est.usage, quota: est.quota, persisted };
}

/** The question before logging out: unsent records, and (offline) that login needs signal. */
export function logoutQuestion(unsent: number, isOnline: boolean): string {
  const parts = [unsent ? t('settings.logoutUnsent', { n: unsent }) : t('settings.logoutConfirm')];
  if (!isOnline) parts.unshift(t('settings.logoutOffline'));
  return parts.join(' ');
}

/** 我的: the account, the outbox, messages, feedback, language, storage, logout. */
export default function Settings({ user }: ViewProps) {
  useStores(lang, outboxChanged, online, offlineShell);
  const [info, setInfo] = useState<StorageInfo | null | undefined>(undefined);
  const [counts, setCounts] = useState({ unsent: 0, unread: 0 });
  const refresh = () => void storageInfo().then(setInfo, () => setInfo(null));
  useEffect(refresh, []);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void Promise.all([unsentCount(user.id), unreadCount(user.id)]).then(
      ([unsent, unread]) => live && setCounts({ unsent, unread }),
    );
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  const doLogout = async () => {
    const n = await unsentCount(user.id);
    const isOnline = online.get();
    const ok = await ask({
      title: t('settings.logout'),
      body: logoutQuestion(n, isOnline),
      confirm: t('settings.logout'),
      danger: !isOnline || n > 0,
    });
    if (!ok) return;
    await logout();
    go('login');
  };
  const { more } = barViews(user);

  return (
    <section>
      <h1>{t('nav.me')}</h1>
      <nav class="menu card" aria-label={t('nav.me')}>
        <a class="menu-item" href={href('outbox')} data-testid="me-outbox">
          <span>{t('nav.outbox')}</span>
          <span class="small muted">{counts.unsent ? t('me.unsent', { n: counts.unsent }) : t('me.allSent')}</span>
        </a>
        <a class="menu-item" href={href('inbox')} data-testid="me-inbox">
          <span>{t('nav.inbox')}</span>
          <span class="small muted">{counts.unread ? t('inbox.unread', { n: counts.unread }) : ''}</span>
        </a>
        <a class="menu-item" href={href('feedback')} data-testid="settings-feedback">
          <span>{t('nav.feedback')}</span>
          <span class="small muted">{t('settings.feedbackOpen')}</span>
        </a>
        {more.map((v) => (
          <a class="menu-item" href={href(v.name)} data-testid={`me-${v.name}`}>
            <span>{t(v.label)}</span>
          </a>
        ))}
      </nav>
      {offlineShell.get() === 'unavailable' && (
        <div class="card warn-card" role="note" data-testid="me-no-offline-shell">
          <h2>{t('me.offlineTitle')}</h2>
          <p>{t('app.noOfflineShell')}</p>
        </div>
      )}
      <div class="card">
        <h2>{t('settings.account')}</h2>
        <p data-testid="settings-user">
          {user.name} · {user.phone}
        </p>
        <p class="small muted">
          {t('settings.roles')}: {user.roles.map((r) => t(`role.${r}` as MessageKey)).join('、')}
        </p>
        <ul class="small">
          {user.postings.map((p) => (
            <li>
              {p.village_name}（{p.township_name}）{dayRange(p.start_date, p.end_date)}
            </li>
          ))}
        </ul>
      </div>
      <div class="card">
        <label class="field">
          <span>{t('settings.language')}</span>
          <select
            value={lang.get()}
            onChange={(e) => setLang(e.currentTarget.value as Lang)}
            data-testid="lang-switch"
          >
            {LANGS.map((l) => (
              <option value={l}>{l === 'zh' ? '中文' : 'English'}</option>
            ))}
          </select>
        </label>
      </div>
      <PushCard user={user} />
      <div class="card">
        <h2>{t('settings.storage')}</h2>
        {info === null ? (
          <p class="muted">{t('settings.storageUnknown')}</p>
        ) : info ? (
          <>
            <p data-testid="storage-usage">
              {t('settings.storageUsage', { used: bytes(info.usage ?? 0), quota: bytes(info.quota ?? 0) })}
            </p>
            <p class="small" data-testid="storage-persisted" data-persisted={String(info.persisted)}>
              {info.persisted ? t('settings.persisted') : t('settings.notPersisted')}
            </p>
            {!info.persisted && (
              <button class="btn" onClick={() => void requestPersistence().then(refresh)} data-testid="persist-request">
                {t('settings.requestPersist')}
              </button>
            )}
          </>
        ) : null}
      </div>
      <button class="btn danger wide" onClick={doLogout} data-testid="logout">
        {t('settings.logout')}
      </button>
      <p class="small muted center">
        {t('settings.version')} {__APP_VERSION__}
      </p>
    </section>
  );
}
