import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorText } from '../../api';
import type { User } from '../../auth';
import { lang } from '../../i18n';
import { online } from '../../net';
import { useStores } from '../../store';
import { localDate } from '../../time';
import { ct, type ConsoleKey } from '../i18n';
import { defaultYear, fetchEligibility, inLang, recordInspection, TIERS, type Eligibility, type EligibilityFilter } from './model';


export function YearField({ year, onChange }: { year: number; onChange: (y: number) => void }) {
  const last = defaultYear() + 1;
  const years = Array.from({ length: 6 }, (_, i) => last - i);
  return (
    <label class="field">
      <span>{ct('console.commendation.year')}</span>
      <select value={String(year)} onChange={(e) => onChange(Number(e.currentTarget.value))} data-testid="comm-year">
        {years.map((y) => (
          <option key={y} value={String(y)}>
            {y}
          </option>
        ))}
      </select>
    </label>
  );
}

export const tierLabel = (tier: string) => (tier ? ct(`console.commendation.tier.${tier}` as ConsoleKey) : '');

/** 资格名单: every cadre with confirmed days against the prorated minimum, and why. */
export default function EligibilityList({ user, admin }: { user: User; admin: boolean }) {
  useStores(lang, online);
  const [year, setYear] = useState(defaultYear());
  const [filter, setFilter] = useState<EligibilityFilter>({});
  const [rows, setRows] = useState<Eligibility[] | null>(null);
  const [townships, setTownships] = useState<[string, string][]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [inspecting, setInspecting] = useState<Eligibility | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const isOnline = online.get();

  // The township choices come from the unfiltered year (the caller's own scope).
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    fetchEligibility(user.id, year).then(
      (all) => {
        if (!live) return;
        const seen = new Map<string, string>();
        for (const e of all) seen.set(e.township_code, e.township_name || e.township_code);
        setTownships([...seen.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [user.id, year, isOnline]);

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    setBusy(true);
    setError(null);
    fetchEligibility(user.id, year, filter).then(
      (r) => live && (setRows(r), setBusy(false)),
      (err) => live && (setError(errorText(err)), setBusy(false)),
    );
    return () => {
      live = false;
    };
  }, [user.id, year, filter.township, filter.tier, filter.eligible, isOnline, reload]);

  const eligibleCount = useMemo(() => rows?.filter((r) => r.eligible).length ?? 0, [rows]);
  const set = (patch: EligibilityFilter) => setFilter({ ...filter, ...patch });
  const l = lang.get();

  return (
    <div data-testid="comm-eligibility">
      <div class="card filters">
        <YearField year={year} onChange={setYear} />
        <label class="field">
          <span>{ct('console.commendation.township')}</span>
          <select value={filter.township ?? ''} onChange={(e) => set({ township: e.currentTarget.value })} data-testid="comm-filter-township">
            <option value="">{ct('console.commendation.allTownships')}</option>
            {townships.map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.commendation.tier')}</span>
          <select value={filter.tier ?? ''} onChange={(e) => set({ tier: e.currentTarget.value as EligibilityFilter['tier'] })} data-testid="comm-filter-tier">
            <option value="">{ct('console.commendation.allTiers')}</option>
            {TIERS.map((k) => (
              <option key={k} value={k}>
                {tierLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.commendation.verdict')}</span>
          <select value={filter.eligible ?? ''} onChange={(e) => set({ eligible: e.currentTarget.value as EligibilityFilter['eligible'] })} data-testid="comm-filter-eligible">
            <option value="">{ct('console.commendation.all')}</option>
            <option value="true">{ct('console.commendation.eligible')}</option>
            <option value="false">{ct('console.commendation.notEligible')}</option>
          </select>
        </label>
      </div>
      {notice && (
        <p class="banner" role="status" data-testid="comm-notice">
          {notice}
        </p>
      )}
      {error && <p class="err block">{error}</p>}
      {inspecting && (
        <InspectionForm
          user={user}
          cadre={inspecting}
          year={year}
          onDone={(saved) => {
            setInspecting(null);
            if (saved) {
              setNotice(ct('console.commendation.inspectSaved', { name: inspecting.name }));
              setReload(reload + 1);
            }
          }}
        />
      )}
      {busy && !rows && <p class="muted">{ct('console.commendation.loading')}</p>}
      {rows && (
        <div class={busy ? 'stale' : ''}>
          <p class="small muted" data-testid="comm-count" data-total={rows.length} data-eligible={eligibleCount}>
            {ct('console.commendation.count', { n: rows.length, e: eligibleCount })}
          </p>
          {rows.length === 0 ? (
            <p class="muted">{ct('console.commendation.empty')}</p>
          ) : (
            <table class="ctable" data-testid="comm-elig-table">
              <thead>
                <tr>
                  <th>{ct('console.commendation.col.name')}</th>
                  <th>{ct('console.commendation.col.village')}</th>
                  <th>{ct('console.commendation.verdict')}</th>
                  <th class="num">{ct('console.commendation.col.days')}</th>
                  <th class="num">{ct('console.commendation.col.posted')}</th>
                  <th>{ct('console.commendation.col.inspections')}</th>
                  <th>{ct('console.commendation.col.reasons')}</th>
                  {admin && <th>{ct('console.commendation.col.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.cadre_id} class={e.eligible ? 'yes' : 'no'} data-testid="comm-elig-row" data-name={e.name} data-eligible={String(e.eligible)}>
                    <td class="lead">{e.name}</td>
                    <td data-label={ct('console.commendation.col.village')}>
                      {e.township_name} {e.village_name} <span class="tag">{tierLabel(e.tier)}</span>
                    </td>
                    <td data-label={ct('console.commendation.verdict')}>
                      <strong class={e.eligible ? 'stat-ok' : 'stat-no'} data-testid="comm-verdict">
                        {e.eligible ? ct('console.commendation.eligible') : ct('console.commendation.notEligible')}
                      </strong>
                    </td>
                    <td class="num" data-label={ct('console.commendation.col.days')}>
                      {ct('console.commendation.daysValue', { c: e.confirmed_days, r: e.required_days })}
                    </td>
                    <td class="num" data-label={ct('console.commendation.col.posted')}>
                      {ct('console.commendation.postedValue', { n: e.posted_days })}
                    </td>
                    <td data-label={ct('console.commendation.col.inspections')} data-testid="comm-inspections">
                      {e.inspections
                        ? ct('console.commendation.inspectionsValue', { n: e.inspections, a: e.unexcused_absences })
                        : ct('console.commendation.noInspection')}
                    </td>
                    <td class="cell-block" data-label={ct('console.commendation.col.reasons')}>
                      <ul class="reasons-list" data-testid="comm-reasons">
                        {e.reasons.map((r) => (
                          <li key={r}>{inLang(r, l)}</li>
                        ))}
                      </ul>
                    </td>
                    {admin && (
                      <td data-label="">
                        <button class="btn small" onClick={() => (setNotice(null), setInspecting(e))} data-testid="comm-inspect">
                          {ct('console.commendation.inspect')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}

function InspectionForm({ user, cadre, year, onDone }: { user: User; cadre: Eligibility; year: number; onDone: (saved: boolean) => void }) {
  const today = localDate();
  const [date, setDate] = useState(today.startsWith(String(year)) ? today : `${year}-12-31`);
  const [finding, setFinding] = useState('unexcused_absence');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await recordInspection(user.id, { cadre_id: cadre.cadre_id, date, finding, note: note.trim() });
      onDone(true);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={save} data-testid="comm-inspect-form">
      <h2>{ct('console.commendation.inspectTitle', { name: cadre.name })}</h2>
      <label class="field">
        <span>{ct('console.commendation.inspectDate')}</span>
        <input type="date" value={date} max={today} required onInput={(e) => setDate(e.currentTarget.value)} data-testid="comm-inspect-date" />
      </label>
      <fieldset class="field">
        <legend>{ct('console.commendation.finding')}</legend>
        {(['unexcused_absence', 'other'] as const).map((f) => (
          <label key={f} class="check">
            <input type="radio" name="finding" value={f} checked={finding === f} onChange={() => setFinding(f)} data-testid={`comm-finding-${f}`} />
            <span>{ct(`console.commendation.finding.${f}`)}</span>
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{ct('console.commendation.note')}</span>
        <textarea maxLength={2000} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="comm-inspect-note" />
      </label>
      {error && <p class="err block">{error}</p>}
      <div class="actions">
        <button class="btn primary" type="submit" disabled={busy} data-testid="comm-inspect-save">
          {ct('console.commendation.save')}
        </button>
        <button class="btn" type="button" onClick={() => onDone(false)}>
          {ct('console.commendation.cancel')}
        </button>
      </div>
    </form>
  );
}
