import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText, type FieldError, type Schema } from '../../api';
import { lang } from '../../i18n';
import { fenToInput, parseYuan, yuan } from '../../money';
import { online } from '../../net';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { formatDateTime, localDate } from '../../time';
import { loadDivisions, pickCounty, type Division } from '../geography/places';
import '../geography/geography.css';
import { ct, type ConsoleKey } from '../i18n';

/** The year's settings as `GET /api/policy/{county}/{year}` answers them. */
export type PolicyOut = Schema<'PolicyOut'>;

type Form = Record<FieldName, string>;
type FieldName =
  | 'subsidy_daily'
  | 'round_trips_per_month'
  | 'car_per_km'
  | 'road_factor'
  | 'leave_limit_days'
  | 'min_days_month'
  | 'min_days_year'
  | 'survey_repeat_days'
  | 'note';

/** field → (unit key, whole-number bounds); money fields are yuan typed, fen stored. */
const WHOLE: Partial<Record<FieldName, [number, number]>> = {
  round_trips_per_month: [0, 31],
  leave_limit_days: [0, 90],
  min_days_month: [0, 31],
  min_days_year: [0, 366],
  survey_repeat_days: [0, 366],
};
const UNITS: Record<FieldName, ConsoleKey | null> = {
  subsidy_daily: 'console.policy.unit.yuanDay',
  round_trips_per_month: 'console.policy.unit.tripsMonth',
  car_per_km: 'console.policy.unit.yuanKm',
  road_factor: 'console.policy.unit.times',
  leave_limit_days: 'console.policy.unit.days',
  min_days_month: 'console.policy.unit.daysMonth',
  min_days_year: 'console.policy.unit.daysYear',
  survey_repeat_days: 'console.policy.unit.days',
  note: null,
};
const ORDER: FieldName[] = [
  'subsidy_daily',
  'round_trips_per_month',
  'car_per_km',
  'road_factor',
  'leave_limit_days',
  'min_days_month',
  'min_days_year',
  'survey_repeat_days',
];
/** The wire's name of each form field (server errors name these). */
const WIRE: Record<FieldName, string> = {
  subsidy_daily: 'subsidy_daily_fen',
  round_trips_per_month: 'round_trips_per_month',
  car_per_km: 'car_fen_per_km',
  road_factor: 'road_factor',
  leave_limit_days: 'leave_limit_days',
  min_days_month: 'min_days_month',
  min_days_year: 'min_days_year',
  survey_repeat_days: 'survey_repeat_days',
  note: 'note',
};

function toForm(p: PolicyOut): Form {
  return {
    subsidy_daily: fenToInput(p.subsidy_daily_fen),
    round_trips_per_month: String(p.round_trips_per_month),
    car_per_km: fenToInput(p.car_fen_per_km),
    road_factor: String(p.road_factor),
    leave_limit_days: String(p.leave_limit_days),
    min_days_month: String(p.min_days_month),
    min_days_year: String(p.min_days_year),
    survey_repeat_days: String(p.survey_repeat_days),
    note: '',
  };
}

/** The form as the wire wants it, or every field's problem (nothing is sent then). */
export function readForm(f: Form): { body: Record<string, unknown> } | { errors: Partial<Record<FieldName, string>> } {
  const errors: Partial<Record<FieldName, string>> = {};
  const body: Record<string, unknown> = { note: f.note.trim() };
  const subsidy = parseYuan(f.subsidy_daily);
  if (subsidy === null || subsidy > 100_000) errors.subsidy_daily = ct('console.policy.err.yuan', { max: '1000' });
  else body.subsidy_daily_fen = subsidy;
  const car = parseYuan(f.car_per_km);
  if (car === null || car > 10_000) errors.car_per_km = ct('console.policy.err.yuan', { max: '100' });
  else body.car_fen_per_km = car;
  const k = f.road_factor.trim();
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(k) || Number(k) < 1 || Number(k) > 10) errors.road_factor = ct('console.policy.err.factor');
  else body.road_factor = k;
  for (const [name, [lo, hi]] of Object.entries(WHOLE) as [FieldName, [number, number]][]) {
    const v = f[name].trim();
    if (!/^\d{1,3}$/.test(v) || Number(v) < lo || Number(v) > hi) errors[name] = ct('console.policy.err.whole', { lo, hi });
    else body[WIRE[name]] = Number(v);
  }
  if (f.note.length > 500) errors.note = ct('console.policy.err.note');
  return Object.keys(errors).length ? { errors } : { body };
}

function thisYear(): number {
  return Number(localDate().slice(0, 4));
}

/** 年度政策: the county's settings for a year, their versions, and the rule about approved claims. */
export default function Policy({ user }: ViewProps) {
  useStores(lang, online);
  const admin = user.roles.includes('county_admin');
  const [divisions, setDivisions] = useState<Division[] | null>(null);
  const [year, setYear] = useState(thisYear());
  const [current, setCurrent] = useState<PolicyOut | null>(null);
  const [history, setHistory] = useState<PolicyOut[]>([]);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [msg, setMsg] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [n, setN] = useState(0);
  const isOnline = online.get();
  const county = divisions ? pickCounty(divisions, null) : null;

  useEffect(() => {
    if (!isOnline) return;
    loadDivisions().then(setDivisions, (err) => setMsg({ ok: false, text: errorText(err) }));
  }, [isOnline]);
  useEffect(() => {
    if (!isOnline || !county) return;
    let live = true;
    Promise.all([api<PolicyOut>(`/policy/${county}/${year}`), api<PolicyOut[]>(`/policy/${county}/${year}/history`)]).then(
      ([p, h]) => {
        if (!live) return;
        setCurrent(p);
        setHistory(h);
        setForm(toForm(p));
        setErrors({});
      },
      (err) => live && setMsg({ ok: false, text: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [isOnline, county, year, n]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!form || !current || !county) return;
    setMsg(null);
    const read = readForm(form);
    if ('errors' in read) {
      setErrors(read.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await api<PolicyOut>(`/policy/${county}/${year}`, { method: 'PUT', json: { ...read.body, version: current.version } });
      setMsg({ ok: true, text: ct('console.policy.saved', { version: saved.version }) });
      setN((x) => x + 1);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setMsg({ ok: false, text: ct('console.policy.conflict') });
      else {
        const fieldErrors: Partial<Record<FieldName, string>> = {};
        for (const fe of err instanceof ApiError ? err.errors : ([] as FieldError[])) {
          const name = (Object.keys(WIRE) as FieldName[]).find((k) => fe.field === WIRE[k] || fe.field.endsWith(`.${WIRE[k]}`));
          if (name) fieldErrors[name] = fe.message;
        }
        setErrors(fieldErrors);
        setMsg({ ok: false, text: errorText(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const l = lang.get();
  const years = [thisYear() - 1, thisYear(), thisYear() + 1];
  return (
    <section data-testid="console-policy">
      <div class="row">
        <h1>{ct('console.nav.policy')}</h1>
        <select class="inline" value={String(year)} onChange={(e) => setYear(Number((e.currentTarget as HTMLSelectElement).value))} aria-label={ct('console.policy.year')} data-testid="policy-year">
          {years.map((y) => (
            <option value={String(y)}>{ct('console.policy.yearN', { year: y })}</option>
          ))}
        </select>
      </div>
      <p class="card policy-rule" data-testid="policy-rule">
        {ct('console.policy.rule')}
      </p>
      {current && (
        <p class="small muted" data-testid="policy-version" data-version={current.version}>
          {current.version === 0
            ? ct('console.policy.defaults')
            : ct('console.policy.inForce', {
                version: current.version,
                at: current.changed_at ? formatDateTime(current.changed_at, l) : '',
                by: current.changed_by_name ?? '',
              })}
        </p>
      )}
      {form && (
        <form class="card" onSubmit={save} noValidate data-testid="policy-form">
          <div class="policy-form">
            {ORDER.map((name) => (
              <label class="field" key={name}>
                <span>{ct(`console.policy.f.${name}` as ConsoleKey)}</span>
                <span class="unit-input">
                  <input
                    inputMode={name === 'subsidy_daily' || name === 'car_per_km' || name === 'road_factor' ? 'decimal' : 'numeric'}
                    value={form[name]}
                    disabled={!admin}
                    onInput={(e) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value })}
                    aria-invalid={errors[name] ? 'true' : undefined}
                    data-testid={`policy-${name}`}
                  />
                  {UNITS[name] && <span class="unit">{ct(UNITS[name]!)}</span>}
                </span>
                <small class="muted">{ct(`console.policy.h.${name}` as ConsoleKey)}</small>
                {errors[name] && (
                  <small class="err" data-testid={`policy-error-${name}`}>
                    {errors[name]}
                  </small>
                )}
              </label>
            ))}
          </div>
          {admin && (
            <>
              <label class="field">
                <span>{ct('console.policy.f.note')}</span>
                <input value={form.note} maxLength={500} onInput={(e) => setForm({ ...form, note: (e.currentTarget as HTMLInputElement).value })} placeholder={ct('console.policy.notePlaceholder')} data-testid="policy-note" />
                {errors.note && <small class="err">{errors.note}</small>}
              </label>
              <button class="btn primary" disabled={busy || !isOnline} data-testid="policy-save">
                {ct('console.policy.save')}
              </button>
            </>
          )}
          {!admin && <p class="small muted">{ct('console.policy.readOnly')}</p>}
          {msg && (
            <p class={msg.ok ? 'small ok-text' : 'err block'} role="status" data-testid="policy-message">
              {msg.text}
            </p>
          )}
        </form>
      )}
      {!form && msg && <p class="err block">{msg.text}</p>}
      <div class="card">
        <h2>{ct('console.policy.history')}</h2>
        {history.length === 0 ? (
          <p class="muted small" data-testid="policy-history-empty">{ct('console.policy.noHistory')}</p>
        ) : (
          <>
            <p class="small muted scroll-hint">{ct('console.geography.scrollHint')}</p>
            <div class="table-wrap scroll-cue">
              <table class="data" data-testid="policy-history">
                <thead>
                  <tr>
                    <th class="sticky">{ct('console.policy.version')}</th>
                    <th>{ct('console.policy.savedAt')}</th>
                    <th>{ct('console.policy.by')}</th>
                    <th class="num">{ct('console.policy.f.subsidy_daily')}</th>
                    <th class="num">{ct('console.policy.f.round_trips_per_month')}</th>
                    <th class="num">{ct('console.policy.f.car_per_km')}</th>
                    <th class="num">K</th>
                    <th class="num">{ct('console.policy.f.leave_limit_days')}</th>
                    <th class="num">{ct('console.policy.f.min_days_month')}</th>
                    <th class="num">{ct('console.policy.f.min_days_year')}</th>
                    <th>{ct('console.policy.f.note')}</th>
                  </tr>
                </thead>
                <tbody>
                  {history.map((h) => (
                    <tr key={h.version} data-testid="policy-history-row" data-version={h.version}>
                      <th class="sticky" scope="row">
                        v{h.version}
                      </th>
                      <td>{h.changed_at ? formatDateTime(h.changed_at, l) : ''}</td>
                      <td>{h.changed_by_name}</td>
                      <td class="num">{yuan(h.subsidy_daily_fen)}</td>
                      <td class="num">{h.round_trips_per_month}</td>
                      <td class="num">{yuan(h.car_fen_per_km)}</td>
                      <td class="num">{h.road_factor}</td>
                      <td class="num">{h.leave_limit_days}</td>
                      <td class="num">{h.min_days_month}</td>
                      <td class="num">{h.min_days_year}</td>
                      <td>{h.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </section>
  );
}
