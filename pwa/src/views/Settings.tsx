import { useEffect, useState } from 'preact/hooks';
import { logout, requestPersistence } from '../auth';
import { LANGS, lang, setLang, t, type Lang, type MessageKey } from '../i18n';
import { unsentCount } from '../outbox';
import { go, href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { formatBytes } from './common';
import { PushCard } from './PushCard';

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

export default function Settings({ user }: ViewProps) {
  useStores(lang);
  const [info, setInfo] = useState<StorageInfo | null | undefined>(undefined);
  const refresh = () => void storageInfo().then(setInfo, () => setInfo(null));
  useEffect(refresh, []);

  const doLogout = async () => {
    const n = await unsentCount(user.id);
    if (!confirm(n ? t('settings.logoutUnsent', { n }) : t('settings.logoutConfirm'))) return;
    await logout();
    go('login');
  };

  return (
    <section>
      <h1>{t('settings.title')}</h1>
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
              {p.village_name}（{p.township_name}）{p.start_date} – {p.end_date ?? ''}
            </li>
          ))}
        </ul>
      </div>
      <div class="card">
        <h2>{t('nav.feedback')}</h2>
        <p class="small muted">{t('settings.feedbackIntro')}</p>
        <a class="btn wide" href={href('feedback')} data-testid="settings-feedback">
          {t('settings.feedbackOpen')}
        </a>
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
              {t('settings.storageUsage', { used: formatBytes(info.usage ?? 0), quota: formatBytes(info.quota ?? 0) })}
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
