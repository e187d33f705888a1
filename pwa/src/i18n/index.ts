import { createStore } from '../store';
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
