import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText } from '../api';
import { isStale } from '../claims/claimReview';
import type { ClaimOut } from '../claims/claims';
import { t } from '../i18n';
import { online } from '../net';

/** What to tell a reviewer when an action failed; 409 means someone else acted first. */
export function claimFailure(err: unknown): { text: string; stale: boolean } {
  if (isStale(err)) return { text: t('review.conflict'), stale: true };
  return { text: errorText(err), stale: false };
}

/**
 * Why a step on a claim failed. Besides a 409, a plain 403 on a claim that has moved on since
 * it was shown (another reviewer took the step that was ours) means someone else acted first.
 */
export async function stepFailure(userId: string, c: Pick<ClaimOut, 'id' | 'version'>, err: unknown): Promise<{ text: string; stale: boolean }> {
  const f = claimFailure(err);
  if (f.stale || !(err instanceof ApiError) || err.status !== 403 || err.code !== 'forbidden') return f;
  try {
    const now = await api<ClaimOut>(`/claims/${encodeURIComponent(c.id)}`, { user: userId });
    if (now.version !== c.version) return { text: t('review.conflict'), stale: true };
  } catch (again) {
    if (isStale(again)) return { text: t('review.conflict'), stale: true };
  }
  return f;
}

/** A list loaded when online; `reload()` fetches it again. */
export function useOnlineList<T>(load: () => Promise<T[]>, deps: unknown[]) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    load().then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(claimFailure(err).text),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, isOnline, n]);
  return { rows, setRows, error, reload: () => setN((x) => x + 1) };
}
