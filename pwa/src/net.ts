import { createStore } from './store';

/** The browser's idea of connectivity: a hint for the UI; sync never trusts it alone. */
export const online = createStore(typeof navigator === 'undefined' ? true : navigator.onLine);

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => online.set(true));
  window.addEventListener('offline', () => online.set(false));
}
