import { render } from 'preact';
import { App } from './app';
import { refreshMe } from './auth';
import { lang, setLang } from './i18n';
import { startSync } from './sync';
import { registerServiceWorker } from './swreg';
import { watchTables } from './tables';
import './styles.css';

setLang(lang.get());
const root = document.getElementById('app')!;
render(<App />, root);
watchTables(root);
startSync();
void refreshMe();
registerServiceWorker();
