import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import { online } from '../net';

/**
 * A list loaded when online (again when the phone comes back online); `reload()` fetches it
 * again. The review queues, the finance lists, the insurance gaps and the survey lists use it.
 */
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
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, isOnline, n]);
  return { rows, setRows, error, reload: () => setN((x) => x + 1) };
}
