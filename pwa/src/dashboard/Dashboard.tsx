import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import {
  TIERS,
  TIER_COLOURS,
  download,
  exportPath,
  fetchDashboard,
  niceMax,
  projectVillages,
  spreadPoints,
  type Dashboard as Data,
  type Tier,
  type TrendPoint,
  type UnitRow,
} from './dashboard';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { addMonths, localMonth } from '../time';
import * as fmt from '../format';
import { kindLabel } from '../ui/common';

/** 数据看板: what was recorded, per township and village, sorted by code; no ranking. */
export default function Dashboard({ user }: ViewProps) {
  useStores(lang, online);
  const current = localMonth();
  const [month, setMonth] = useState(current);
  const [tier, setTier] = useState<Tier | ''>('');
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    setBusy(true);
    setError(null);
    fetchDashboard(user.id, month, tier).then(
      (d) => live && (setData(d), setBusy(false)),
      (err) => live && (setError(errorText(err)), setBusy(false)),
    );
    return () => {
      live = false;
    };
  }, [user.id, month, tier, isOnline]);

  const labels = tierLabels(data);
  const township = data?.scope.length === 9;

  return (
    <section class="dashboard" data-testid="dashboard" data-scope={data?.scope ?? ''}>
      <h1>{t('dash.title')}</h1>
      <div class="card filters">
        <div class="month-head">
          <button class="btn" onClick={() => setMonth(addMonths(month, -1))} aria-label={t('month.prev')} data-testid="dash-prev">
            ‹
          </button>
          <strong data-testid="dash-month">{fmt.month(month)}</strong>
          <button class="btn" onClick={() => setMonth(addMonths(month, 1))} disabled={month >= current} aria-label={t('month.next')} data-testid="dash-next">
            ›
          </button>
        </div>
        <label class="field">
          <span>{t('dash.tier')}</span>
          <select value={tier} onChange={(e) => setTier(e.currentTarget.value as Tier | '')} data-testid="dash-tier">
            <option value="">{t('dash.allTiers')}</option>
            {TIERS.map((k) => (
              <option value={k}>{labels[k]}</option>
            ))}
          </select>
        </label>
      </div>
      {!isOnline && <p class="banner warn">{t('dash.offline')}</p>}
      {error && <p class="err block">{error}</p>}
      {busy && !data && <p class="muted loading">{t('app.loading')}</p>}
      {data && (
        <div class={busy ? 'dash-body stale' : 'dash-body'}>
          <p class="small muted" data-testid="dash-scope">
            {township ? t('dash.scopeTownship', { name: data.townships[0]?.name ?? data.scope }) : t('dash.scopeCounty')}
            {' · '}
            {t('dash.counts', { t: data.townships.length, v: data.villages.length })}
          </p>
          <Totals row={data.totals} />
          <div class="card a-trend">
            <h2>{t('dash.trend')}</h2>
            <Trend points={data.trend} />
          </div>
          <div class="card a-map">
            <h2>{t('dash.map')}</h2>
            <VillageMap rows={data.villages} labels={labels} />
          </div>
          <div class="card">
            <h2>{t('dash.townships')}</h2>
            <UnitTable rows={data.townships} labels={labels} testid="dash-townships" />
          </div>
          <div class="card">
            <h2>{t('dash.villages')}</h2>
            <UnitTable rows={data.villages} labels={labels} testid="dash-villages" withTownship={!township} />
          </div>
          <Downloads userId={user.id} month={data.month} tier={tier} />
          <p class="small muted">{t('dash.noRanking')}</p>
        </div>
      )}
    </section>
  );
}

function tierLabels(data: Data | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of TIERS) out[k] = t(`tier.${k}` as MessageKey);
  // A county names its tiers itself; Chinese labels come from the data.
  if (lang.get() === 'zh') for (const v of data?.villages ?? []) if (v.tier_label) out[v.tier] = v.tier_label;
  return out;
}

function Totals({ row }: { row: UnitRow }) {
  const kinds = Object.entries(row.logs_by_kind ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const tiles: [string, string | number][] = [
    [t('dash.cadres'), row.cadres],
    [t('dash.confirmedDays'), `${row.confirmed_days} / ${row.minimum_days}`],
    [t('dash.logs'), row.logs],
    [t('dash.households'), row.households_visited],
    [t('dash.flagged'), row.flagged_logs],
    [t('dash.sheets'), `${row.sheets_confirmed} / ${row.sheets_submitted}`],
  ];
  return (
    <div class="card a-totals">
      <h2>{t('dash.totals')}</h2>
      <dl class="tiles" data-testid="dash-totals">
        {tiles.map(([k, v]) => (
          <div class="tile">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {kinds.length > 0 && (
        <p class="small muted">
          {kinds.map(([k, n]) => `${kindLabel(k)} ${n}`).join(' · ')}
        </p>
      )}
      <p class="small muted">{t('dash.sheetsNote')}</p>
    </div>
  );
}

const CHART_W = 320;
const CHART_H = 124;
const PAD_L = 34;
const PAD_B = 22;
const PAD_T = 10;

/** One small bar chart per measure, each on its own scale (inline SVG, no library). */
function Trend({ points }: { points: TrendPoint[] }) {
  if (!points.length) return <p class="empty">{t('dash.noTrend')}</p>;
  const series: { key: 'confirmed_days' | 'logs' | 'flagged_logs'; label: MessageKey; colour: string }[] = [
    { key: 'confirmed_days', label: 'dash.trendConfirmed', colour: '#1b6e3a' },
    { key: 'logs', label: 'dash.logs', colour: '#2f6db5' },
    { key: 'flagged_logs', label: 'dash.flagged', colour: '#d98b00' },
  ];
  return (
    <div class="trend" data-testid="dash-trend">
      {series.map((s) => (
        <BarChart points={points} field={s.key} label={t(s.label)} colour={s.colour} />
      ))}
      <details class="small">
        <summary>{t('dash.trendTable')}</summary>
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>{t('dash.month')}</th>
                {series.map((s) => (
                  <th>{t(s.label)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr>
                  <td>{fmt.month(p.month)}</td>
                  {series.map((s) => (
                    <td class="num">{p[s.key]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

function BarChart({ points, field, label, colour }: { points: TrendPoint[]; field: 'confirmed_days' | 'logs' | 'flagged_logs'; label: string; colour: string }) {
  const values = points.map((p) => p[field]);
  const max = niceMax(Math.max(0, ...values));
  const plotW = CHART_W - PAD_L - 4;
  const plotH = CHART_H - PAD_B - PAD_T;
  const step = plotW / points.length;
  const bar = Math.max(2, step * 0.65);
  const y = (v: number) => PAD_T + plotH - (v / max) * plotH;
  return (
    <figure class="chart">
      <figcaption class="small">{label}</figcaption>
      <svg viewBox={`0 0 ${CHART_W} ${CHART_H}`} role="img" aria-label={label} data-testid={`chart-${field}`}>
        <line x1={PAD_L} x2={CHART_W - 4} y1={y(0)} y2={y(0)} class="axis" />
        <line x1={PAD_L} x2={CHART_W - 4} y1={y(max)} y2={y(max)} class="grid" />
        <text x={PAD_L - 4} y={y(max) + 4} class="tick" text-anchor="end">
          {max}
        </text>
        <text x={PAD_L - 4} y={y(0)} class="tick" text-anchor="end">
          0
        </text>
        {points.map((p, i) => {
          const v = p[field];
          const x = PAD_L + i * step + (step - bar) / 2;
          return (
            <g>
              <rect x={x} y={y(v)} width={bar} height={Math.max(0, y(0) - y(v))} fill={colour} rx={1.5}>
                <title>{`${fmt.month(p.month)}: ${v}`}</title>
              </rect>
              {(i % 2 === points.length % 2 || points.length <= 6) && (
                <text x={x + bar / 2} y={CHART_H - 4} class="tick" text-anchor="middle">
                  {fmt.shortMonth(p.month)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

const MAP_W = 320;
/** Dot radius in map units (the map is about as wide as the phone): a 22 px dot to tap. */
const DOT_R = 11;

function VillageMap({ rows, labels }: { rows: UnitRow[]; labels: Record<string, string> }) {
  const [picked, setPicked] = useState<UnitRow | null>(null);
  const projected = projectVillages(rows, MAP_W, { pad: DOT_R + 4 });
  const height = projected.height;
  const points = spreadPoints(projected.points, 2 * DOT_R + 3, MAP_W, height, DOT_R + 2);
  if (!points.length) return <p class="empty">{t('dash.noMap')}</p>;
  const counts = new Map<string, number>();
  for (const p of points) counts.set(p.row.tier, (counts.get(p.row.tier) ?? 0) + 1);
  return (
    <div class="map" data-testid="dash-map">
      <svg viewBox={`0 0 ${MAP_W} ${height}`} role="img" aria-label={t('dash.map')}>
        <rect x="0" y="0" width={MAP_W} height={height} class="map-bg" rx="8" />
        {points.map((p) => (
          <circle
            cx={p.x}
            cy={p.y}
            r={picked?.code === p.row.code ? DOT_R + 2 : DOT_R}
            fill={TIER_COLOURS[p.row.tier] ?? '#777'}
            class={picked?.code === p.row.code ? 'dot on' : 'dot'}
            onClick={() => setPicked(p.row)}
            data-testid="map-dot"
            data-code={p.row.code}
            data-tier={p.row.tier}
          >
            <title>{`${p.row.name}（${p.row.township_name}）· ${labels[p.row.tier] ?? p.row.tier}`}</title>
          </circle>
        ))}
        <text x={MAP_W - 10} y={18} class="north" text-anchor="end">
          {t('dash.north')} ↑
        </text>
      </svg>
      <ul class="legend small" data-testid="map-legend">
        {TIERS.filter((k) => counts.has(k)).map((k) => (
          <li>
            <span class="swatch round" style={{ background: TIER_COLOURS[k] }} />
            {labels[k]} ({counts.get(k)})
          </li>
        ))}
      </ul>
      <p class="small" data-testid="map-picked">
        {picked
          ? t('dash.picked', {
              name: picked.name,
              town: picked.township_name,
              days: picked.confirmed_days,
              min: picked.minimum_days,
              logs: picked.logs,
            })
          : t('dash.tapDot')}
      </p>
    </div>
  );
}

function UnitTable({ rows, labels, testid, withTownship }: { rows: UnitRow[]; labels: Record<string, string>; testid: string; withTownship?: boolean }) {
  if (!rows.length) return <p class="empty">{t('dash.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="data" data-testid={testid}>
        <thead>
          <tr>
            <th class="sticky">{t('dash.name')}</th>
            {withTownship && <th>{t('dash.township')}</th>}
            <th>{t('dash.tier')}</th>
            <th>{t('dash.cadres')}</th>
            <th>{t('dash.confirmedDays')}</th>
            <th>{t('dash.logs')}</th>
            <th>{t('dash.households')}</th>
            <th>{t('dash.flagged')}</th>
            <th>{t('dash.sheets')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-testid="dash-row" data-code={r.code}>
              <th class="sticky" scope="row">
                {r.name}
              </th>
              {withTownship && <td>{r.township_name}</td>}
              <td class="nowrap">
                <span class="swatch round" style={{ background: TIER_COLOURS[r.tier] ?? '#777' }} />
                {labels[r.tier] ?? r.tier}
              </td>
              <td class="num">{r.cadres}</td>
              <td class="num">
                {r.confirmed_days} / {r.minimum_days}
              </td>
              <td class="num">{r.logs}</td>
              <td class="num">{r.households_visited}</td>
              <td class="num">{r.flagged_logs}</td>
              <td class="num">
                {r.sheets_confirmed} / {r.sheets_submitted}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Downloads({ userId, month, tier }: { userId: string; month: string; tier: Tier | '' }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (kind: 'xlsx' | 'village' | 'township') => {
    setBusy(kind);
    setError(null);
    const name = kind === 'xlsx' ? `dashboard-${month}.xlsx` : `dashboard-${kind}-${month}.csv`;
    try {
      await download(userId, exportPath(kind, month, tier), name);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const off = !online.get();
  return (
    <div class="card">
      <h2>{t('dash.download')}</h2>
      <div class="actions">
        <button class="btn" onClick={() => void get('xlsx')} disabled={!!busy || off} data-testid="dash-xlsx">
          {busy === 'xlsx' ? t('app.loading') : t('dash.xlsx')}
        </button>
        <button class="btn" onClick={() => void get('township')} disabled={!!busy || off} data-testid="dash-csv-township">
          {busy === 'township' ? t('app.loading') : t('dash.csvTownship')}
        </button>
        <button class="btn" onClick={() => void get('village')} disabled={!!busy || off} data-testid="dash-csv-village">
          {busy === 'village' ? t('app.loading') : t('dash.csvVillage')}
        </button>
      </div>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}
