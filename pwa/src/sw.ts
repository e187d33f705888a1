/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NOTIFY_TEXT_CACHE, NOTIFY_TEXT_URL, OPEN_LINK, PUSH_ARRIVED, safeLink, type NotifyText } from './swshared';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

// The app shell: every built asset, index.html included.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation gets the precached index.html (the server has no SPA fallback, and the
// phone may be offline). /api/ is never routed here, so API answers are never cached.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }));

// A new version waits until the page asks for it, so a running page never loses its chunks.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
clientsClaim();

// --- Web Push: a doorbell only. The inbox itself always arrives through sync pull. ---

/** When the page never left the text in the user's language (src/i18n setLang). */
const DEFAULT_TEXT: NotifyText = { lang: 'zh-CN', title: '驻村：您有新消息', body: '点按查看' };

async function notifyText(): Promise<NotifyText> {
  try {
    const hit = await (await caches.open(NOTIFY_TEXT_CACHE)).match(NOTIFY_TEXT_URL);
    const text = hit ? ((await hit.json()) as Partial<NotifyText>) : null;
    if (text && typeof text.title === 'string' && typeof text.body === 'string') {
      return { lang: text.lang === 'en' ? 'en' : 'zh-CN', title: text.title, body: text.body };
    }
  } catch {
    /* no cache or a damaged entry */
  }
  return DEFAULT_TEXT;
}

/** The payload is `{"type":"inbox","id":…,"link":"#/…"}`, no personal data; anything else is tolerated. */
function readPush(data: PushMessageData | null): { id: string; link: string } {
  let raw: { id?: unknown; link?: unknown } = {};
  try {
    raw = (data?.json() as typeof raw | null) ?? {};
  } catch {
    /* not JSON: still ring, generically */
  }
  const id = typeof raw.id === 'string' && raw.id ? raw.id.slice(0, 100) : '';
  return { id, link: safeLink(raw.link) };
}

async function onPush(data: PushMessageData | null): Promise<void> {
  const { id, link } = readPush(data);
  // Open pages pull now; the notification tells the user (and userVisibleOnly requires one).
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage({ type: PUSH_ARRIVED, id, link });
  const text = await notifyText();
  await self.registration.showNotification(text.title, {
    body: text.body,
    lang: text.lang,
    // One notification per inbox item: a push delivered twice replaces the first, silently.
    tag: id || 'zhucun-inbox',
    icon: '/icons/icon-192.png',
    data: { id, link },
  });
}

self.addEventListener('push', (event) => {
  event.waitUntil(onPush(event.data));
});

async function openLink(link: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((c) => c.focused) ?? windows.find((c) => c.visibilityState === 'visible') ?? windows[0];
  if (!client) {
    await self.clients.openWindow(`/${link}`);
    return;
  }
  try {
    await client.focus();
  } catch {
    /* focusing is a favour the browser may refuse */
  }
  // Only the hash changes, so the page routes itself: no reload, nothing it holds is lost.
  client.postMessage({ type: OPEN_LINK, link });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { link?: unknown } | null;
  event.waitUntil(openLink(safeLink(data?.link)));
});
