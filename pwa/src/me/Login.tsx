import { useState } from 'preact/hooks';
import { ApiError, errorText } from '../api';
import { changePassword, login, requestPersistence, session } from '../auth';
import { LANGS, lang, setLang, t } from '../i18n';
import { online } from '../net';
import { go } from '../router';
import { visibleViews } from '../routes';
import { useStores } from '../store';

/** After a login with a temporary password: choose one's own before anything else. */
function ChangeTemporary({ typed }: { typed: string }) {
  const [current, setCurrent] = useState(typed);
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (next !== again) {
      setError(t('login.change.mismatch'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await changePassword(typed || current, next);
      const user = session.get()?.user;
      go(user ? visibleViews(user)[0]?.name ?? 'settings' : 'settings');
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) =>
    error instanceof ApiError ? error.errors.find((f) => f.field.endsWith(name))?.message : undefined;

  return (
    <form class="card login" onSubmit={submit} noValidate data-testid="change-temporary">
      <h1>{t('login.change.title')}</h1>
      <p>{t('login.change.hint')}</p>
      {!typed && (
        <label class="field">
          <span>{t('login.change.current')}</span>
          <input type="password" autoComplete="current-password" value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)} data-testid="change-current" />
          {fieldError('current_password') && <small class="err">{fieldError('current_password')}</small>}
        </label>
      )}
      <label class="field">
        <span>{t('login.change.new')}</span>
        <input type="password" autoComplete="new-password" value={next}
          onInput={(e) => setNext(e.currentTarget.value)} data-testid="change-new" />
        {fieldError('new_password') && <small class="err">{fieldError('new_password')}</small>}
      </label>
      <label class="field">
        <span>{t('login.change.repeat')}</span>
        <input type="password" autoComplete="new-password" value={again}
          onInput={(e) => setAgain(e.currentTarget.value)} data-testid="change-repeat" />
      </label>
      {error && (
        <p class="err block" role="alert" data-testid="change-error">
          {errorText(error)}
        </p>
      )}
      <button class="btn primary wide" type="submit" disabled={busy || !next} data-testid="change-submit">
        {t('login.change.submit')}
      </button>
    </form>
  );
}

export default function Login() {
  useStores(online, lang, session);
  const previous = session.get();
  const [typed, setTyped] = useState('');
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
      if (session.get()?.must_change_password) {
        setTyped(password);
        return;
      }
      go(visibleViews(user)[0]?.name ?? 'settings');
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) =>
    error instanceof ApiError ? error.errors.find((f) => f.field.endsWith(name))?.message : undefined;

  if (previous?.must_change_password && !previous.needs_login) return <ChangeTemporary typed={typed} />;

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
          {errorText(error)}
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
