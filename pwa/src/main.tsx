import { render } from 'preact';
import { App, currentScreen } from './app';
import { refreshMe } from './auth';
import { lang, shareLangWithWorker, showLang } from './i18n';
import { preload } from './lazy';
import { startSync } from './sync';
import { registerServiceWorker } from './swreg';
import { watchTables } from './tables';
import './styles.css';

const root = document.getElementById('app')!;
/** On a connection that stalls, the app shows its frame (and "loading") after this at most. */
const FIRST_SCREEN_WAIT_MS = 3000;

// The first screen's chunk and the language's catalogue are fetched at once (from the cache on
// a warm start), and the app renders with them in hand: the screen appears in the first frame.
const firstScreen = Promise.all([showLang(lang.get()), preload(currentScreen())]);
void Promise.race([firstScreen, new Promise((wait) => setTimeout(wait, FIRST_SCREEN_WAIT_MS))]).then(() => {
  render(<App />, root);
  watchTables(root);
  // Nothing else runs before that frame is painted: sync (its IndexedDB and pull), the check
  // of the user's roles, the service worker's registration and the language it keeps for push
  // notifications (a Cache API write) all wait for it.
  requestAnimationFrame(() =>
    setTimeout(() => {
      void firstScreen.then(shareLangWithWorker);
      startSync();
      void refreshMe();
      registerServiceWorker();
    }),
  );
});
