import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import { download } from '../dashboard/dashboard';
import { t, type MessageKey } from '../i18n';
import { online } from '../net';
import {
  EXPORTS,
  exportName,
  exportPath,
  getProgress,
  percent,
  type ExportKind,
  type Progress,
  type Survey,
} from './admin';

/** Responses per village of a sent-out survey, and the downloads. */
export function SurveyProgress({ userId, survey }: { userId: string; survey: Survey }) {
  const [data, setData] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    getProgress(userId, survey.id).then(
      (p) => live && (setData(p), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, survey.id, survey.state, isOnline]);
  return (
    <div class="card" data-testid="survey-progress">
      <h2>{t('surveyAdmin.progress')}</h2>
      {error && <p class="err block">{error}</p>}
      {data && (
        <>
          <p data-testid="progress-total">
            {t(survey.target === 'villages' ? 'surveyAdmin.totalVillages' : 'surveyAdmin.totalHouseholds', { done: data.done, n: data.targeted })}
          </p>
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th class="sticky">{t('surveyAdmin.village')}</th>
                  <th>{t('surveyAdmin.doneOf')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.villages.map((v) => (
                  <tr data-testid="progress-row" data-code={v.village_code}>
                    <th class="sticky" scope="row">
                      {v.village_name}
                    </th>
                    <td class="num" data-testid="progress-count">
                      {v.done} / {v.targeted}
                    </td>
                    <td>
                      <progress max={100} value={percent(v.done, v.targeted)} aria-label={`${percent(v.done, v.targeted)}%`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="small muted">{t('surveyAdmin.noRanking')}</p>
        </>
      )}
      <Exports userId={userId} survey={survey} />
    </div>
  );
}

function Exports({ userId, survey }: { userId: string; survey: Survey }) {
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (kind: ExportKind) => {
    setBusy(kind);
    setError(null);
    try {
      await download(userId, exportPath(survey.id, kind), exportName(survey.title, kind));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div data-testid="survey-exports">
      <div class="actions">
        {EXPORTS.map((kind) => (
          <button class="btn" onClick={() => void get(kind)} disabled={!!busy || !online.get()} data-testid={`survey-export-${kind}`}>
            {busy === kind ? t('app.loading') : t(`surveyAdmin.export.${kind}` as MessageKey)}
          </button>
        ))}
      </div>
      {error && <p class="err block">{error}</p>}
    </div>
  );
}
