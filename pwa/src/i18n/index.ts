import { createStore } from '../store';
import { NOTIFY_TEXT_CACHE, NOTIFY_TEXT_URL, type NotifyText } from '../swshared';
import { en } from './en';
import { zh, type MessageKey, type Messages } from './zh';

export type { MessageKey } from './zh';
export type Lang = 'zh' | 'en';

export const LANGS: readonly Lang[] = ['zh', 'en'];
export const catalogues: Record<Lang, Messages> = { zh, en };

const KEY = 'zhucun.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    /* storage unavailable: fall back to the default */
  }
  return 'zh';
}

export const lang = createStore<Lang>(initialLang());

export function setLang(next: Lang): void {
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* keep the choice for this page only */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  lang.set(next);
  shareWithWorker(next);
}

/**
 * The service worker cannot read localStorage: leave it the text of a push notification in
 * this language (it falls back to Chinese when there is none).
 */
function shareWithWorker(l: Lang): void {
  if (typeof caches === 'undefined') return; // not a secure context, or tests
  const text: NotifyText = { lang: l, title: catalogues[l]['push.notifyTitle'], body: catalogues[l]['push.notifyBody'] };
  const answer = new Response(JSON.stringify(text), { headers: { 'Content-Type': 'application/json' } });
  caches.open(NOTIFY_TEXT_CACHE).then((c) => c.put(NOTIFY_TEXT_URL, answer), () => undefined).catch(() => undefined);
}

/** The value for the `Accept-Language` header, so the server localises problem details. */
export function acceptLanguage(): string {
  return lang.get() === 'zh' ? 'zh-CN' : 'en';
}

/** Look up a message and fill `{name}` placeholders. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = catalogues[lang.get()][key] ?? zh[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
