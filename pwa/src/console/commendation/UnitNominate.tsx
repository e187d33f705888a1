import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../../api';
import type { User } from '../../auth';
import { lang } from '../../i18n';
import { online } from '../../net';
import { href } from '../../router';
import { useStores } from '../../store';
import { ct, type ConsoleKey } from '../i18n';
import { tierLabel } from './EligibilityList';
import {
  dossierPrintPath,
  fetchDossier,
  fetchEligibility,
  fetchNominations,
  fetchRun,
  fetchSeats,
  nominate,
  openPrintable,
  seatsLeft,
  type Dossier,
  type Eligibility,
  type Nomination,
  type Run,
  type UnitSeats,
} from './model';


/** A township reviewer nominates within the unit's seats; the count left is always in view. */
export default function UnitNominate({ user, runId }: { user: User; runId: string }) {
  useStores(lang, online);
  const [run, setRun] = useState<Run | null | undefined>(undefined);
  const [units, setUnits] = useState<UnitSeats[]>([]);
  const [noms, setNoms] = useState<Nomination[]>([]);
  const [cands, setCands] = useState<Record<string, Eligibility[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    (async () => {
      try {
        const r = await fetchRun(user.id, runId);
        if (!live) return;
        setRun(r ?? null);
        if (!r) return;
        const [s, n] = await Promise.all([fetchSeats(user.id, runId), fetchNominations(user.id, runId)]);
        const lists = await Promise.all(s.map((u) => fetchEligibility(user.id, r.year, { township: u.code, eligible: 'true' })));
        if (!live) return;
        setUnits(s);
        setNoms(n);
        setCands(Object.fromEntries(s.map((u, i) => [u.code, lists[i]])));
      } catch (err) {
        if (live) setError(errorText(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [user.id, runId, isOnline, reload]);

  if (run === undefined) return error ? <p class="err block">{error}</p> : <p class="muted">{ct('console.commendation.loading')}</p>;
  if (run === null) return <p class="muted">{ct('console.commendation.noPublished')}</p>;
  return (
    <div data-testid="comm-unit">
      <a class="link" href={href('console', 'commendation', 'runs')}>
        {ct('console.commendation.back')}
      </a>
      <h2>{ct('console.commendation.runTitle', { year: run.year, kind: ct(`console.commendation.kind.${run.kind}`) })}</h2>
      {error && <p class="err block">{error}</p>}
      {units.map((u) => (
        <UnitPanel
          key={u.code}
          user={user}
          run={run}
          unit={u}
          noms={noms.filter((n) => n.unit_code === u.code)}
          cands={cands[u.code] ?? []}
          onChanged={() => setReload((n) => n + 1)}
        />
      ))}
    </div>
  );
}

function UnitPanel({
  user,
  run,
  unit,
  noms,
  cands,
  onChanged,
}: {
  user: User;
  run: Run;
  unit: UnitSeats;
  noms: Nomination[];
  cands: Eligibility[];
  onChanged: () => void;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const left = seatsLeft(unit, selected.length);
  const free = seatsLeft(unit, 0);
  const byCadre = new Map(noms.map((n) => [n.cadre_id, n]));

  const toggle = (id: string) => {
    setNotice(null);
    setError(null);
    setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await nominate(user.id, run.id, selected);
      setNotice(ct('console.commendation.nominatedOk', { n: selected.length }));
      setSelected([]);
      onChanged();
    } catch (err) {
      // The server is the judge of the seats (another reviewer may have nominated meanwhile).
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card" data-testid="comm-unit-panel" data-unit={unit.code}>
      <h2>
        {unit.name} <span class="tag">{tierLabel(unit.tier)}</span>
      </h2>
      <div
        class={left < 0 ? 'leftbar over' : 'leftbar'}
        role="status"
        aria-live="polite"
        data-testid="comm-left"
        data-seats={unit.seats}
        data-nominated={unit.nominated}
        data-left={free}
      >
        {ct('console.commendation.leftBar', { seats: unit.seats, n: unit.nominated, left: Math.max(left, 0) })}
        {left < 0 && (
          <div class="small" data-testid="comm-over-hint">
            {ct('console.commendation.over', { sel: selected.length, left: free })}
          </div>
        )}
      </div>
      <h3>{ct('console.commendation.candidates')}</h3>
      {cands.length === 0 && <p class="muted">{ct('console.commendation.noCandidates')}</p>}
      <ul class="list compact">
        {cands.map((e) => {
          const n = byCadre.get(e.cadre_id);
          const taken = n && n.state !== 'declined';
          return (
            <li key={e.cadre_id} class="item" data-testid="comm-cand" data-name={e.name} data-nominated={n ? n.state : ''}>
              <div class="cand">
                <label>
                  {!taken && (
                    <input type="checkbox" checked={selected.includes(e.cadre_id)} onChange={() => toggle(e.cadre_id)} data-testid="comm-cand-check" />
                  )}
                  <span>
                    <strong>{e.name}</strong>
                    <span class="small muted">
                      {' '}
                      {e.village_name} · {ct('console.commendation.daysValue', { c: e.confirmed_days, r: e.required_days })}
                    </span>
                  </span>
                </label>
                {n && <span class="status s-applied">{ct(`console.commendation.nomState.${n.state}` as ConsoleKey)}</span>}
                <button class="btn small" aria-expanded={open === e.cadre_id} onClick={() => setOpen(open === e.cadre_id ? null : e.cadre_id)} data-testid="comm-dossier-open">
                  {open === e.cadre_id ? ct('console.commendation.close') : ct('console.commendation.dossier')}
                </button>
              </div>
              {open === e.cadre_id && <DossierPanel user={user} cadreId={e.cadre_id} year={run.year} />}
            </li>
          );
        })}
      </ul>
      <div class="nominate-bar">
        {notice && (
          <p class="banner" role="status" data-testid="comm-nominate-ok">
            {notice}
          </p>
        )}
        {error && (
          <p class="err block" role="alert" data-testid="comm-nominate-error">
            {error}
          </p>
        )}
        <button class="btn primary wide" disabled={busy || selected.length === 0} onClick={submit} data-testid="comm-nominate">
          {ct('console.commendation.nominateBtn', { n: selected.length })}
        </button>
      </div>
    </div>
  );
}

function DossierPanel({ user, cadreId, year }: { user: User; cadreId: string; year: number }) {
  const [d, setD] = useState<Dossier | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fetchDossier(user.id, cadreId, year).then(
      (v) => live && setD(v),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [user.id, cadreId, year]);
  if (error) return <p class="err block">{error}</p>;
  if (!d) return <p class="muted">{ct('console.commendation.loading')}</p>;
  const e = d.eligibility;
  const logs = Object.entries(d.logs_by_kind)
    .map(([k, n]) => `${ct(`console.commendation.kindLog.${k}` as ConsoleKey)} ${n}`)
    .join(' · ');
  const leave = d.approved_leave.reduce((s, x) => s + x.days, 0);
  return (
    <div class="dossier" data-testid="comm-dossier">
      <dl>
        <dt>{ct('console.commendation.verdict')}</dt>
        <dd>{ct('console.commendation.d.days', { c: e.confirmed_days, r: e.required_days })}</dd>
        <dt>{ct('console.commendation.d.logs')}</dt>
        <dd>{logs || '—'}</dd>
        <dt>{ct('console.commendation.d.months')}</dt>
        <dd class="small">{Object.entries(d.confirmed_by_month).map(([m, n]) => `${m.slice(5)}: ${n}`).join(' · ') || '—'}</dd>
      </dl>
      <p class="small">
        {ct('console.commendation.d.households', { v: d.households_visited, n: d.households_in_village, p: d.coverage_percent })}
        <br />
        {ct('console.commendation.d.photos', { n: d.photos, f: d.flagged_logs })}
        <br />
        {ct('console.commendation.d.talks', { n: d.talks.length })} · {ct('console.commendation.d.leave', { n: leave })}
      </p>
      <button class="btn small" onClick={() => openPrintable(user.id, dossierPrintPath(cadreId, year)).catch((err) => setError(errorText(err)))} data-testid="comm-dossier-print">
        {ct('console.commendation.printDossier')}
      </button>
    </div>
  );
}
