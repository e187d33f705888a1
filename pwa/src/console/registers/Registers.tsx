import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorText, api, type Schema } from '../../api';
import { lang } from '../../i18n';
import { yuan } from '../../money';
import { online } from '../../net';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { formatDate } from '../../time';
import { loadDivisions, pageOf, pickCounty, type Division } from '../geography/places';
import '../geography/geography.css';
import { ct } from '../i18n';
import { ImportPanel } from './ImportPanel';

type Household = Schema<'HouseholdOut'>;

type InsurancePolicy = Schema<'InsurancePolicyOut'>;

const PAGE = 20;

function Pager({ page, pages, onPage, id }: { page: number; pages: number; onPage: (p: number) => void; id: string }) {
  if (pages <= 1) return null;
  return (
    <div class="pager" data-testid={`${id}-pager`}>
      <button type="button" class="btn small" disabled={page === 0} onClick={() => onPage(page - 1)} data-testid={`${id}-prev`}>
        {ct('console.registers.prev')}
      </button>
      <span class="small" data-testid={`${id}-page`}>
        {ct('console.registers.page', { page: page + 1, pages })}
      </span>
      <button type="button" class="btn small" disabled={page >= pages - 1} onClick={() => onPage(page + 1)} data-testid={`${id}-next`}>
        {ct('console.registers.next')}
      </button>
    </div>
  );
}

/** 登记与导入: household registers per village and the county's insurance policies. */
export default function Registers({ user, params }: ViewProps) {
  useStores(lang, online);
  const admin = user.roles.includes('county_admin');
  const tab = params[0] === 'policies' && admin ? 'policies' : 'households';
  const [divisions, setDivisions] = useState<Division[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    loadDivisions().then(setDivisions, (err) => setError(errorText(err)));
  }, [isOnline]);
  return (
    <section data-testid="console-registers">
      <h1>{ct('console.nav.registers')}</h1>
      <div class="chips reg-tabs" role="tablist">
        <a href="#/console/registers/households" role="tab" aria-selected={tab === 'households'} class={tab === 'households' ? 'chip on' : 'chip'} data-testid="reg-tab-households">
          {ct('console.registers.households')}
        </a>
        {admin && (
          <a href="#/console/registers/policies" role="tab" aria-selected={tab === 'policies'} class={tab === 'policies' ? 'chip on' : 'chip'} data-testid="reg-tab-policies">
            {ct('console.registers.policies')}
          </a>
        )}
      </div>
      {error && <p class="err block">{error}</p>}
      {divisions && tab === 'households' && <Households villages={divisions.filter((d) => d.level === 'village')} />}
      {divisions && tab === 'policies' && <Policies county={pickCounty(divisions, null)} villages={divisions} />}
    </section>
  );
}

function Households({ villages }: { villages: Division[] }) {
  const [code, setCode] = useState(villages[0]?.code ?? '');
  const [rows, setRows] = useState<Household[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!code) return;
    let live = true;
    setRows(null);
    api<Household[]>(`/fieldwork/villages/${code}/households`).then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [code, n]);
  const shown = useMemo(() => {
    const q = query.trim();
    return (rows ?? []).filter((h) => !q || h.name.includes(q) || h.external_id.includes(q) || h.group_name.includes(q));
  }, [rows, query]);
  const p = pageOf(shown, page, PAGE);
  if (!villages.length) return <p class="empty">{ct('console.geography.none')}</p>;
  return (
    <>
      <div class="card">
        <label class="field">
          <span>{ct('console.geography.village')}</span>
          <select value={code} onChange={(e) => (setCode((e.currentTarget as HTMLSelectElement).value), setPage(0))} data-testid="reg-village">
            {villages.map((v) => (
              <option value={v.code}>{v.name}</option>
            ))}
          </select>
        </label>
        <h2>{ct('console.registers.importHouseholds')}</h2>
        <ImportPanel
          key={code}
          id="households"
          url={`/fieldwork/villages/${code}/households/import`}
          template={{ url: '/fieldwork/villages/households/template', file: '农户登记导入模板.xlsx' }}
          onDone={() => setN((x) => x + 1)}
        />
      </div>
      <div class="card">
        <div class="row">
          <h2>{ct('console.registers.householdList', { count: rows?.length ?? 0 })}</h2>
          <input type="search" class="inline" placeholder={ct('console.registers.search')} value={query} onInput={(e) => (setQuery((e.currentTarget as HTMLInputElement).value), setPage(0))} data-testid="reg-search" />
        </div>
        {error && <p class="err block">{error}</p>}
        {rows && !shown.length && <p class="empty" data-testid="households-empty">{ct('console.registers.noHouseholds')}</p>}
        {shown.length > 0 && (
          <>
            <p class="small muted scroll-hint">{ct('console.geography.scrollHint')}</p>
            <div class="table-wrap scroll-cue">
              <table class="data" data-testid="households-table" data-count={rows?.length ?? 0}>
                <thead>
                  <tr>
                    <th class="sticky">{ct('console.registers.head')}</th>
                    <th>{ct('console.registers.externalId')}</th>
                    <th class="num">{ct('console.registers.members')}</th>
                    <th>{ct('console.registers.group')}</th>
                    <th>{ct('console.registers.tags')}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((h) => (
                    <tr key={h.id} data-testid="household-row" data-external-id={h.external_id}>
                      <th class="sticky" scope="row">
                        {h.name}
                      </th>
                      <td>{h.external_id}</td>
                      <td class="num">{h.members}</td>
                      <td>{h.group_name}</td>
                      <td>{h.tags.join('、')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={p.page} pages={p.pages} onPage={setPage} id="households" />
          </>
        )}
      </div>
    </>
  );
}

function Policies({ county, villages }: { county: string | null; villages: Division[] }) {
  const [rows, setRows] = useState<InsurancePolicy[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [n, setN] = useState(0);
  const names = useMemo(() => new Map(villages.map((v) => [v.code, v.name])), [villages]);
  useEffect(() => {
    let live = true;
    api<InsurancePolicy[]>('/insurance/policies').then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [n]);
  const l = lang.get();
  const p = pageOf(rows ?? [], page, PAGE);
  if (!county) return null;
  return (
    <>
      <div class="card">
        <h2>{ct('console.registers.importPolicies')}</h2>
        <ImportPanel
          id="policies"
          url={`/insurance/policies/import?county=${county}`}
          template={{ url: '/insurance/policies/template', file: '保单导入模板.xlsx' }}
          onDone={() => setN((x) => x + 1)}
        />
      </div>
      <div class="card">
        <h2>{ct('console.registers.policyList', { count: rows?.length ?? 0 })}</h2>
        {error && <p class="err block">{error}</p>}
        {rows && !rows.length && <p class="empty">{ct('console.registers.noPolicies')}</p>}
        {p.items.length > 0 && (
          <>
            <p class="small muted scroll-hint">{ct('console.geography.scrollHint')}</p>
            <div class="table-wrap scroll-cue">
              <table class="data" data-testid="policies-table" data-count={rows?.length ?? 0}>
                <thead>
                  <tr>
                    <th class="sticky">{ct('console.registers.cadre')}</th>
                    <th>{ct('console.geography.village')}</th>
                    <th>{ct('console.registers.insurer')}</th>
                    <th>{ct('console.registers.policyNumber')}</th>
                    <th class="num">{ct('console.registers.sum')}</th>
                    <th>{ct('console.registers.period')}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((x) => (
                    <tr key={x.id} data-testid="policy-row" data-number={x.policy_number}>
                      <th class="sticky" scope="row">
                        {x.cadre_name}
                      </th>
                      <td>{names.get(x.village_code) ?? x.village_code}</td>
                      <td>{x.insurer}</td>
                      <td>{x.policy_number}</td>
                      <td class="num">{yuan(x.sum_insured_fen)}</td>
                      <td>
                        {formatDate(x.start_date, l)} – {formatDate(x.end_date, l)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={p.page} pages={p.pages} onPage={setPage} id="policies" />
          </>
        )}
      </div>
    </>
  );
}
