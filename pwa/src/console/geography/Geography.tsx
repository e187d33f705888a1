import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, errorText, type FieldError } from '../../api';
import { lang } from '../../i18n';
import { online } from '../../net';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { formatDate } from '../../time';
import { ct, type ConsoleKey } from '../i18n';
import { ImportPanel } from '../registers/ImportPanel';
import { FenceMap } from './FenceMap';
import { TIERS, loadDivisions, pickCounty, type Division, type Tier } from './places';
import './geography.css';

const LEVEL_KEYS: Record<string, ConsoleKey> = {
  county: 'console.geography.level.county',
  township: 'console.geography.level.township',
  village: 'console.geography.level.village',
};

function validity(d: Division): string {
  const l = lang.get();
  return d.valid_to
    ? ct('console.geography.validFromTo', { from: formatDate(d.valid_from, l), to: formatDate(d.valid_to, l) })
    : ct('console.geography.validFrom', { from: formatDate(d.valid_from, l) });
}

/** The county's tree in order: county, then each township followed by its villages. */
function treeOrder(all: Division[], county: string): Division[] {
  const mine = all.filter((d) => d.county_code === county);
  const out: Division[] = mine.filter((d) => d.level === 'county');
  const towns = mine.filter((d) => d.level === 'township');
  const villagesOf = (t: string) => mine.filter((d) => d.level === 'village' && d.parent_code === t);
  for (const t of towns) out.push(t, ...villagesOf(t.code));
  const placed = new Set(out.map((d) => d.code));
  out.push(...mine.filter((d) => !placed.has(d.code)));
  return out;
}

/** 区划与围栏: the tree with tiers and validity, the tier words, fences on a drawn map, import. */
export default function Geography({ user }: ViewProps) {
  useStores(lang, online);
  const admin = user.roles.includes('county_admin');
  const [all, setAll] = useState<Division[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [county, setCounty] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    loadDivisions().then(
      (rows) => live && (setAll(rows), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [isOnline, n]);

  const code = all ? pickCounty(all, county) : null;
  const rows = useMemo(() => (all && code ? treeOrder(all, code) : []), [all, code]);
  const countyRow = rows.find((d) => d.level === 'county') ?? null;
  const canEdit = admin && !!countyRow; // a reviewer reads; the county's admin edits
  const replace = (d: Division) => setAll((prev) => prev && prev.map((x) => (x.code === d.code ? d : x)));

  if (!isOnline && !all) return null; // the console says plainly that it needs the network
  return (
    <section class="console-geo" data-testid="console-geography">
      <div class="row">
        <h1>{ct('console.nav.geography')}</h1>
        {all && new Set(all.map((d) => d.county_code)).size > 1 && (
          <select class="inline" value={code ?? ''} onChange={(e) => setCounty((e.currentTarget as HTMLSelectElement).value)}>
            {all.filter((d) => d.level === 'county').map((d) => (
              <option value={d.code}>{d.name}</option>
            ))}
          </select>
        )}
      </div>
      {error && <p class="err block">{error}</p>}
      {!all && !error && <p class="muted">{ct('console.geography.loading')}</p>}
      {all && !admin && <p class="small muted" data-testid="geo-readonly">{ct('console.geography.readOnly')}</p>}
      {all && <DivisionTable rows={rows} canEdit={canEdit} onChanged={replace} />}
      {countyRow && canEdit && <TierLabels county={countyRow} onSaved={() => setN((x) => x + 1)} />}
      {all && code && <FenceMap villages={rows.filter((d) => d.level === 'village')} canEdit={canEdit} onSaved={replace} />}
      {canEdit && (
        <div class="card">
          <h2>{ct('console.geography.import')}</h2>
          <ImportPanel
            id="divisions"
            url="/geo/divisions/import"
            template={{ url: '/geo/divisions/template', file: '区划导入模板.xlsx' }}
            onDone={() => setN((x) => x + 1)}
          />
        </div>
      )}
    </section>
  );
}

function TierLabels({ county, onSaved }: { county: Division; onSaved: () => void }) {
  const start = county.tier_labels ?? { deep: '', key: '', ordinary: '' };
  const [labels, setLabels] = useState<Record<Tier, string>>(start);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setLabels(county.tier_labels ?? start), [county.code, JSON.stringify(county.tier_labels)]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      await api(`/geo/counties/${county.code}/tier-labels`, { method: 'PUT', json: labels });
      setErrors([]);
      setMsg(ct('console.geography.saved'));
      onSaved();
    } catch (err) {
      setErrors(err instanceof ApiError ? err.errors : []);
      setMsg(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={save} data-testid="tier-labels">
      <h2>{ct('console.geography.tierLabels')}</h2>
      <p class="small muted">{ct('console.geography.tierLabelsHint')}</p>
      <div class="geo-labels">
        {TIERS.map((t) => (
          <label class="field" key={t}>
            <span>{ct(`console.geography.tier.${t}` as ConsoleKey)}</span>
            <input
              value={labels[t]}
              maxLength={30}
              required
              onInput={(e) => setLabels({ ...labels, [t]: (e.currentTarget as HTMLInputElement).value })}
              data-testid={`tier-label-${t}`}
            />
            {errors.find((x) => x.field.endsWith(t)) && <small class="err">{errors.find((x) => x.field.endsWith(t))?.message}</small>}
          </label>
        ))}
      </div>
      <div class="row">
        <button class="btn primary small" disabled={busy} data-testid="tier-labels-save">
          {ct('console.geography.save')}
        </button>
        {msg && <span class="small" role="status">{msg}</span>}
      </div>
    </form>
  );
}

function DivisionTable({ rows, canEdit, onChanged }: { rows: Division[]; canEdit: boolean; onChanged: (d: Division) => void }) {
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const labels = rows.find((d) => d.level === 'county')?.tier_labels;
  const setTier = async (d: Division, tier: Tier) => {
    setFailure(null);
    setSaved(null);
    try {
      const next = await api<Division>(`/geo/divisions/${d.code}/tier`, { method: 'PATCH', json: { tier } });
      onChanged(next);
      setSaved(ct('console.geography.tierSaved', { name: d.name, tier: next.tier_label }));
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  if (!rows.length) return <p class="empty">{ct('console.geography.none')}</p>;
  return (
    <div class="card">
      <h2>{ct('console.geography.tree')}</h2>
      {failure && <p class="err block" role="alert">{failure}</p>}
      {saved && <p class="small ok-text" role="status" data-testid="tier-saved">{saved}</p>}
      <p class="small muted scroll-hint">{ct('console.geography.scrollHint')}</p>
      <div class="table-wrap scroll-cue">
        <table class="data geo-tree" data-testid="division-table">
          <thead>
            <tr>
              <th class="sticky">{ct('console.geography.name')}</th>
              <th>{ct('console.geography.code')}</th>
              <th>{ct('console.geography.level')}</th>
              <th>{ct('console.geography.tierCol')}</th>
              <th>{ct('console.geography.validity')}</th>
              <th>{ct('console.geography.fence')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.code} class={`lv-${d.level}`} data-testid="division-row" data-code={d.code} data-tier={d.tier}>
                <th class="sticky" scope="row">
                  {d.name}
                </th>
                <td>
                  <code>{d.code}</code>
                </td>
                <td>{LEVEL_KEYS[d.level] ? ct(LEVEL_KEYS[d.level]) : d.level}</td>
                <td>
                  {canEdit ? (
                    <select
                      class="inline"
                      value={d.tier}
                      aria-label={ct('console.geography.tierOf', { name: d.name })}
                      onChange={(e) => void setTier(d, (e.currentTarget as HTMLSelectElement).value as Tier)}
                      data-testid={`tier-select-${d.code}`}
                    >
                      {TIERS.map((t) => (
                        <option value={t}>{labels?.[t] ?? t}</option>
                      ))}
                    </select>
                  ) : (
                    <span data-testid="tier-label">{d.tier_label}</span>
                  )}
                </td>
                <td class="small">{validity(d)}</td>
                <td class="small">
                  {d.level !== 'village'
                    ? ''
                    : d.fence
                      ? ct('console.geography.fenceRadius', { m: d.fence.radius_m })
                      : ct('console.geography.noFence')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
