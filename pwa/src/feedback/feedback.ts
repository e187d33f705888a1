import { api, type Schema } from '../api';
import type { User } from '../auth';
import { getMeta, setMeta } from '../db';
import { enqueue } from '../outbox';
import { recordViews, type RecordView } from '../records';

/** 投诉建议: anyone writes to the county admins, offline like everything else. */
export const FEEDBACK = 'feedback';
export const MAX_FEEDBACK_PHOTOS = 3;

export interface FeedbackData {
  text: string;
  evidence: string[];
  /** Added by the server. */
  state?: 'open' | 'answered';
  answer?: string | null;
  created_at?: string;
  answered_at?: string | null;
}

/** A message as the county admins list it. */
export type FeedbackOut = Schema<'FeedbackOut'>;

export interface MyFeedback {
  id: string;
  data: FeedbackData;
  status: RecordView<FeedbackData>['status'];
}

export const isCountyAdmin = (user: User): boolean => user.roles.includes('county_admin');

export async function writeFeedback(userId: string, text: string, evidence: string[]) {
  return enqueue(userId, FEEDBACK, { text: text.trim(), evidence });
}

/**
 * One's own messages, newest first. County admins also pull everyone's messages of their
 * county, which carry no author: theirs come from the list the server gives them (cached).
 */
export async function myFeedback(user: User, online: boolean): Promise<MyFeedback[]> {
  return newestFirst(await ownFeedback(user, online));
}

/** Not yet on the server first (they have no time of arrival), then the newest. */
export function newestFirst(rows: MyFeedback[]): MyFeedback[] {
  const key = (r: MyFeedback) => r.data.created_at ?? '\uffff';
  return [...rows].sort((a, b) => (key(a) === key(b) ? (a.id < b.id ? 1 : -1) : key(a) < key(b) ? 1 : -1));
}

async function ownFeedback(user: User, online: boolean): Promise<MyFeedback[]> {
  const views = await recordViews<FeedbackData>(user.id, FEEDBACK);
  if (!isCountyAdmin(user)) return views.map(({ id, data, status }) => ({ id, data, status }));
  let mine = await getMeta<string[]>(user.id, 'feedback:mine');
  if (online) {
    try {
      const all = await api<FeedbackOut[]>('/feedback', { user: user.id });
      mine = all.filter((f) => f.author_id === user.id).map((f) => f.id);
      await setMeta(user.id, 'feedback:mine', mine);
    } catch {
      /* keep the last list */
    }
  }
  const own = new Set(mine ?? []);
  return views
    .filter((v) => v.status !== 'applied' || own.has(v.id) || v.item)
    .map(({ id, data, status }) => ({ id, data, status }));
}

export async function openFeedback(userId: string): Promise<FeedbackOut[]> {
  return api<FeedbackOut[]>('/feedback?state=open', { user: userId });
}

export async function answerFeedback(userId: string, id: string, answer: string): Promise<FeedbackOut> {
  return api<FeedbackOut>(`/feedback/${encodeURIComponent(id)}/answer`, {
    method: 'POST',
    json: { answer: answer.trim() },
    user: userId,
  });
}
