import { lang } from '../i18n';
import { en } from './messages/en';
import { zh, type ConsoleKey } from './messages/zh';

export type { ConsoleKey } from './messages/zh';

/** Look up a console message in the current language and fill `{name}` placeholders. */
export function ct(key: ConsoleKey, vars?: Record<string, string | number>): string {
  const text = (lang.get() === 'en' ? en : zh)[key] ?? zh[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
