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

const plurals = new Map<Lang, Intl.PluralRules>();
function pluralRule(l: Lang): Intl.PluralRules {
  if (!plurals.has(l)) plurals.set(l, new Intl.PluralRules(l === 'zh' ? 'zh-CN' : 'en-GB'));
  return plurals.get(l)!;
}

/** `{n, plural, one {# day} other {# days}}`: the form for n's plural category, # being n. */
const PLURAL = /\{(\w+), plural,((?:\s*[a-z]+ \{[^{}]*\})+)\s*\}/g;

/**
 * Look up a message and fill `{name}` placeholders; plural forms (ICU's `{n, plural, one {…} other {…}}`) are chosen by
 * Intl.PluralRules.
 */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const l = lang.get();
  const text = catalogues[l][key] ?? zh[key] ?? key;
  if (!vars) return text;
  const show = (v: string | number) => String(v);
  return text
    .replace(PLURAL, (m, name: string, body: string) => {
      const v = Number(vars[name]);
      if (!(name in vars) || !Number.isFinite(v)) return m;
      const forms = Object.fromEntries([...body.matchAll(/([a-z]+) \{([^{}]*)\}/g)].map((f) => [f[1], f[2]]));
      const form = forms[pluralRule(l).select(v)] ?? forms.other ?? '';
      return form.replace(/#/g, show(v));
    })
    .replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? show(vars[name]) : m));
}
