import { render } from 'preact';
import { App } from './app';
import { refreshMe } from './auth';
import { lang, setLang } from './i18n';
import { startSync } from './sync';
import { registerServiceWorker } from './swreg';
import './styles.css';

setLang(lang.get());
render(<App />, document.getElementById('app')!);
startSync();
void refreshMe();
registerServiceWorker();
