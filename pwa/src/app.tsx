import { useEffect, useState } from 'preact/hooks';
import { activePostings, session, type Session, type User } from './auth';
import { lang, t } from './i18n';
import { unreadCount } from './notify/inbox';
import { Lazy, type ScreenLoader } from './lazy';
import { online } from './net';
import { outboxChanged, unsentCount } from './outbox';
import { href, route, type Route } from './router';
import { DialogHost } from './dialog';
import { VIEWS, barViews, viewFor, visibleViews, type ViewProps } from './routes';
import { useStores } from './store';
import { applyUpdate, offlineShell, updateWaiting } from './swreg';
import { syncState } from './sync';
import { localDate } from './time';

const loadLogin = () => import('./me/Login');

/** The login asked for, or a temporary password to change first. */
function showsLogin(s: Session, r: Route): boolean {
  return r.name === 'login' || !!s.must_change_password;
}

/** The chunk of the screen the app shows now (main.tsx fetches it before the first render). */
export function currentScreen(): ScreenLoader {
  const s = session.get();
  const r = route.get();
  return !s || showsLogin(s, r) ? loadLogin : viewFor(r.name, s.user).load;
}

/** A count read from the user's database, again after every outbox write or pull. */
function useCount(userId: string, count: (userId: string) => Promise<number>): number {
  const [n, setN] = useState(0);
  useStores(outboxChanged);
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void count(userId).then((c) => live && setN(c));
    return () => {
      live = false;
    };
  }, [userId, tick, count]);
  return n;
}

function Header({ user, current }: { user: User; current: string }) {
  const posting = activePostings(user, localDate())[0];
  const sync = syncState.get();
  const isOnline = online.get();
  const unread = useCount(user.id, unreadCount);
  return (
    <header class="topbar">
      <div class="brand">
        <strong>{t('app.name')}</strong>
        {posting && <span class="village" data-testid="header-village">{posting.village_name}</span>}
      </div>
      <div class="top-actions">
        <a
          class={`netstate ${isOnline ? 'on' : 'off'} ${sync.running ? 'busy' : ''}`}
          href={href('outbox')}
          data-testid="net-state"
          data-online={String(isOnline)}
        >
          {sync.running ? t('outbox.syncing') : isOnline ? t('app.online') : t('app.offline')}
        </a>
        <a
          class="bell"
          href={href('inbox')}
          aria-current={current === 'inbox' ? 'page' : undefined}
          data-testid="nav-inbox"
        >
          <span class="sr-only">{t('nav.inbox')}</span>
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path
              fill="currentColor"
              d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
            />
          </svg>
          {unread > 0 && (
            <span class="badge" data-testid="inbox-count">
              {unread}
            </span>
          )}
        </a>
      </div>
    </header>
  );
}

/** At most five destinations; the unsent count rides on 我的, where the outbox is. */
function Nav({ user, current }: { user: User; current: string }) {
  const unsent = useCount(user.id, unsentCount);
  const { bar } = barViews(user);
  return (
    <nav class="tabs" aria-label={t('nav.label')}>
      {bar.map((v) => (
        <a
          key={v.name}
          href={href(v.name)}
          class={v.name === current ? 'tab active' : 'tab'}
          aria-current={v.name === current ? 'page' : undefined}
          data-testid={`nav-${v.name}`}
        >
          <span>{t(v.label)}</span>
          {v.name === 'me' && unsent > 0 && (
            <span class="badge" data-testid="outbox-count">
              {unsent}
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}

/**
 * Without a service worker nothing is precached: load every screen this user may open now,
 * while there is signal, so moving between screens keeps working offline (the hashed chunks
 * stay in the HTTP cache for a year).
 */
function useWarmScreens(user: User | undefined): void {
  const shell = offlineShell.get();
  useEffect(() => {
    if (!user || shell !== 'unavailable' || !online.get()) return;
    const names = new Set(visibleViews(user).map((v) => v.name));
    const timer = setTimeout(() => {
      for (const v of VIEWS) {
        if (names.has(v.name) || (v.hidden && (!v.roles || v.roles.some((r) => user.roles.includes(r))))) {
          v.load().catch(() => undefined);
        }
      }
    }, 1500);
    return () => clearTimeout(timer);
  }, [user?.id, shell]);
}

export function App() {
  useStores(session, lang, route, online, updateWaiting, syncState, offlineShell);
  const s = session.get();
  const r = route.get();
  useWarmScreens(s?.user);

  if (!s || showsLogin(s, r)) {
    return (
      <main class="page page-login">
        <Lazy load={loadLogin} props={{}} />
        <DialogHost />
      </main>
    );
  }
  const view = viewFor(r.name, s.user);
  const props: ViewProps = { user: s.user, params: view.name === r.name ? r.params : [] };
  const current = view.tab ?? view.name;
  return (
    <div class="shell">
      <Header user={s.user} current={current} />
      {s.needs_login && (
        <div class="banner warn" role="status" data-testid="relogin-banner">
          <span>{t('app.reloginBanner')}</span>
          <a class="btn small" href={href('login')}>
            {t('app.relogin')}
          </a>
        </div>
      )}
      {offlineShell.get() === 'unavailable' && !online.get() && (
        <div class="banner warn" role="status" data-testid="no-offline-shell">
          <span>{t('app.noOfflineShell')}</span>
        </div>
      )}
      {updateWaiting.get() && (
        <div class="banner" role="status">
          <span>{t('app.update')}</span>
          <button class="btn small" onClick={applyUpdate} data-testid="update-now">
            {t('app.updateNow')}
          </button>
        </div>
      )}
      <main class={`page view-${view.name}`} key={`${view.name}/${props.params.join('/')}`}>
        <Lazy load={view.load} props={props} />
      </main>
      <Nav user={s.user} current={current} />
      <DialogHost />
    </div>
  );
}
