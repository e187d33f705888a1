import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText } from '../../api';
import type { User } from '../../auth';
import { download } from '../../dashboard/dashboard';
import { lang } from '../../i18n';
import { online } from '../../net';
import { href } from '../../router';
import { useStores } from '../../store';
import { ct } from '../i18n';
import { tierLabel } from './EligibilityList';
import {
  capBound,
  decide,
  fetchNominations,
  fetchRun,
  fetchSeats,
  finalXlsxPath,
  inLang,
  openPrintable,
  publishRun,
  unitPrintPath,
  unitXlsxPath,
  type Nomination,
  type Run,
  type UnitSeats,
} from './model';


/** The county's view of one run: the explanation table, publishing, then every unit's nominations. */
export default function RunAdmin({ user, runId }: { user: User; runId: string }) {
  useStores(lang, online);
  const [run, setRun] = useState<Run | null | undefined>(undefined);
  const [seats, setSeats] = useState<UnitSeats[]>([]);
  const [noms, setNoms] = useState<Nomination[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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
        if (r?.state === 'published') {
          const [s, n] = await Promise.all([fetchSeats(user.id, runId), fetchNominations(user.id, runId)]);
          if (live) (setSeats(s), setNoms(n));
        }
      } catch (err) {
        if (live) setError(errorText(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [user.id, runId, isOnline, reload]);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setReload((n) => n + 1);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const publish = () => {
    if (run && window.confirm(ct('console.commendation.publishConfirm'))) void act(() => publishRun(user.id, run));
  };

  if (run === undefined) return error ? <p class="err block">{error}</p> : <p class="muted">{ct('console.commendation.loading')}</p>;
  if (run === null) return <p class="err block">{errorText(new ApiError({ status: 404, title: '404' }))}</p>;
  const l = lang.get();
  const kind = ct(`console.commendation.kind.${run.kind}`);

  return (
    <div data-testid="comm-run-admin" data-state={run.state}>
      <a class="link" href={href('console', 'commendation', 'runs')}>
        {ct('console.commendation.back')}
      </a>
      <div class="card">
        <div class="row">
          <h2>{ct('console.commendation.runTitle', { year: run.year, kind })}</h2>
          <span class={run.state === 'published' ? 'status s-applied' : 'status s-pending'} data-testid="comm-run-state">
            {ct(`console.commendation.state.${run.state}`)}
          </span>
        </div>
        <p data-testid="comm-run-summary" data-target={run.total_target} data-given={run.total_given}>
          <strong>{ct('console.commendation.runSummary', { target: run.total_target, given: run.total_given })}</strong>
        </p>
        <p class="small">{inLang(run.note, l)}</p>
        <p class="small muted">{run.state === 'draft' ? ct('console.commendation.draftNote') : ct('console.commendation.publishedNote')}</p>
      </div>
      <div class="card">
        <h2>{ct('console.commendation.explain')}</h2>
        <p class="small muted">{ct('console.commendation.method')}</p>
        <ExplanationTable run={run} />
        {run.state === 'draft' && (
          <button class="btn primary wide" onClick={publish} disabled={busy || !isOnline} data-testid="comm-publish">
            {ct('console.commendation.publish')}
          </button>
        )}
      </div>
      {error && (
        <p class="err block" role="alert">
          {error}
        </p>
      )}
      {run.state === 'published' && (
        <>
          <NominationsTable user={user} seats={seats} noms={noms} busy={busy} onDecide={(n, accept) => act(() => decide(user.id, n.id, accept))} />
          <div class="card" data-testid="comm-downloads">
            <h2>{ct('console.commendation.downloads')}</h2>
            <div class="actions">
              <button class="btn" onClick={() => act(() => download(user.id, finalXlsxPath(run.id), `final-${run.year}-${run.kind}.xlsx`))} data-testid="comm-final-xlsx">
                {ct('console.commendation.finalXlsx')}
              </button>
            </div>
            {seats.map((u) => (
              <div class="actions" key={u.code}>
                <button class="btn small" onClick={() => act(() => download(user.id, unitXlsxPath(u.code, run.year), `dossiers-${u.code}-${run.year}.xlsx`))} data-testid={`comm-unit-xlsx-${u.code}`}>
                  {ct('console.commendation.unitXlsx', { name: u.name })}
                </button>
                <button class="btn small" onClick={() => act(() => openPrintable(user.id, unitPrintPath(u.code, run.year)))} data-testid={`comm-unit-print-${u.code}`}>
                  {ct('console.commendation.unitPrint', { name: u.name })}
                </button>
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function ExplanationTable({ run }: { run: Run }) {
  const l = lang.get();
  const eligible = run.table.reduce((s, r) => s + r.eligible, 0);
  const seats = run.table.reduce((s, r) => s + r.seats, 0);
  const c = (k: string) => ct(`console.commendation.col.${k}` as Parameters<typeof ct>[0]);
  return (
    <table class="ctable" data-testid="comm-explain">
      <thead>
        <tr>
          <th>{c('unit')}</th>
          <th>{c('tier')}</th>
          <th class="num">{c('eligibleN')}</th>
          <th class="num">{c('weight')}</th>
          <th class="num">{c('share')}</th>
          <th class="num">{c('quotient')}</th>
          <th class="num">{c('seats')}</th>
          <th>{c('why')}</th>
        </tr>
      </thead>
      <tbody>
        {run.table.map((r) => (
          <tr key={r.code} data-testid="comm-explain-row" data-code={r.code} data-seats={r.seats} data-capped={String(capBound(r))}>
            <td class="lead">{r.name}</td>
            <td data-label={c('tier')}>{tierLabel(r.tier)}</td>
            <td class="num" data-label={c('eligibleN')}>
              {r.eligible}
            </td>
            <td class="num" data-label={c('weight')}>
              {r.weight}
            </td>
            <td class="num" data-label={c('share')}>
              {r.share}
            </td>
            <td class="num" data-label={c('quotient')}>
              {r.quotient}
            </td>
            <td class="num" data-label={c('seats')}>
              <strong data-testid="comm-seats">{r.seats}</strong>
            </td>
            <td class="why" data-label={c('why')}>
              {inLang(r.why, l)}
              {capBound(r) && (
                <>
                  <br />
                  <span class="cap">{ct('console.commendation.capped')}</span>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td class="lead">{ct('console.commendation.totalRow')}</td>
          <td />
          <td class="num" data-label={c('eligibleN')}>
            {eligible}
          </td>
          <td />
          <td />
          <td />
          <td class="num" data-label={c('seats')}>
            {seats}
          </td>
          <td />
        </tr>
      </tfoot>
    </table>
  );
}

function NominationsTable({
  seats,
  noms,
  busy,
  onDecide,
}: {
  user: User;
  seats: UnitSeats[];
  noms: Nomination[];
  busy: boolean;
  onDecide: (n: Nomination, accept: boolean) => void;
}) {
  const c = (k: string) => ct(`console.commendation.col.${k}` as Parameters<typeof ct>[0]);
  return (
    <div class="card" data-testid="comm-nominations">
      <h2>{ct('console.commendation.nominations')}</h2>
      <table class="ctable">
        <thead>
          <tr>
            <th>{c('unit')}</th>
            <th>{c('cadre')}</th>
            <th>{c('state')}</th>
            <th>{c('decide')}</th>
          </tr>
        </thead>
        <tbody>
          {seats.map((u) => {
            const mine = noms.filter((n) => n.unit_code === u.code);
            const unitCell = (
              <td class="lead" data-testid="comm-unit-cell">
                {u.name}
                <div class="small muted" data-testid={`comm-unit-seats-${u.code}`} data-seats={u.seats} data-nominated={u.nominated} data-accepted={u.accepted}>
                  {ct('console.commendation.seatsOf', { seats: u.seats, n: u.nominated, a: u.accepted })}
                </div>
              </td>
            );
            if (!mine.length)
              return (
                <tr key={u.code} data-unit={u.code}>
                  {unitCell}
                  <td data-label={c('cadre')} class="muted">
                    {ct('console.commendation.noNominations')}
                  </td>
                  <td />
                  <td />
                </tr>
              );
            return mine.map((n) => (
              <tr key={n.id} data-testid="comm-nomination" data-unit={u.code} data-name={n.name} data-state={n.state}>
                {unitCell}
                <td data-label={c('cadre')}>{n.name}</td>
                <td data-label={c('state')}>
                  <span class={`status ${n.state === 'accepted' ? 's-applied' : n.state === 'declined' ? 's-rejected' : 's-pending'}`} data-testid="comm-nom-state">
                    {ct(`console.commendation.nomState.${n.state}`)}
                  </span>
                </td>
                <td data-label={c('decide')}>
                  {n.state === 'nominated' && (
                    <span class="actions" style="margin-top:0">
                      <button class="btn small primary" disabled={busy} onClick={() => onDecide(n, true)} data-testid="comm-accept">
                        {ct('console.commendation.accept')}
                      </button>
                      <button class="btn small" disabled={busy} onClick={() => onDecide(n, false)} data-testid="comm-decline">
                        {ct('console.commendation.decline')}
                      </button>
                    </span>
                  )}
                </td>
              </tr>
            ));
          })}
        </tbody>
      </table>
    </div>
  );
}
