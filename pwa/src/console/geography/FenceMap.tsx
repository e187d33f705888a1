import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, errorText, type FieldError } from '../../api';
import { ct } from '../i18n';
import { frameFor, round6, type Circle } from './mapProjection';
import { TIER_COLOURS, type Division } from './places';

/** Drawing width: narrower on a phone, so that names stay legible when scaled to the screen. */
const mapWidth = () => (typeof window !== 'undefined' && window.innerWidth < 600 ? 360 : 640);
type Crs = 'wgs84' | 'gcj02' | 'bd09';

/**
 * Each village's fence on a map drawn from the data itself (no tiles): every fenced village
 * as its circle, the chosen one highlighted. A county admin sets a centre by clicking the map
 * or typing coordinates (of a WGS-84, GCJ-02 or BD-09 map: the server converts with its one
 * function), the radius in metres, and saves; what the server stored is read back and shown.
 */
export function FenceMap({ villages, canEdit, onSaved }: { villages: Division[]; canEdit: boolean; onSaved: (d: Division) => void }) {
  const [code, setCode] = useState<string>(villages[0]?.code ?? '');
  const chosen = villages.find((v) => v.code === code) ?? null;
  const [lat, setLat] = useState('');
  const [lon, setLon] = useState('');
  const [radius, setRadius] = useState('');
  const [crs, setCrs] = useState<Crs>('wgs84');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!villages.find((v) => v.code === code) && villages[0]) setCode(villages[0].code);
  }, [villages.map((v) => v.code).join()]);
  useEffect(() => {
    const f = chosen?.fence;
    setLat(f ? String(f.center_lat) : '');
    setLon(f ? String(f.center_lon) : '');
    setRadius(f ? String(f.radius_m) : '1500');
    setCrs('wgs84');
    setErrors([]);
  }, [code, chosen?.fence?.center_lat, chosen?.fence?.center_lon, chosen?.fence?.radius_m]);

  const MAP_W = mapWidth();
  const fenced = villages.filter((v) => v.fence);
  // The frame is fixed by the stored fences (a click must not move the map under the pointer).
  const frame = useMemo(
    () =>
      frameFor(
        fenced.map<Circle>((v) => ({ lat: v.fence!.center_lat, lon: v.fence!.center_lon, radiusM: v.fence!.radius_m })),
        MAP_W,
      ),
    [MAP_W, fenced.map((v) => `${v.code}:${v.fence!.center_lat},${v.fence!.center_lon},${v.fence!.radius_m}`).join()],
  );
  const pLat = Number(lat);
  const pLon = Number(lon);
  const pR = Number(radius);
  const pending = crs === 'wgs84' && lat !== '' && lon !== '' && Number.isFinite(pLat) && Number.isFinite(pLon) ? frame.toXY(pLat, pLon) : null;

  const click = (e: MouseEvent) => {
    if (!canEdit || !chosen) return;
    const svg = e.currentTarget as SVGSVGElement;
    const m = svg.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    const at = frame.toLatLon(pt.x, pt.y);
    setCrs('wgs84');
    setLat(String(round6(at.lat)));
    setLon(String(round6(at.lon)));
    setMsg(null);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    const bad: FieldError[] = [];
    if (!(lat.trim() !== '' && pLat >= -90 && pLat <= 90)) bad.push({ field: 'center_lat', message: ct('console.geography.badLat') });
    if (!(lon.trim() !== '' && pLon >= -180 && pLon <= 180)) bad.push({ field: 'center_lon', message: ct('console.geography.badLon') });
    if (!(Number.isInteger(pR) && pR >= 50 && pR <= 50_000)) bad.push({ field: 'radius_m', message: ct('console.geography.badRadius') });
    setErrors(bad);
    if (bad.length) return;
    setBusy(true);
    setMsg(null);
    try {
      const next = await api<Division>(`/geo/divisions/${chosen.code}/fence`, {
        method: 'PATCH',
        json: { center_lat: pLat, center_lon: pLon, radius_m: pR, crs },
      });
      onSaved(next);
      const f = next.fence!;
      setMsg({ ok: true, text: ct('console.geography.fenceSaved', { name: next.name, lat: f.center_lat, lon: f.center_lon, m: f.radius_m }) });
    } catch (err) {
      setErrors(err instanceof ApiError ? err.errors : []);
      setMsg({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const errorOf = (f: string) => errors.find((x) => x.field === f || x.field.endsWith(`.${f}`))?.message;

  if (!villages.length) return null;
  return (
    <div class="card geo-fence" data-testid="fence-card">
      <h2>{ct('console.geography.fences')}</h2>
      <div class="geo-fence-body">
        <div class="geo-map">
          <svg
            viewBox={`0 0 ${MAP_W} ${frame.height}`}
            role="img"
            aria-label={ct('console.geography.mapLabel')}
            onClick={click}
            class={canEdit ? 'pickable' : ''}
            data-testid="fence-map"
          >
            <rect x="0" y="0" width={MAP_W} height={frame.height} class="map-bg" rx="8" />
            {fenced.map((v) => {
              const { x, y } = frame.toXY(v.fence!.center_lat, v.fence!.center_lon);
              const on = v.code === code;
              return (
                <g
                  key={v.code}
                  onClick={() => !canEdit && setCode(v.code)}
                  data-testid="fence-circle"
                  data-code={v.code}
                >
                  <circle cx={x} cy={y} r={Math.max(2, frame.metres(v.fence!.radius_m))} class={on ? 'fence on' : 'fence'} style={{ stroke: TIER_COLOURS[v.tier] }} />
                  <circle cx={x} cy={y} r={on ? 5 : 3.5} fill={TIER_COLOURS[v.tier]} />
                  {(on || fenced.length <= 12) && (
                    <text x={x} y={y - 8} text-anchor="middle" class={on ? 'geo-map-name on' : 'geo-map-name'}>
                      {v.name}
                    </text>
                  )}
                  <title>{v.name}</title>
                </g>
              );
            })}
            {pending && canEdit && (
              <g data-testid="fence-pending" pointer-events="none">
                {Number.isFinite(pR) && pR > 0 && <circle cx={pending.x} cy={pending.y} r={frame.metres(pR)} class="fence pending" />}
                <path d={`M${pending.x - 8},${pending.y}h16M${pending.x},${pending.y - 8}v16`} class="cross" />
              </g>
            )}
            <text x={MAP_W - 10} y={18} class="north" text-anchor="end">
              {ct('console.geography.north')} ↑
            </text>
          </svg>
          <p class="small muted">{canEdit ? ct('console.geography.mapHint') : ct('console.geography.mapHintRead')}</p>
        </div>
        <form class="geo-fence-form" onSubmit={save} noValidate>
          <label class="field">
            <span>{ct('console.geography.village')}</span>
            <select value={code} onChange={(e) => setCode((e.currentTarget as HTMLSelectElement).value)} data-testid="fence-village">
              {villages.map((v) => (
                <option value={v.code}>
                  {v.name}
                  {v.fence ? '' : ` (${ct('console.geography.noFence')})`}
                </option>
              ))}
            </select>
          </label>
          {chosen && !canEdit && (
            <p class="small" data-testid="fence-readout">
              {chosen.fence
                ? ct('console.geography.fenceIs', { lat: chosen.fence.center_lat, lon: chosen.fence.center_lon, m: chosen.fence.radius_m })
                : ct('console.geography.noFence')}
            </p>
          )}
          {canEdit && (
            <>
              <label class="field">
                <span>{ct('console.geography.crs')}</span>
                <select value={crs} onChange={(e) => setCrs((e.currentTarget as HTMLSelectElement).value as Crs)} data-testid="fence-crs">
                  <option value="wgs84">{ct('console.geography.crs.wgs84')}</option>
                  <option value="gcj02">{ct('console.geography.crs.gcj02')}</option>
                  <option value="bd09">{ct('console.geography.crs.bd09')}</option>
                </select>
              </label>
              <div class="geo-coords">
                <label class="field">
                  <span>{ct('console.geography.lat')}</span>
                  <input inputMode="decimal" value={lat} onInput={(e) => setLat((e.currentTarget as HTMLInputElement).value)} data-testid="fence-lat" />
                  {errorOf('center_lat') && <small class="err">{errorOf('center_lat')}</small>}
                </label>
                <label class="field">
                  <span>{ct('console.geography.lon')}</span>
                  <input inputMode="decimal" value={lon} onInput={(e) => setLon((e.currentTarget as HTMLInputElement).value)} data-testid="fence-lon" />
                  {errorOf('center_lon') && <small class="err">{errorOf('center_lon')}</small>}
                </label>
              </div>
              <label class="field">
                <span>{ct('console.geography.radius')}</span>
                <input inputMode="numeric" value={radius} onInput={(e) => setRadius((e.currentTarget as HTMLInputElement).value)} data-testid="fence-radius" />
                {errorOf('radius_m') && <small class="err">{errorOf('radius_m')}</small>}
              </label>
              <button class="btn primary" disabled={busy} data-testid="fence-save">
                {ct('console.geography.saveFence')}
              </button>
            </>
          )}
          {msg && (
            <p class={msg.ok ? 'small ok-text' : 'err block'} role="status" data-testid="fence-message">
              {msg.text}
            </p>
          )}
        </form>
      </div>
    </div>
  );
}
