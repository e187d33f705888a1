import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api';
import {
  MAX_FEEDBACK_PHOTOS,
  answerFeedback,
  isCountyAdmin,
  myFeedback,
  openFeedback,
  writeFeedback,
  type FeedbackOut,
  type MyFeedback,
} from './feedback';
import { lang, t } from '../i18n';
import { online } from '../net';
import { outboxChanged } from '../outbox';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { syncSoon, syncState } from '../sync';
import * as fmt from '../format';
import { StatusBadge } from '../ui/common';
import { PhotoPicker, Thumb, type Photo } from '../evidence/photos';
import { SaveNotice } from '../ui/SaveNotice';

/** 投诉建议: for everyone; county admins also answer their county's open messages here. */
export default function Feedback({ user }: ViewProps) {
  useStores(lang, outboxChanged, online, syncState);
  const admin = isCountyAdmin(user);
  return (
    <section>
      <h1>{t('feedback.title')}</h1>
      {admin && <AnswerQueue userId={user.id} />}
      <Write userId={user.id} />
      <Mine user={user} />
    </section>
  );
}

function Write({ userId }: { userId: string }) {
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = useRef(photos);
  shown.current = photos;
  useEffect(() => () => shown.current.forEach((p) => p.url && URL.revokeObjectURL(p.url)), []);

  const send = async (e: Event) => {
    e.preventDefault();
    setSavedId(null);
    if (!text.trim()) return setError(t('feedback.textRequired'));
    setError(null);
    setBusy(true);
    try {
      const item = await writeFeedback(
        userId,
        text,
        photos.map((p) => p.rec.sha256),
      );
      photos.forEach((p) => p.url && URL.revokeObjectURL(p.url));
      setPhotos([]);
      setText('');
      setSavedId(item.id);
      syncSoon();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={send} noValidate data-testid="feedback-form">
      <h2>{t('feedback.write')}</h2>
      <p class="small muted">{t('feedback.intro')}</p>
      <label class="field">
        <span>{t('feedback.text')}</span>
        <textarea
          rows={4}
          maxLength={5000}
          value={text}
          placeholder={t('feedback.placeholder')}
          onInput={(e) => setText(e.currentTarget.value)}
          data-testid="feedback-text"
        />
      </label>
      <PhotoPicker
        userId={userId}
        photos={photos}
        onChange={setPhotos}
        max={MAX_FEEDBACK_PHOTOS}
        legend={t('feedback.photos', { n: MAX_FEEDBACK_PHOTOS })}
        testid="feedback-photo"
      />
      {error && <p class="err block">{error}</p>}
      <button class="btn primary wide" type="submit" disabled={busy} data-testid="feedback-send">
        {t('feedback.send')}
      </button>
      {savedId && <SaveNotice userId={userId} id={savedId} offline="feedback.saved" testid="feedback-saved" />}
    </form>
  );
}

function Mine({ user }: { user: ViewProps['user'] }) {
  const [rows, setRows] = useState<MyFeedback[]>([]);
  const tick = outboxChanged.get();
  const isOnline = online.get();
  const lastSync = syncState.get().lastSyncAt;
  useEffect(() => {
    let live = true;
    void myFeedback(user, isOnline).then((r) => live && setRows(r));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user.id, tick, isOnline, lastSync]);
  return (
    <>
      <h2>{t('feedback.mine')}</h2>
      {rows.length === 0 ? (
        <p class="empty" data-testid="feedback-empty">
          {t('feedback.none')}
        </p>
      ) : (
        <ul class="list" data-testid="feedback-list">
          {rows.map((r) => {
            const state = r.data.state ?? 'open';
            return (
              <li class="item" data-testid="feedback-item" data-id={r.id} data-state={state} data-status={r.status}>
                <div class="item-head">
                  <span class="small muted">{r.data.created_at ? fmt.dateTime(r.data.created_at) : ''}</span>
                  {r.status !== 'applied' ? (
                    <StatusBadge status={r.status} />
                  ) : (
                    <span class={state === 'answered' ? 'status s-applied' : 'status'}>{t(`feedback.state.${state}`)}</span>
                  )}
                </div>
                <p class="text">{r.data.text}</p>
                {r.data.evidence?.length > 0 && (
                  <div class="thumbs">
                    {r.data.evidence.map((sha) => (
                      <Thumb userId={user.id} sha={sha} />
                    ))}
                  </div>
                )}
                {r.data.answer && (
                  <div class="answer" data-testid="feedback-answer">
                    <strong>{t('feedback.answer')}</strong>
                    <p class="text">{r.data.answer}</p>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function AnswerQueue({ userId }: { userId: string }) {
  const [rows, setRows] = useState<FeedbackOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    openFeedback(userId).then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, isOnline, reload]);

  return (
    <div class="card" data-testid="feedback-queue">
      <h2>{t('feedback.queue')}</h2>
      {!isOnline && <p class="small muted">{t('review.needsOnline')}</p>}
      {error && <p class="err block">{error}</p>}
      {notice && (
        <p class="ok" role="status" data-testid="feedback-queue-notice">
          {notice}
        </p>
      )}
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="feedback-queue-empty">
          {t('feedback.queueEmpty')}
        </p>
      )}
      {rows && rows.length > 0 && (
        <ul class="list">
          {rows.map((f) => (
            <AnswerItem
              key={f.id}
              userId={userId}
              f={f}
              onDone={(msg) => {
                setNotice(msg);
                setReload((n) => n + 1);
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function AnswerItem({ userId, f, onDone }: { userId: string; f: FeedbackOut; onDone: (msg: string) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return setError(t('feedback.answerRequired'));
    setBusy(true);
    setError(null);
    try {
      await answerFeedback(userId, f.id, text);
      onDone(t('feedback.answered', { name: f.author_name }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) onDone(t('review.conflict'));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="item" data-testid="feedback-open-item" data-id={f.id}>
      <div class="item-head">
        <strong>{f.author_name}</strong>
        <span class="small muted">{fmt.dateTime(f.created_at)}</span>
      </div>
      <p class="text">{f.text}</p>
      {f.evidence.length > 0 && (
        <div class="thumbs">
          {f.evidence.map((sha) => (
            <Thumb userId={userId} sha={sha} />
          ))}
        </div>
      )}
      <form onSubmit={send} noValidate>
        <label class="field">
          <span>{t('feedback.answer')}</span>
          <textarea rows={3} value={text} maxLength={5000} onInput={(e) => setText(e.currentTarget.value)} data-testid="feedback-answer-text" />
        </label>
        {error && <p class="err block">{error}</p>}
        <button class="btn primary" type="submit" disabled={busy} data-testid="feedback-answer-send">
          {t('feedback.answerSend')}
        </button>
      </form>
    </li>
  );
}
