import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import { t, type MessageKey } from '../i18n';
import { online } from '../net';
import { href } from '../router';
import { getSurvey, type Survey } from './admin';
import SurveyEditor from './SurveyEditor';
import './surveys.css';
import { CloseSurvey } from './CloseSurvey';
import { PreviewAndPublish } from './PreviewAndPublish';
import { QuestionList } from './QuestionList';
import { SurveyProgress } from './SurveyProgress';
import { XlsformUpload } from './XlsformUpload';
import { StateBadge, period } from './adminParts';

/** One survey: its progress, form (upload or editor), preview and publishing, closing. */
export function SurveyDetail({ userId, sid }: { userId: string; sid: string }) {
  const [survey, setSurvey] = useState<Survey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getSurvey(userId, sid).then(
      (s) => live && (setSurvey(s), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, sid, isOnline]);

  const questions = survey?.form.questions ?? [];
  const open = survey && survey.state !== 'closed';
  // The in-app editor changes the working form: a draft, or a published survey's next version.
  const editable = !!open && !!survey?.can_manage;
  // A published survey is published again only when its working form changed since.
  const publishable = !!survey?.can_manage && questions.length > 0 && (survey.state === 'draft' || (survey.state === 'published' && survey.form_changed));
  return (
    <div data-testid="survey-detail" data-state={survey?.state ?? ''}>
      <p>
        <a href={href('surveyadmin')}>‹ {t('surveyAdmin.back')}</a>
      </p>
      {error && <p class="err block">{error}</p>}
      {!survey && !error && isOnline && <p class="muted loading">{t('app.loading')}</p>}
      {survey && (
        <>
          <div class="row">
            <h1 data-testid="survey-heading">{survey.title}</h1>
            <StateBadge state={survey.state} />
          </div>
          <p class="small muted">
            {period(survey)} · {t(`surveyAdmin.target.${survey.target}` as MessageKey)} · {t('surveyAdmin.villageCount', { n: survey.villages.length })}
            {survey.versions.length ? ` · ${t('surveyAdmin.version', { n: Math.max(...survey.versions.map((v) => v.version)) })}` : ''}
          </p>
          {survey.description && <p class="text">{survey.description}</p>}
          {notice && (
            <p class="ok" role="status" data-testid="survey-notice">
              {notice}
            </p>
          )}
          {/* Once sent out, progress matters most; the form and a new version come below it. */}
          {survey.state !== 'draft' && <SurveyProgress userId={userId} survey={survey} />}
          {editing && editable && (
            <SurveyEditor
              userId={userId}
              survey={survey}
              onSaved={(s) => {
                setSurvey(s);
                setEditing(false);
                setNotice(t('surveyEditor.saved', { n: s.form.questions.length }));
              }}
              onCancel={() => setEditing(false)}
            />
          )}
          {!editing && editable && (
            <XlsformUpload
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.uploaded', { n: s.form.questions.length }));
              }}
            />
          )}
          {!editing && (
            <QuestionList
              survey={survey}
              onEdit={
                editable
                  ? () => {
                      setNotice(null);
                      setEditing(true);
                    }
                  : undefined
              }
            />
          )}
          {publishable && !editing && (
            <PreviewAndPublish
              key={JSON.stringify(survey.form)}
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.published'));
              }}
            />
          )}
          {survey.state === 'published' && survey.can_manage && !editing && (
            <CloseSurvey
              userId={userId}
              survey={survey}
              onDone={(s) => {
                setSurvey(s);
                setNotice(t('surveyAdmin.closed'));
              }}
            />
          )}
        </>
      )}
    </div>
  );
}
