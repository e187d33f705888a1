import { recordsOfKind } from '../db';
import type { Lang } from '../i18n';
import { listOutbox, saveEdit } from '../outbox';

export const INBOX = 'inbox';

type Text = { zh?: string; en?: string } | string | undefined;

/** A notice as pulled: title and body in both languages, and where it leads. */
export interface InboxData {
  event?: string;
  title?: Text;
  body?: Text;
  link?: string;
  object_kind?: string;
  object_id?: string;
  created_at?: string;
  read_at?: string | null;
  /** Marked read on this phone, not yet known to be on the server. */
  read?: boolean;
}

export interface InboxRow {
  id: string;
  version: number | string;
  data: InboxData;
  unread: boolean;
}

/** The text in the UI language, falling back to the other one. */
export function inLang(text: Text, lang: Lang): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return (lang === 'en' ? text.en || text.zh : text.zh || text.en) ?? '';
}

/** Unread first, each group newest first: the order of arrival, never a ranking. */
export function sortInbox(rows: InboxRow[]): InboxRow[] {
  const key = (r: InboxRow) => String(r.data.created_at ?? '');
  return [...rows].sort((a, b) => {
    if (a.unread !== b.unread) return a.unread ? -1 : 1;
    const ka = key(a);
    const kb = key(b);
    return ka === kb ? (a.id < b.id ? 1 : -1) : ka < kb ? 1 : -1;
  });
}

export async function inboxRows(userId: string): Promise<InboxRow[]> {
  const marked = new Set((await listOutbox(userId)).filter((i) => i.kind === INBOX).map((i) => i.id));
  const rows = (await recordsOfKind(userId, INBOX)).map((r) => {
    const data = r.data as InboxData;
    return { id: r.id, version: r.version, data, unread: !data.read_at && !data.read && !marked.has(r.id) };
  });
  return sortInbox(rows);
}

export async function unreadCount(userId: string): Promise<number> {
  return (await inboxRows(userId)).filter((r) => r.unread).length;
}

/** Mark read through the outbox (the same record, on the version we hold). */
export async function markRead(userId: string, row: InboxRow): Promise<void> {
  if (!row.unread) return;
  await saveEdit(userId, INBOX, row.id, { read: true });
}
