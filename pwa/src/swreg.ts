import { createStore } from './store';
import { OPEN_LINK, PUSH_ARRIVED, safeLink } from './swshared';
import { syncNow } from './sync';

/** A new service worker is installed and waiting; the app offers to switch to it. */
export const updateWaiting = createStore<ServiceWorker | null>(null);

/**
 * Whether this browser can open the app with no signal: `ready` with a service worker,
 * `unavailable` without one (the in-app browsers of 政务钉钉, 企业微信 and WeChat, private
 * windows, a worker cleared by the phone). Without one the app still works, keeps its outbox
 * in IndexedDB and sends it; only opening or reloading the page offline is impossible.
 */
export type OfflineShell = 'unknown' | 'ready' | 'unavailable';
export const offlineShell = createStore<OfflineShell>('unknown');
/** How long a registered worker may take to become active before the app says it has none. */
const SW_READY_MS = 15_000;

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD) return;
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker) {
    offlineShell.set('unavailable');
    return;
  }
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const msg = event.data as { type?: string; link?: unknown } | null;
    // A push rang: the notice itself comes with the pull (src/sw.ts).
    if (msg?.type === PUSH_ARRIVED) void syncNow();
    else if (msg?.type === OPEN_LINK) location.hash = safeLink(msg.link);
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only a page that ran on an older version reloads; the very first install does not.
    if (hadController) location.reload();
  });
  if (hadController) offlineShell.set('ready');
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).then((reg: ServiceWorkerRegistration | undefined) => {
    if (!reg) {
      offlineShell.set('unavailable');
      return;
    }
    void navigator.serviceWorker.ready.then(() => offlineShell.set('ready'));
    // Some browsers accept the registration and then never run the worker (or drop it).
    void navigator.serviceWorker.getRegistration().then((found) => {
      if (!found) offlineShell.set('unavailable');
    });
    setTimeout(() => {
      if (offlineShell.get() === 'unknown') offlineShell.set('unavailable');
    }, SW_READY_MS);
    if (reg.waiting && hadController) updateWaiting.set(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      w?.addEventListener('statechange', () => {
        if (w.state === 'installed' && navigator.serviceWorker.controller) updateWaiting.set(w);
      });
    });
  }, () => offlineShell.set('unavailable'));
}

export function applyUpdate(): void {
  updateWaiting.get()?.postMessage({ type: 'SKIP_WAITING' });
}
