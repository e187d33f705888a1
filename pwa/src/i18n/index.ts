import { createStore } from '../store';
import { NOTIFY_TEXT_CACHE, NOTIFY_TEXT_URL, type NotifyText } from '../swshared';
import { zh, type MessageKey, type Messages } from './zh';

export type { MessageKey } from './zh';
export type Lang = 'zh' | 'en';

export const LANGS: readonly Lang[] = ['zh', 'en'];
/**
 * Chinese comes with the app; English is its own chunk, fetched only by those who choose it
 * (half the catalogue bytes and parsing off every cadre's first screen).
 */
const catalogues: Partial<Record<Lang, Messages>> = { zh };

/** The catalogue of a language, loaded when it is not yet (Chinese when it cannot be). */
export function loadCatalogue(l: Lang): Promise<Messages> {
  const known = catalogues[l];
  if (known) return Promise.resolve(known);
  return import('./en').then(
    (m) => (catalogues.en = m.en),
    () => zh, // offline before the chunk was ever fetched: Chinese until it can be
  );
}

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

/** Switch the language, once its catalogue is here (at once for Chinese or a loaded one). */
export function setLang(next: Lang): Promise<void> {
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* keep the choice for this page only */
  }
  return showLang(next).then(shareLangWithWorker);
}

/**
 * Show the app in this language, once its catalogue is here. At start the app waits only for
 * this (nothing at all for Chinese); telling the service worker waits until after the first frame.
 */
export function showLang(next: Lang): Promise<void> {
  const apply = () => {
    if (typeof document !== 'undefined') document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    lang.set(next);
  };
  if (catalogues[next]) {
    apply();
    return Promise.resolve();
  }
  return loadCatalogue(next).then(apply);
}

/**
 * The service worker cannot read localStorage: leave it the text of a push notification in
 * this language (it falls back to Chinese when there is none).
 */
export function shareLangWithWorker(): void {
  if (typeof caches === 'undefined') return; // not a secure context, or tests
  const l = lang.get();
  const messages = catalogues[l] ?? zh;
  const text: NotifyText = { lang: l, title: messages['push.notifyTitle'], body: messages['push.notifyBody'] };
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
  const text = catalogues[l]?.[key] ?? zh[key] ?? key;
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
