import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';

type Loader<P> = () => Promise<{ default: ComponentType<P> }>;

const loaded = new Map<Loader<never>, ComponentType<never>>();

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
