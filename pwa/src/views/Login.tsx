import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { login, requestPersistence, session } from '../auth';
import { LANGS, lang, setLang, t } from '../i18n';
import { online } from '../net';
import { go } from '../router';
import { visibleViews } from '../routes';
import { useStores } from '../store';

export default function Login() {
  useStores(online, lang);
  const previous = session.get();
  const [phone, setPhone] = useState(previous?.user.phone ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!phone.trim() || !password) {
      setError(t('login.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await login(phone.trim(), password);
      void requestPersistence();
      go(visibleViews(user)[0]?.name ?? 'settings');
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) =>
    error instanceof ApiError ? error.errors.find((f) => f.field.endsWith(name))?.message : undefined;

  return (
    <form class="card login" onSubmit={submit} noValidate>
      <h1>{t('login.title')}</h1>
      {!online.get() && <p class="banner warn">{t('login.offline')}</p>}
      <label class="field">
        <span>{t('login.phone')}</span>
        <input
          type="tel"
          inputMode="tel"
          autoComplete="username"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
          data-testid="login-phone"
          required
        />
        {fieldError('phone') && <small class="err">{fieldError('phone')}</small>}
      </label>
      <label class="field">
        <span>{t('login.password')}</span>
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          data-testid="login-password"
          required
        />
        {fieldError('password') && <small class="err">{fieldError('password')}</small>}
      </label>
      {error && (
        <p class="err block" role="alert" data-testid="login-error">
          {typeof error === 'string' ? error : error.display}
        </p>
      )}
      <button class="btn primary wide" type="submit" disabled={busy} data-testid="login-submit">
        {busy ? t('login.submitting') : t('login.submit')}
      </button>
      <div class="langs">
        {LANGS.map((l) => (
          <button
            type="button"
            class={l === lang.get() ? 'link active' : 'link'}
            onClick={() => setLang(l)}
            data-testid={`login-lang-${l}`}
          >
            {l === 'zh' ? '中文' : 'English'}
          </button>
        ))}
      </div>
    </form>
  );
}
