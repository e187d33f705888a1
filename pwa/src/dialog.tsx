import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n';
import { createStore, useStores } from './store';

/** One question the app asks before an action that cannot be undone (publish, close, log out). */
export interface Ask {
  title: string;
  body?: string;
  /** The label of the confirming button (says what it does: 发布, 退出登录…). */
  confirm: string;
  danger?: boolean;
}

interface Pending extends Ask {
  answer: (ok: boolean) => void;
}

const pending = createStore<Pending | null>(null);

/** Ask in an in-app dialog (not the browser's bare confirm()); resolves true when confirmed. */
export function ask(question: Ask): Promise<boolean> {
  pending.get()?.answer(false);
  return new Promise((resolve) => {
    pending.set({
      ...question,
      answer: (ok) => {
        pending.set(null);
        resolve(ok);
      },
    });
  });
}

/** Rendered once by the shell: a modal <dialog> (focus kept inside, Esc cancels). */
export function DialogHost() {
  useStores(pending);
  const p = pending.get();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (p && d && !d.open) d.showModal?.();
  }, [p]);
  if (!p) return null;
  return (
    <dialog
      ref={ref}
      class="ask"
      aria-labelledby="ask-title"
      aria-describedby={p.body ? 'ask-body' : undefined}
      data-testid="ask-dialog"
      onCancel={(e) => {
        e.preventDefault();
        p.answer(false);
      }}
    >
      <h2 id="ask-title">{p.title}</h2>
      {p.body && (
        <p id="ask-body" data-testid="ask-body">
          {p.body}
        </p>
      )}
      <div class="actions end">
        <button class="btn" onClick={() => p.answer(false)} data-testid="ask-cancel" autoFocus>
          {t('ask.cancel')}
        </button>
        <button class={p.danger ? 'btn danger-fill' : 'btn primary'} onClick={() => p.answer(true)} data-testid="ask-confirm">
          {p.confirm}
        </button>
      </div>
    </dialog>
  );
}
