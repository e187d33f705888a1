import { createStore } from './store';
import { OPEN_LINK, PUSH_ARRIVED, safeLink } from './swshared';
import { syncNow } from './sync';

/** A new service worker is installed and waiting; the app offers to switch to it. */
export const updateWaiting = createStore<ServiceWorker | null>(null);

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
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
  void navigator.serviceWorker.register('/sw.js', { scope: '/' }).then((reg) => {
    if (reg.waiting && hadController) updateWaiting.set(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      w?.addEventListener('statechange', () => {
        if (w.state === 'installed' && navigator.serviceWorker.controller) updateWaiting.set(w);
      });
    });
  });
}

export function applyUpdate(): void {
  updateWaiting.get()?.postMessage({ type: 'SKIP_WAITING' });
}
