import { useEffect, useReducer } from 'preact/hooks';

/** A value that views can watch; the whole of the app's shared state is a few of these. */
export interface Store<T> {
  get(): T;
  set(next: T): void;
  update(fn: (prev: T) => T): void;
  subscribe(fn: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const subs = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const fn of [...subs]) fn();
    },
    update(fn) {
      this.set(fn(value));
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** Re-render the calling component whenever one of the stores changes. */
export function useStores(...stores: Store<unknown>[]): void {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const offs = stores.map((s) => s.subscribe(() => force(undefined)));
    return () => offs.forEach((off) => off());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, stores);
}

export function useStore<T>(store: Store<T>): T {
  useStores(store as Store<unknown>);
  return store.get();
}
