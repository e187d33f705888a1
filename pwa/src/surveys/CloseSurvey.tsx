import { useState } from 'preact/hooks';
import { errorText } from '../api';
import { ask } from '../dialog';
import { t } from '../i18n';
import { online } from '../net';
import { closeSurvey, type Survey } from './admin';

/** Closing a published survey (after a confirmation): no more answers are taken. */
export function CloseSurvey({ userId, survey, onDone }: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = async () => {
    const sure = await ask({
      title: t('surveyAdmin.closeConfirm', { title: survey.title }),
      confirm: t('surveyAdmin.close'),
      danger: true,
    });
    if (!sure) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await closeSurvey(userId, survey.id));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <div class="card">
      <button class="btn danger wide" onClick={() => void close()} disabled={busy || !online.get()} data-testid="survey-close">
        {busy ? t('app.loading') : t('surveyAdmin.close')}
      </button>
      <p class="small muted">{t('surveyAdmin.closeNote')}</p>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}
