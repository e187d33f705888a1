import { useState } from 'preact/hooks';
import { errorText } from '../api';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import { useStores } from '../store';

/** One item's answer in a bulk step: each item is answered on its own. */
export interface BulkLine {
  id: string;
  ok: boolean;
  /** Which item, for a person (who · what). */
  label: string;
  /** Why it was refused. */
  why?: string;
}

export interface BulkTexts {
  /** The button, with `{n}`. */
  button: MessageKey;
  /** The question before anything is sent, with `{n}`. */
  ask: MessageKey;
  yes: MessageKey;
  /** Under the button: what the bulk step leaves out. */
  note: MessageKey;
}

export interface BulkTestIds {
  button: string;
  yes: string;
  results: string;
  result: string;
}

/**
 * Approve (or confirm) at once the items a reviewer need not look at twice: ask first, then
 * run, then one line per item, approved or refused with the reason. Nothing shows while there
 * is nothing to approve, but the last answer stays until the next run.
 */
export function BulkApprove(props: {
  count: number;
  texts: BulkTexts;
  testIds: BulkTestIds;
  /** Send the step; `progress` may show lines as they come. */
  run: (progress: (lines: BulkLine[]) => void) => Promise<BulkLine[]>;
  /** Before the step is sent (for example: clear the screen's notice). */
  onStart?: () => void;
  /** After the step, done or failed: reload the queue. */
  onDone: () => void;
}) {
  useStores(lang, online);
  const { count, texts, testIds } = props;
  const [asking, setAsking] = useState(false);
  const [running, setRunning] = useState(false);
  const [lines, setLines] = useState<BulkLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setAsking(false);
    setRunning(true);
    setError(null);
    props.onStart?.();
    try {
      setLines(await props.run(setLines));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setRunning(false);
      props.onDone();
    }
  };

  return (
    <>
      {count > 0 && (
        <div class="card bulk">
          {asking ? (
            <>
              <p>{t(texts.ask, { n: count })}</p>
              <div class="actions">
                <button class="btn primary" onClick={run} data-testid={testIds.yes}>
                  {t(texts.yes)}
                </button>
                <button class="btn" onClick={() => setAsking(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </>
          ) : (
            <button class="btn wide" onClick={() => (setLines(null), setError(null), setAsking(true))} disabled={running || !online.get()} data-testid={testIds.button}>
              {running ? t('review.bulkRunning') : t(texts.button, { n: count })}
            </button>
          )}
          <p class="small muted">{t(texts.note)}</p>
        </div>
      )}
      {error && (
        <p class="err block" role="alert">
          {error}
        </p>
      )}
      {lines && (
        <ul class="card results small" data-testid={testIds.results}>
          {lines.map((l) => (
            <li key={l.id} class={l.ok ? 'ok-line' : 'err'} data-testid={testIds.result} data-ok={String(l.ok)} data-id={l.id}>
              {l.ok ? '✓' : '✗'} {l.label}
              {!l.ok && l.why && ` — ${l.why}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
