import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';

type Loader<P> = () => Promise<{ default: ComponentType<P> }>;
/** Any screen's loader, whatever its props. */
export type ScreenLoader = () => Promise<{ default: unknown }>;

const loaded = new Map<Loader<never>, ComponentType<never>>();

/**
 * Fetch a screen's chunk now, before anything renders it: the app starts with the first
 * screen's chunk already here, so it shows in the first frame instead of after a "loading" one.
 */
export function preload(load: ScreenLoader): Promise<void> {
  const key = load as Loader<never>;
  if (loaded.has(key)) return Promise.resolve();
  return load().then(
    (m) => void loaded.set(key, m.default as ComponentType<never>),
    () => undefined, // the screen shows its own retry
  );
}

/** Render a screen from its own chunk, loading it on first use. */
export function Lazy<P extends object>({ load, props }: { load: Loader<P>; props: P }) {
  const [Comp, setComp] = useState<ComponentType<P> | undefined>(
    () => loaded.get(load as Loader<never>) as ComponentType<P> | undefined,
  );
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const known = loaded.get(load as Loader<never>) as ComponentType<P> | undefined;
    if (known) {
      setComp(() => known);
      return;
    }
    let live = true;
    setComp(undefined);
    setFailed(false);
    load().then(
      (m) => {
        loaded.set(load as Loader<never>, m.default as ComponentType<never>);
        if (live) setComp(() => m.default);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [load, attempt]);

  if (failed) {
    return (
      <div class="empty" role="alert">
        <p>{t('app.loadFailed')}</p>
        <button class="btn" onClick={() => setAttempt((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </div>
    );
  }
  if (!Comp) return <p class="muted loading">{t('app.loading')}</p>;
  return <Comp {...props} />;
}
