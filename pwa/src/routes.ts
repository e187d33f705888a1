import type { ComponentType } from 'preact';
import type { Role, User } from './auth';
import type { MessageKey } from './i18n';
import Today from './presence/Today';

export interface ViewProps {
  user: User;
  params: string[];
}

/**
 * One entry per screen. A screen is loaded on first visit (its own chunk), and shows in the
 * nav only for users it is meant for. A new screen is one entry here; nothing else has to
 * change.
 */
export interface ViewDef {
  name: string;
  label: MessageKey;
  load: () => Promise<{ default: ComponentType<ViewProps> }>;
  /** Roles that see the tab; absent means everyone. */
  roles?: Role[];
  /** Reachable by URL but without a tab. */
  hidden?: boolean;
  /** For a screen without a tab: the tab shown as current while it is open. */
  tab?: string;
}

const REVIEWERS: Role[] = ['township_reviewer', 'county_admin'];

/** The bottom bar: at most this many destinations, the last always 我的 (me). */
export const BAR_MAX = 5;

/**
 * In order of importance: a role's first four visible screens take the bottom bar, 我的 is the
 * fifth, and any further screen (a person with several roles) is listed on 我的.
 */
export const VIEWS: ViewDef[] = [
  // The cadre's first screen comes with the app itself (most users' first screen, on the
  // weakest phones): nothing more to fetch, compile or wait for before it shows.
  { name: 'today', label: 'nav.today', load: () => Promise.resolve({ default: Today }), roles: ['cadre'] },
  { name: 'month', label: 'nav.month', load: () => import('./presence/Month'), roles: ['cadre'] },
  { name: 'claims', label: 'nav.claims', load: () => import('./claims/Claims'), roles: ['cadre'] },
  { name: 'surveys', label: 'nav.surveys', load: () => import('./surveys/Surveys'), roles: ['cadre'] },
  { name: 'review', label: 'nav.review', load: () => import('./review/Review'), roles: REVIEWERS },
  { name: 'dashboard', label: 'nav.dashboard', load: () => import('./dashboard/Dashboard'), roles: REVIEWERS },
  { name: 'surveyadmin', label: 'nav.surveyAdmin', load: () => import('./surveys/SurveyAdmin'), roles: REVIEWERS },
  { name: 'console', label: 'nav.console', load: () => import('./console/Console'), roles: REVIEWERS },
  { name: 'finance', label: 'nav.finance', load: () => import('./claims/Finance'), roles: ['county_finance'] },
  { name: 'me', label: 'nav.me', load: () => import('./me/Settings') },
  // The inbox opens from the bell in the header; outbox, settings and feedback from 我的.
  { name: 'inbox', label: 'nav.inbox', load: () => import('./notify/Inbox'), hidden: true },
  { name: 'outbox', label: 'nav.outbox', load: () => import('./me/Outbox'), hidden: true, tab: 'me' },
  { name: 'settings', label: 'nav.me', load: () => import('./me/Settings'), hidden: true, tab: 'me' },
  { name: 'feedback', label: 'nav.feedback', load: () => import('./feedback/Feedback'), hidden: true, tab: 'me' },
  // Reached from the month screen, the inbox and the notices' links.
  { name: 'leave', label: 'nav.leave', load: () => import('./presence/Leave'), roles: ['cadre'], hidden: true, tab: 'month' },
  // Reached from the claims screen.
  { name: 'accident', label: 'accident.title', load: () => import('./claims/Accident'), roles: ['cadre'], hidden: true, tab: 'claims' },
];

/** Every screen this user may open from a menu (bar or 我的), in order of importance. */
export function visibleViews(user: User): ViewDef[] {
  return VIEWS.filter((v) => !v.hidden && (!v.roles || v.roles.some((r) => user.roles.includes(r))));
}

/** The bottom bar (at most BAR_MAX, 我的 last) and the screens that did not fit (shown on 我的). */
export function barViews(user: User): { bar: ViewDef[]; more: ViewDef[] } {
  const all = visibleViews(user).filter((v) => v.name !== 'me');
  const me = VIEWS.find((v) => v.name === 'me')!;
  return { bar: [...all.slice(0, BAR_MAX - 1), me], more: all.slice(BAR_MAX - 1) };
}

export function viewFor(name: string, user: User): ViewDef {
  const views = visibleViews(user);
  return views.find((v) => v.name === name) ?? VIEWS.find((v) => v.name === name) ?? views[0];
}
