/**
 * Names shared by the page and the service worker (src/sw.ts), which talk through Cache
 * Storage and postMessage. Nothing here may touch the DOM: the worker build has none.
 */

/** The cache where the page leaves the notification text in the chosen language. */
export const NOTIFY_TEXT_CACHE = 'zhucun-notify-text';
/** Its one entry: `{lang, title, body}` as JSON. */
export const NOTIFY_TEXT_URL = '/__zhucun/notify-text';

/** Worker → page: a push arrived; pull now rather than at the next scheduled sync. */
export const PUSH_ARRIVED = 'zhucun:push';
/** Worker → page: a notification was tapped; go to `link` (a hash route). */
export const OPEN_LINK = 'zhucun:open';

export interface NotifyText {
  lang: string;
  title: string;
  body: string;
}

/** Only our own hash routes are followed; anything else leads to the inbox. */
export function safeLink(link: unknown): string {
  return typeof link === 'string' && /^#\/[^\s]*$/.test(link) ? link : '#/inbox';
}
