import { useEffect, useState } from 'preact/hooks';
import { activePostings, session, type User } from './auth';
import { lang, t } from './i18n';
import { unreadCount } from './inbox';
import { Lazy } from './lazy';
import { online } from './net';
import { outboxChanged, unsentCount } from './outbox';
import { href, route } from './router';
import { viewFor, visibleViews, type ViewProps } from './routes';
import { useStores } from './store';
import { applyUpdate, updateWaiting } from './swreg';
import { syncState } from './sync';
import { localDate } from './time';

const loadLogin = () => import('./views/Login');

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

function Header({ user }: { user: User }) {
  const posting = activePostings(user, localDate())[0];
  const sync = syncState.get();
  const isOnline = online.get();
  return (
    <header class="topbar">
      <div class="brand">
        <strong>{t('app.name')}</strong>
        {posting && <span class="village" data-testid="header-village">{posting.village_name}</span>}
      </div>
      <a
        class={`netstate ${isOnline ? 'on' : 'off'} ${sync.running ? 'busy' : ''}`}
        href={href('outbox')}
        data-testid="net-state"
        data-online={String(isOnline)}
      >
        {sync.running ? t('outbox.syncing') : isOnline ? t('app.online') : t('app.offline')}
      </a>
    </header>
  );
}

function Nav({ user, current }: { user: User; current: string }) {
  const unsent = useCount(user.id, unsentCount);
  const unread = useCount(user.id, unreadCount);
  const views = visibleViews(user);
  return (
    <nav class={views.length > 5 ? 'tabs many' : 'tabs'} aria-label={t('nav.label')}>
      {views.map((v) => (
        <a
          key={v.name}
          href={href(v.name)}
          class={v.name === current ? 'tab active' : 'tab'}
          aria-current={v.name === current ? 'page' : undefined}
          data-testid={`nav-${v.name}`}
        >
          <span>{t(v.label)}</span>
          {v.name === 'outbox' && unsent > 0 && (
            <span class="badge" data-testid="outbox-count">
              {unsent}
            </span>
          )}
          {v.name === 'inbox' && unread > 0 && (
            <span class="badge" data-testid="inbox-count">
              {unread}
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}

export function App() {
  useStores(session, lang, route, online, updateWaiting, syncState);
  const s = session.get();
  const r = route.get();

  if (!s || r.name === 'login' || s.must_change_password) {
    return (
      <main class="page page-login">
        <Lazy load={loadLogin} props={{}} />
      </main>
    );
  }
  const view = viewFor(r.name, s.user);
  const props: ViewProps = { user: s.user, params: view.name === r.name ? r.params : [] };
  return (
    <div class="shell">
      <Header user={s.user} />
      {s.needs_login && (
        <div class="banner warn" role="status" data-testid="relogin-banner">
          <span>{t('app.reloginBanner')}</span>
          <a class="btn small" href={href('login')}>
            {t('app.relogin')}
          </a>
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
      <Nav user={s.user} current={view.tab ?? view.name} />
    </div>
  );
}
