import { useState } from 'preact/hooks';
import { errorText } from '../api';
import { download } from '../dashboard/dashboard';
import { t } from '../i18n';
import { online } from '../net';
import { TEMPLATE_PATH, problemRows, uploadXlsform, warningRows, type ProblemRow, type Survey } from './admin';

/** Upload an XLSForm (all or nothing, problems by sheet/row/column), the template, the form back as XLSForm. */
export function XlsformUpload({ userId, survey, onDone }: { userId: string; survey: Survey; onDone: (s: Survey) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState<'upload' | 'template' | 'xlsform-out' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<ProblemRow[]>([]);
  const [warnings, setWarnings] = useState<ProblemRow[]>([]);
  const off = !online.get();
  const upload = async () => {
    if (!file) return;
    setBusy('upload');
    setError(null);
    setProblems([]);
    setWarnings([]);
    try {
      const s = await uploadXlsform(userId, survey.id, file, files);
      setWarnings(warningRows(s));
      onDone(s);
    } catch (err) {
      setError(errorText(err));
      setProblems(problemRows(err));
    } finally {
      setBusy(null);
    }
  };
  const template = async (path = TEMPLATE_PATH, name = 'xlsform-template.xlsx') => {
    setBusy(path === TEMPLATE_PATH ? 'template' : 'xlsform-out');
    setError(null);
    try {
      await download(userId, path, name);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="card" data-testid="survey-upload-card">
      <h2>{t('surveyAdmin.xlsform')}</h2>
      <p class="small muted">{t('surveyAdmin.xlsformNote')}</p>
      <label class="field">
        <span>{t('surveyAdmin.xlsformFile')}</span>
        <input
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          data-testid="survey-xlsform"
        />
      </label>
      <label class="field">
        <span>{t('surveyAdmin.xlsformFiles')}</span>
        <input
          type="file"
          multiple
          accept=".csv,text/csv"
          onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))}
          data-testid="survey-xlsform-files"
        />
      </label>
      <div class="actions">
        <button type="button" class="btn primary" onClick={() => void upload()} disabled={!file || !!busy || off} data-testid="survey-upload">
          {busy === 'upload' ? t('app.loading') : t('surveyAdmin.upload')}
        </button>
        <button type="button" class="btn" onClick={() => void template()} disabled={!!busy || off} data-testid="survey-template">
          {busy === 'template' ? t('app.loading') : t('surveyAdmin.template')}
        </button>
        {survey.form.questions.length > 0 && (
          <button
            type="button"
            class="btn"
            onClick={() => void template(`/surveys/${survey.id}/xlsform`, `survey-${survey.id}.xlsx`)}
            disabled={!!busy || off}
            data-testid="survey-xlsform-download"
          >
            {busy === 'xlsform-out' ? t('app.loading') : t('surveyAdmin.xlsformDownload')}
          </button>
        )}
      </div>
      {error && (
        <p class="err block" role="alert" data-testid="survey-upload-error">
          {error}
        </p>
      )}
      {warnings.length > 0 && (
        <div class="banner warn" role="status" data-testid="xlsform-warnings">
          <p>{t('surveyAdmin.importWarnings')}</p>
          <ul class="warnings">
            {warnings.map((w) => (
              <li data-testid="xlsform-warning">
                {w.reason}
                <span class="small">
                  {' '}
                  ({w.row ? t('surveyAdmin.warningAt', { sheet: w.sheet, row: w.row, column: w.column }) : w.column})
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {problems.length > 0 && (
        <div class="table-wrap">
          <table class="data" data-testid="xlsform-errors">
            <thead>
              <tr>
                <th>{t('surveyAdmin.sheet')}</th>
                <th>{t('surveyAdmin.row')}</th>
                <th>{t('surveyAdmin.column')}</th>
                <th>{t('surveyAdmin.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr data-testid="xlsform-error">
                  <td>{p.sheet}</td>
                  <td class="num">{p.row}</td>
                  <td>{p.column}</td>
                  <td style={{ whiteSpace: 'normal' }}>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
