import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import { ask } from '../dialog';
import { lang, t } from '../i18n';
import { online } from '../net';
import {
  freshnessText,
  getPreview,
  groupOverlaps,
  labelOf,
  publishSurvey,
  type Preview,
  type Survey,
} from './admin';
import { StateBadge, period } from './adminParts';

/** What publishing would ask again and whom else it would bother, then the button itself. */
export function PreviewAndPublish(props: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const { userId, survey } = props;
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getPreview(userId, survey.id).then(
      (p) => live && (setPreview(p), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, survey.id, isOnline]);

  const questions = survey.form.questions;
  const overlaps = groupOverlaps(preview?.overlaps ?? []);
  const publish = async () => {
    const body = [t('surveyAdmin.publishAskBody')];
    if (overlaps.length) body.push(t('surveyAdmin.publishWarnConfirm', { n: overlaps.length }));
    const label = survey.state === 'draft' ? t('surveyAdmin.publish') : t('surveyAdmin.republish');
    if (!(await ask({ title: t('surveyAdmin.publishAsk', { title: survey.title }), body: body.join(' '), confirm: label }))) return;
    setBusy(true);
    setError(null);
    try {
      props.onDone(await publishSurvey(userId, survey.id));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <div class="card" data-testid="survey-preview">
      <h2>{t('surveyAdmin.preview')}</h2>
      {!preview && !error && <p class="muted loading">{t('app.loading')}</p>}
      {preview && survey.target === 'households' && (
        <>
          <h3>{t('surveyAdmin.knownFacts')}</h3>
          {preview.known.length === 0 ? (
            <p class="small muted" data-testid="preview-no-facts">
              {t('surveyAdmin.noKnownFacts')}
            </p>
          ) : (
            <div class="table-wrap">
              <table class="data">
                <thead>
                  <tr>
                    <th class="sticky">{t('surveyAdmin.question')}</th>
                    <th>{t('surveyAdmin.known')}</th>
                    <th>{t('surveyAdmin.freshness')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.known.map((f) => {
                    const q = questions.find((x) => x.name === f.question);
                    return (
                      <tr data-testid="preview-fact" data-fact={f.fact}>
                        <th class="sticky" scope="row" style={{ whiteSpace: 'normal', minWidth: '7em' }}>
                          {q ? labelOf(q.label, lang.get()) : f.label}
                          <div class="small muted">{f.fact}</div>
                        </th>
                        <td class="num" data-testid="preview-known">
                          {f.known} / {f.targeted}
                        </td>
                        <td>{freshnessText(f.oldest, f.newest)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <p class="small muted">{t('surveyAdmin.knownNote')}</p>
          <h3>{t('surveyAdmin.warnings')}</h3>
          {overlaps.length === 0 ? (
            <p class="small muted" data-testid="preview-no-warnings">
              {t('surveyAdmin.noWarnings', { days: preview.window_days })}
            </p>
          ) : (
            <ul class="list compact">
              {overlaps.map((o) => (
                <li class="item" data-testid="preview-warning" data-id={o.survey_id}>
                  <div class="item-head">
                    <strong>{o.title}</strong>
                    <StateBadge state={o.state} />
                  </div>
                  <p class="small">
                    {period(o)} · {o.days_apart ? t('surveyAdmin.daysApart', { n: o.days_apart }) : t('surveyAdmin.sameTime')}
                  </p>
                  <p class="small muted">
                    {o.villages.join('、')}
                    {o.shared_facts.length > 0 && ` · ${t('surveyAdmin.sharedFacts', { facts: o.shared_facts.join(', ') })}`}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {preview && preview.problems.length > 0 && (
        <ul class="errors err small" data-testid="preview-problems">
          {preview.problems.map((p) => (
            <li>
              {p.field}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {error && <p class="err block">{error}</p>}
      <div class="actions">
        <button
          class="btn primary wide"
          onClick={() => void publish()}
          disabled={busy || !preview || preview.problems.length > 0 || !isOnline}
          data-testid="survey-publish"
        >
          {busy ? t('app.loading') : survey.state === 'draft' ? t('surveyAdmin.publish') : t('surveyAdmin.republish')}
        </button>
      </div>
      <p class="small muted">{t('surveyAdmin.publishNote')}</p>
    </div>
  );
}
