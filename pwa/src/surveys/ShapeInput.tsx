/**
 * A line (geotrace) or an area (geoshape) answered on the phone: points added one by one from
 * the current location, or typed as latitude and longitude on a phone without GPS. Only when
 * the cadre taps: nothing is tracked. A shape is closed automatically once it has 3 points.
 */
import { useState } from 'preact/hooks';
import * as fmt from '../format';
import { t } from '../i18n';
import { canLocate, getFix } from '../evidence/location';
import { openPoints, shapeText, type ShapePoint } from './geoshapes';

type Kind = 'geotrace' | 'geoshape';

const coordinate = (text: string, limit: number): number | null => {
  const value = Number(text.trim().replace('，', '.'));
  return text.trim() !== '' && Number.isFinite(value) && Math.abs(value) <= limit ? Number(value.toFixed(7)) : null;
};

export function ShapeInput(props: { kind: Kind; name: string; value: unknown; onChange: (v: unknown) => void }) {
  const { kind, name } = props;
  const open = openPoints(kind, props.value);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [lat, setLat] = useState('');
  const [lon, setLon] = useState('');
  const least = kind === 'geotrace' ? 2 : 3;
  const set = (next: ShapePoint[]) => props.onChange(shapeText(kind, next));
  const here = async () => {
    if (!canLocate()) return setFailure(t('survey.locationUnsupported'));
    setBusy(true);
    setFailure(null);
    try {
      const fix = await getFix();
      set([...open, { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m }]);
    } catch (err) {
      setFailure(t('survey.locationFailed', { msg: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  const typed = () => {
    const a = coordinate(lat, 90);
    const b = coordinate(lon, 180);
    if (a === null || b === null) return setFailure(t('survey.shape.badCoordinate'));
    setFailure(null);
    set([...open, { lat: a, lon: b }]);
    setLat('');
    setLon('');
  };
  return (
    <div class="shape" data-testid={`survey-shape-${name}`} data-points={open.length}>
      <p class="small muted">
        {t(kind === 'geotrace' ? 'survey.shape.traceHint' : 'survey.shape.shapeHint', { n: least })}
      </p>
      {open.length > 0 && (
        <ol class="small" data-testid={`survey-shape-points-${name}`}>
          {open.map((p) => (
            <li>
              {fmt.num(p.lat, 6)}, {fmt.num(p.lon, 6)}
              {typeof p.accuracy_m === 'number' && p.accuracy_m > 0 ? ` · ±${fmt.num(p.accuracy_m, 0)} m` : ''}
            </li>
          ))}
        </ol>
      )}
      <p class="small" data-testid={`survey-shape-state-${name}`}>
        {open.length < least
          ? t('survey.shape.needMore', { n: least - open.length })
          : t(kind === 'geotrace' ? 'survey.shape.traceDone' : 'survey.shape.shapeDone', { n: open.length })}
      </p>
      <div class="shape-row">
        <button type="button" class="btn" onClick={here} disabled={busy} data-testid={`survey-shape-here-${name}`}>
          {busy ? t('survey.locating') : t('survey.shape.addHere')}
        </button>
        {open.length > 0 && (
          <button type="button" class="btn" onClick={() => set(open.slice(0, -1))} data-testid={`survey-shape-undo-${name}`}>
            {t('survey.shape.removeLast')}
          </button>
        )}
      </div>
      <div class="shape-row">
        <input
          type="text"
          inputMode="decimal"
          placeholder={t('survey.shape.lat')}
          aria-label={t('survey.shape.lat')}
          value={lat}
          onInput={(e) => setLat(e.currentTarget.value)}
          data-testid={`survey-shape-lat-${name}`}
        />
        <input
          type="text"
          inputMode="decimal"
          placeholder={t('survey.shape.lon')}
          aria-label={t('survey.shape.lon')}
          value={lon}
          onInput={(e) => setLon(e.currentTarget.value)}
          data-testid={`survey-shape-lon-${name}`}
        />
        <button type="button" class="btn" onClick={typed} data-testid={`survey-shape-add-${name}`}>
          {t('survey.shape.addTyped')}
        </button>
      </div>
      {failure && <small class="err block">{failure}</small>}
    </div>
  );
}
