import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FieldError } from '../api';
import { activePostings, type Posting } from '../auth';
import { getEvidence, type EvidenceRecord } from '../evidence/evidence';
import { cachedHouseholds, loadHouseholds, type Household } from './households';
import { lang, t } from '../i18n';
import { canLocate, getFix, type Fix } from '../evidence/location';
import { LOG_KINDS, WORK_LOG, workLogs, type LogKind, type WorkLogData, type WorkLogView } from './logs';
import { enqueue, getItem, outboxChanged, saveEdit } from '../outbox';
import { go, href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncSoon } from '../sync';
import { localDate } from '../time';
import * as fmt from '../format';
import { FieldErr, StatusBadge, errorFor, kindLabel } from '../ui/common';
import { PhotoPicker, type Photo } from '../evidence/photos';
import { LongText, SaveNotice } from '../ui/SaveNotice';

interface Draft {
  village: string;
  date: string;
  kind: LogKind;
  text: string;
  households: string[];
  location: Fix | null;
}

/** Field errors shown next to their field; any other error is shown above the save button. */
const SHOWN_BY_FIELD = ['text', 'kind', 'date', 'household_ids', 'location', 'evidence'];

function blank(village: string): Draft {
  return { village, date: localDate(), kind: 'visit', text: '', households: [], location: null };
}

export default function Today({ user, params }: ViewProps) {
  useStores(lang, outboxChanged);
  const today = localDate();
  const postings = activePostings(user, today);
  const editId = params[0] === 'edit' ? params[1] : undefined;

  const [draft, setDraft] = useState<Draft>(() => blank(postings[0]?.village_code ?? ''));
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [errors, setErrors] = useState<FieldError[] | undefined>();
  const [savedId, setSavedId] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [entries, setEntries] = useState<WorkLogView[]>([]);
  const [missing, setMissing] = useState(false);
  const [ready, setReady] = useState(!editId);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  // Load the record being edited (a rejected item, or any earlier one).
  useEffect(() => {
    if (!editId) return;
    let live = true;
    void (async () => {
      const item = await getItem(user.id, editId);
      const view = item ? null : (await workLogs(user.id)).find((v) => v.id === editId);
      const data = (item?.data ?? view?.data) as WorkLogData | undefined;
      if (!live) return;
      if (!data) {
        setMissing(true);
        setReady(true);
        return;
      }
      setDraft({
        village: data.village_code,
        date: data.date,
        kind: data.kind,
        text: data.text,
        households: data.household_ids ?? [],
        location: data.location ?? null,
      });
      setErrors(item?.status === 'rejected' ? item.errors : undefined);
      const loaded: Photo[] = [];
      for (const sha of data.evidence ?? []) {
        const rec = await getEvidence(user.id, sha);
        if (rec) loaded.push({ rec, url: URL.createObjectURL(rec.blob) });
        else loaded.push({ rec: { sha256: sha } as EvidenceRecord, url: '' });
      }
      if (live) {
        setPhotos(loaded);
        setReady(true);
      }
    })();
    return () => {
      live = false;
    };
  }, [editId, user.id]);

  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void workLogs(user.id, (d) => d.date === draft.date).then((list) => live && setEntries(list));
    return () => {
      live = false;
    };
  }, [user.id, draft.date, tick]);

  const shownPhotos = useRef(photos);
  shownPhotos.current = photos;
  useEffect(() => () => shownPhotos.current.forEach((p) => p.url && URL.revokeObjectURL(p.url)), []);

  if (!postings.length && !editId) {
    return (
      <section>
        <h1>{t('today.title')}</h1>
        <p class="empty" data-testid="no-posting">
          {t('today.noPosting')}
        </p>
      </section>
    );
  }

  if (!ready) return <p class="muted loading">{t('app.loading')}</p>;

  const reset = () => {
    photos.forEach((p) => p.url && URL.revokeObjectURL(p.url));
    setPhotos([]);
    setErrors(undefined);
    setDraft((d) => ({ ...blank(d.village), date: d.date }));
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft.text.trim()) {
      setErrors([{ field: 'text', message: t('today.textRequired') }]);
      return;
    }
    setSaving(true);
    const data: WorkLogData = {
      village_code: draft.village,
      date: draft.date,
      kind: draft.kind,
      text: draft.text.trim(),
      household_ids: draft.households,
      location: draft.location,
      evidence: photos.map((p) => p.rec.sha256),
    };
    try {
      const item = editId
        ? await saveEdit(user.id, WORK_LOG, editId, data as unknown as Record<string, unknown>)
        : await enqueue(user.id, WORK_LOG, data as unknown as Record<string, unknown>);
      setSavedId(item.id);
      reset();
      syncSoon();
      if (editId) go('today');
    } finally {
      setSaving(false);
    }
  };

  const general = errors?.filter((e) => !SHOWN_BY_FIELD.includes(e.field.split('.').pop() ?? ''));

  return (
    <section>
      <h1>{editId ? t('today.editing') : t('today.title')}</h1>
      {missing && <p class="err block">{t('today.notFound')}</p>}
      <form class="card logform" onSubmit={save} noValidate data-testid="log-form">
        <VillagePicker postings={postings} value={draft.village} onChange={(v) => set('village', v)} />
        <label class="field">
          <span>{t('today.date')}</span>
          <input
            type="date"
            value={draft.date}
            max={today}
            onInput={(e) => e.currentTarget.value && set('date', e.currentTarget.value)}
            data-testid="log-date"
          />
          <FieldErr errors={errors} field="date" />
        </label>
        <fieldset class="field">
          <legend>{t('today.kind')}</legend>
          <div class="chips" role="radiogroup" data-testid="log-kind">
            {LOG_KINDS.map((k) => (
              <button
                type="button"
                role="radio"
                aria-checked={draft.kind === k}
                class={draft.kind === k ? 'chip on' : 'chip'}
                onClick={() => set('kind', k)}
                data-testid={`log-kind-${k}`}
              >
                {kindLabel(k)}
              </button>
            ))}
          </div>
          <FieldErr errors={errors} field="kind" />
        </fieldset>
        <label class="field">
          <span>{t('today.text')}</span>
          <textarea
            rows={4}
            value={draft.text}
            placeholder={t('today.textPlaceholder')}
            onInput={(e) => set('text', e.currentTarget.value)}
            data-testid="log-text"
          />
          <FieldErr errors={errors} field="text" />
        </label>
        <HouseholdPicker
          userId={user.id}
          village={draft.village}
          value={draft.households}
          onChange={(v) => set('households', v)}
          error={errorFor(errors, 'household_ids')}
        />
        <PhotoPicker userId={user.id} photos={photos} onChange={setPhotos} error={errorFor(errors, 'evidence')} />
        <LocationPicker value={draft.location} onChange={(v) => set('location', v)} error={errorFor(errors, 'location')} />
        <p class="muted small">{t('today.optionalNote')}</p>
        {general?.map((e) => (
          <p class="err block">{e.message}</p>
        ))}
        <div class="actions">
          <button class="btn primary wide" type="submit" disabled={saving} data-testid="log-save">
            {editId ? t('today.saveEdit') : t('today.save')}
          </button>
          {editId && (
            <a class="btn" href={href('today')} data-testid="log-cancel">
              {t('today.cancelEdit')}
            </a>
          )}
        </div>
        {savedId && <SaveNotice userId={user.id} id={savedId} offline="today.saved" testid="log-saved" />}
      </form>
      <EntryList date={draft.date} entries={entries} />
    </section>
  );
}

function VillagePicker({ postings, value, onChange }: { postings: Posting[]; value: string; onChange: (v: string) => void }) {
  if (postings.length <= 1) return null;
  return (
    <label class="field">
      <span>{t('today.village')}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid="log-village">
        {postings.map((p) => (
          <option value={p.village_code}>
            {p.village_name}（{p.township_name}）
          </option>
        ))}
      </select>
    </label>
  );
}

function HouseholdPicker(props: {
  userId: string;
  village: string;
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
}) {
  const { userId, village, value, onChange } = props;
  const [list, setList] = useState<Household[]>([]);
  const [query, setQuery] = useState('');
  useEffect(() => {
    if (!village) return;
    let live = true;
    void cachedHouseholds(userId, village).then((c) => live && c.length && setList(c));
    void loadHouseholds(userId, village).then((l) => live && setList(l));
    return () => {
      live = false;
    };
  }, [userId, village]);

  const shown = useMemo(() => {
    const q = query.trim();
    const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    return q ? sorted.filter((h) => h.name.includes(q) || value.includes(h.id)) : sorted;
  }, [list, query, value]);

  const toggle = (id: string) => onChange(value.includes(id) ? value.filter((x) => x !== id) : [...value, id]);

  return (
    <fieldset class="field" data-testid="log-households">
      <legend>
        {t('today.households')}
        {value.length > 0 && <span class="muted"> · {t('today.householdsSelected', { n: value.length })}</span>}
      </legend>
      {list.length === 0 ? (
        <p class="muted small">{t('today.householdsNone')}</p>
      ) : (
        <>
          {list.length > 8 && (
            <input
              type="search"
              placeholder={t('today.householdsSearch')}
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
              data-testid="household-search"
            />
          )}
          <ul class="checklist">
            {shown.map((h) => (
              <li>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={value.includes(h.id)}
                    onChange={() => toggle(h.id)}
                    data-testid="household-option"
                    data-id={h.id}
                  />
                  <span>{h.name}</span>
                  <span class="muted small">{t('today.members', { n: h.members })}</span>
                  {h.tags?.map((tag) => (
                    <span class="tag">{tag}</span>
                  ))}
                </label>
              </li>
            ))}
          </ul>
        </>
      )}
      {props.error && <small class="err">{props.error}</small>}
    </fieldset>
  );
}

function LocationPicker({ value, onChange, error }: { value: Fix | null; onChange: (f: Fix | null) => void; error?: string }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const attach = async () => {
    if (!canLocate()) {
      setFailure(t('today.locationUnsupported'));
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      onChange(await getFix());
    } catch (err) {
      setFailure(t('today.locationFailed', { msg: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="field">
      <legend>{t('today.location')}</legend>
      {value ? (
        <div class="row" data-testid="log-location-fix">
          <span>
            {t('today.accuracy', { m: Math.round(value.accuracy_m) })} · {fmt.time(value.captured_at)}
          </span>
          <button type="button" class="link danger" onClick={() => onChange(null)} data-testid="log-location-remove">
            {t('today.removeLocation')}
          </button>
        </div>
      ) : (
        <button type="button" class="btn" onClick={attach} disabled={busy} data-testid="log-location">
          {busy ? t('today.locating') : t('today.attachLocation')}
        </button>
      )}
      {failure && <small class="err">{failure}</small>}
      {error && <small class="err">{error}</small>}
    </fieldset>
  );
}

function EntryList({ date, entries }: { date: string; entries: WorkLogView[] }) {
  return (
    <section class="entries">
      <h2>{t('today.entries', { date: fmt.day(date) })}</h2>
      {entries.length === 0 ? (
        <p class="empty">{t('today.noEntries')}</p>
      ) : (
        <ul class="list" data-testid="entry-list">
          {entries.map((e) => (
            <li class="item" data-testid="entry-item" data-id={e.id} data-status={e.status}>
              <div class="item-head">
                <strong>{kindLabel(e.data.kind)}</strong>
                <StatusBadge status={e.status} />
              </div>
              <LongText text={e.data.text} />
              <div class="item-foot small muted">
                {e.data.household_ids?.length > 0 && <span>{t('today.householdsSelected', { n: e.data.household_ids.length })}</span>}
                {e.data.evidence?.length > 0 && <span>{t('today.photos', { n: e.data.evidence.length })}</span>}
                {e.data.location && <span>{t('today.withLocation')}</span>}
                <a class="link" href={href('today', 'edit', e.id)} data-testid="entry-edit">
                  {t('today.edit')}
                </a>
              </div>
              {e.status === 'rejected' &&
                e.item?.errors?.map((err) => (
                  <small class="err block">{err.message}</small>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
