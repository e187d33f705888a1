import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../../api';
import type { User } from '../../auth';
import { lang } from '../../i18n';
import { online } from '../../net';
import { go, href } from '../../router';
import { useStores } from '../../store';
import { ct } from '../i18n';
import { tierLabel, YearField } from './EligibilityList';
import { createRun, defaultYear, fetchRuns, TIERS, type Run, type Tier } from './model';


const DEFAULT_RATIOS: Record<Tier, string> = { deep: '30', key: '25', ordinary: '20' };
const DEFAULT_WEIGHTS: Record<Tier, string> = { deep: '1.5', key: '1.2', ordinary: '1' };

/** Percent text → a decimal fraction as text ("30" → "0.3"), exactly, or null when invalid. */
export function percentToRatio(text: string): string | null {
  const t = text.trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t) || Number(t) > 100) return null;
  const [whole, frac = ''] = t.split('.');
  const digits = (whole + frac.padEnd(2, '0')).padStart(5, '0'); // hundredths of a percent
  const value = `${digits.slice(0, -4)}.${digits.slice(-4)}`.replace(/^0+(?=\d)/, '');
  return value.replace(/\.?0+$/, '') || '0';
}

export function validWeight(text: string): boolean {
  const t = text.trim();
  return /^\d{1,3}(\.\d{1,3})?$/.test(t) && Number(t) <= 100;
}

/** 名额分配: the county calculates a run (a draft), looks at it, publishes; reviewers see published ones. */
export default function Runs({ user, admin }: { user: User; admin: boolean }) {
  useStores(lang, online);
  const [year, setYear] = useState(defaultYear());
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    setError(null);
    fetchRuns(user.id, admin ? year : undefined).then(
      (r) => live && setRuns([...r].reverse()),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [user.id, year, admin, isOnline]);

  return (
    <div data-testid="comm-runs">
      {admin && <NewRun user={user} year={year} onYear={setYear} />}
      <div class="card">
        <h2>{admin ? ct('console.commendation.runsOfYear', { year }) : ct('console.commendation.unitRuns')}</h2>
        {error && <p class="err block">{error}</p>}
        {runs && runs.length === 0 && <p class="muted">{admin ? ct('console.commendation.noRuns') : ct('console.commendation.noPublished')}</p>}
        {runs && runs.length > 0 && (
          <ul class="list compact">
            {runs.map((r) => (
              <li key={r.id} class="item" data-testid="comm-run" data-state={r.state} data-kind={r.kind}>
                <a class="item-button" href={href('console', 'commendation', 'run', r.id)}>
                  <div class="item-head">
                    <strong>{ct('console.commendation.runTitle', { year: r.year, kind: ct(`console.commendation.kind.${r.kind}`) })}</strong>
                    <span class={r.state === 'published' ? 'status s-applied' : 'status s-pending'}>{ct(`console.commendation.state.${r.state}`)}</span>
                  </div>
                  <div class="small muted">{ct('console.commendation.runSummary', { target: r.total_target, given: r.total_given })}</div>
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function NewRun({ user, year, onYear }: { user: User; year: number; onYear: (y: number) => void }) {
  const [kind, setKind] = useState<Run['kind']>('excellent');
  const [ratios, setRatios] = useState(DEFAULT_RATIOS);
  const [weights, setWeights] = useState(DEFAULT_WEIGHTS);
  const [total, setTotal] = useState('10');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError(null);
    let body: Parameters<typeof createRun>[1];
    if (kind === 'excellent') {
      const out = {} as Record<Tier, string>;
      for (const k of TIERS) {
        const r = percentToRatio(ratios[k]);
        if (r === null) return setError(ct('console.commendation.badRatio'));
        out[k] = r;
      }
      body = { year, kind, ratios: out };
    } else {
      if (TIERS.some((k) => !validWeight(weights[k]))) return setError(ct('console.commendation.badWeight'));
      const n = Number(total.trim());
      if (!/^\d+$/.test(total.trim()) || n < 1 || n > 100_000) return setError(ct('console.commendation.badTotal'));
      body = { year, kind, total: n, weights: Object.fromEntries(TIERS.map((k) => [k, weights[k].trim()])) as Record<Tier, string> };
    }
    setBusy(true);
    try {
      const run = await createRun(user.id, body);
      go('console', 'commendation', 'run', run.id);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const values = kind === 'excellent' ? ratios : weights;
  const setValue = (k: Tier, v: string) => (kind === 'excellent' ? setRatios({ ...ratios, [k]: v }) : setWeights({ ...weights, [k]: v }));
  return (
    <form class="card" onSubmit={submit} data-testid="comm-new-run">
      <h2>{ct('console.commendation.newRun')}</h2>
      <YearField year={year} onChange={onYear} />
      <fieldset class="field">
        <legend>{ct('console.commendation.kind')}</legend>
        <div class="segments">
          {(['excellent', 'commendation'] as const).map((k) => (
            <button key={k} type="button" class={kind === k ? 'seg on' : 'seg'} aria-pressed={kind === k} onClick={() => setKind(k)} data-testid={`comm-kind-${k}`}>
              {ct(`console.commendation.kind.${k}`)}
            </button>
          ))}
        </div>
      </fieldset>
      {kind === 'commendation' && (
        <label class="field">
          <span>{ct('console.commendation.total')}</span>
          <input type="number" inputMode="numeric" min={1} max={100000} step={1} value={total} onInput={(e) => setTotal(e.currentTarget.value)} data-testid="comm-total" />
        </label>
      )}
      <fieldset class="field">
        <legend>{kind === 'excellent' ? ct('console.commendation.ratios') : ct('console.commendation.weights')}</legend>
        <div class="tiers">
          {TIERS.map((k) => (
            <label key={k}>
              <span class="small">{tierLabel(k)}</span>
              <input inputMode="decimal" value={values[k]} onInput={(e) => setValue(k, e.currentTarget.value)} data-testid={`comm-weight-${k}`} />
            </label>
          ))}
        </div>
      </fieldset>
      {error && (
        <p class="err block" role="alert" data-testid="comm-run-error">
          {error}
        </p>
      )}
      <button class="btn primary wide" type="submit" disabled={busy} data-testid="comm-calculate">
        {ct('console.commendation.calculate')}
      </button>
    </form>
  );
}
