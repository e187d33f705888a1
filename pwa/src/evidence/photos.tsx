import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchBlob } from '../api';
import { keepPhoto, preparePhoto, type PreparedPhoto } from './camera';
import { deleteEvidence, getEvidence, type EvidenceRecord } from './evidence';
import { t } from '../i18n';
import * as fmt from '../format';

/** A photo picked for a record on this phone, shown from its own bytes. */
export interface Photo {
  rec: EvidenceRecord;
  url: string;
  prepared?: PreparedPhoto;
}

export function PhotoPicker(props: {
  userId: string;
  photos: Photo[];
  onChange: (p: Photo[]) => void;
  error?: string;
  /** At most this many photos (the add button goes away at the limit). */
  max?: number;
  legend?: string;
  testid?: string;
}) {
  const { userId, photos, onChange, error, max } = props;
  const testid = props.testid ?? 'log-photo';
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pick = async (e: Event) => {
    const room = max === undefined ? Infinity : max - photos.length;
    const files = Array.from((e.currentTarget as HTMLInputElement).files ?? []).slice(0, Math.max(0, room));
    if (!files.length) return;
    setBusy(true);
    setFailure(null);
    const added: Photo[] = [];
    for (const file of files) {
      try {
        const prepared = await preparePhoto(file);
        const rec = await keepPhoto(userId, prepared, true);
        if (!photos.some((p) => p.rec.sha256 === rec.sha256)) {
          added.push({ rec, prepared, url: URL.createObjectURL(rec.blob) });
        }
      } catch (err) {
        setFailure(t('today.photoFailed', { msg: err instanceof Error ? err.message : String(err) }));
      }
    }
    onChange([...photos, ...added]);
    setBusy(false);
    if (input.current) input.current.value = '';
  };

  const remove = async (p: Photo) => {
    onChange(photos.filter((x) => x !== p));
    if (p.url) URL.revokeObjectURL(p.url);
    await deleteEvidence(userId, p.rec.sha256);
  };

  const dropGps = async (p: Photo) => {
    if (!p.prepared) return;
    const rec = await keepPhoto(userId, p.prepared, false);
    const next = { rec, prepared: p.prepared, url: URL.createObjectURL(rec.blob) };
    onChange(photos.map((x) => (x === p ? next : x)));
    URL.revokeObjectURL(p.url);
    await deleteEvidence(userId, p.rec.sha256);
  };

  return (
    <fieldset class="field">
      <legend>{props.legend ?? t('today.photo')}</legend>
      <ul class="photos">
        {photos.map((p) => (
          <li class="photo" data-testid={`${testid}-item`} data-sha256={p.rec.sha256}>
            {p.url ? <img src={p.url} alt="" /> : <div class="noimg" />}
            <div class="photo-meta">
              {p.rec.captured_at && (
                <span class="small muted">{t('today.photoTakenAt', { t: fmt.taken(p.rec.captured_at) })}</span>
              )}
              {p.rec.gps && p.prepared && (
                <button type="button" class="link small" onClick={() => dropGps(p)} data-testid="photo-drop-gps">
                  {t('today.photoHasGps')} · {t('today.photoDropGps')}
                </button>
              )}
              <button type="button" class="link small danger" onClick={() => remove(p)} data-testid="photo-remove">
                {t('today.photoRemove')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {(max === undefined || photos.length < max) && (
      <label class={busy ? 'btn disabled' : 'btn'}>
        {busy ? t('today.photoProcessing') : t('today.addPhoto')}
        <input
          ref={input}
          class="visually-hidden"
          type="file"
          accept="image/*"
          capture="environment"
          disabled={busy}
          onChange={pick}
          data-testid={testid}
        />
      </label>
      )}
      {failure && <small class="err">{failure}</small>}
      {error && <small class="err">{error}</small>}
    </fieldset>
  );
}

const thumbs = new Map<string, Promise<string>>();

/**
 * A photo by its hash: this phone's own copy if it still has one, else the server's
 * re-encoded thumbnail (fetched with the bearer token, kept as an object URL for the page).
 */
export function Thumb({ userId, sha, alt = '' }: { userId: string; sha: string; alt?: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const local = useRef<string | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const rec = await getEvidence(userId, sha);
      if (rec?.blob) {
        local.current = URL.createObjectURL(rec.blob);
        if (live) setUrl(local.current);
        return;
      }
      const key = `${userId}/${sha}`;
      let p = thumbs.get(key);
      if (!p) {
        p = fetchBlob(`/evidence/${sha}/thumb`, { user: userId }).then((b) => URL.createObjectURL(b));
        thumbs.set(key, p);
        p.catch(() => thumbs.delete(key));
      }
      try {
        const u = await p;
        if (live) setUrl(u);
      } catch {
        if (live) setFailed(true);
      }
    })();
    return () => {
      live = false;
      if (local.current) URL.revokeObjectURL(local.current);
    };
  }, [userId, sha]);
  if (url) return <img class="thumb" src={url} alt={alt} loading="lazy" data-testid="thumb" />;
  return <span class={failed ? 'thumb noimg failed' : 'thumb noimg'} title={failed ? t('photo.unavailable') : undefined} />;
}
