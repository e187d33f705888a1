import { useState } from 'preact/hooks';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import { constraintSummary, labelOf, relevanceSummary, type Survey } from './admin';

/** The working form's questions in words; field names and facts on request. */
export function QuestionList({ survey, onEdit }: { survey: Survey; onEdit?: () => void }) {
  const questions = survey.form.questions;
  const l = lang.get();
  // Field names and facts are for whoever maintains the XLSForm: shown on request only.
  const [raw, setRaw] = useState(false);
  return (
    <div class="card">
      <h2>{t('surveyAdmin.questions', { n: questions.length })}</h2>
      {questions.length > 0 && (
        <label class="check">
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.currentTarget.checked)} data-testid="survey-show-raw" />
          <span>{t('surveyAdmin.showRaw')}</span>
        </label>
      )}
      {questions.length === 0 ? (
        <p class="empty" data-testid="survey-no-form">
          {t(onEdit ? 'surveyEditor.noForm' : 'surveyAdmin.noForm')}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="data" data-testid="survey-questions">
            <thead>
              <tr>
                <th class="sticky">{t('surveyAdmin.question')}</th>
                <th>{t('surveyAdmin.type')}</th>
                <th>{t('surveyAdmin.required')}</th>
                <th>{t('surveyAdmin.constraint')}</th>
                <th>{t('surveyAdmin.relevant')}</th>
                {raw && <th>{t('surveyAdmin.fact')}</th>}
              </tr>
            </thead>
            <tbody>
              {questions.map((q) => (
                <tr data-testid="survey-question" data-name={q.name}>
                  <th class="sticky" scope="row" style={{ whiteSpace: 'normal', minWidth: '8em' }}>
                    {labelOf(q.label, l)}
                    {raw && (
                      <div class="small muted" data-testid="survey-question-name">
                        <code>{q.name}</code>
                      </div>
                    )}
                    {raw &&
                      Object.entries(q.xpath ?? {})
                        .filter(([, v]) => v)
                        .map(([k, v]) => (
                          <div class="small muted" data-testid="survey-question-expr" data-key={k} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                            {k}: <code>{v}</code>
                          </div>
                        ))}
                  </th>
                  <td>{t(`surveyAdmin.qtype.${q.type}` as MessageKey)}</td>
                  <td>{q.required ? t('surveyAdmin.yes') : ''}</td>
                  <td>{[constraintSummary(q.constraint), q.xpath?.constraint ? t('surveyAdmin.byExpression') : ''].filter(Boolean).join('; ')}</td>
                  <td>{[relevanceSummary(q.relevant, questions, l), q.xpath?.relevant ? t('surveyAdmin.byExpression') : ''].filter(Boolean).join('; ')}</td>
                  {raw && <td>{q.fact ?? ''}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {onEdit && (
        <div class="actions">
          <button type="button" class="btn" onClick={onEdit} disabled={!online.get()} data-testid="survey-edit-form">
            {t('surveyEditor.edit')}
          </button>
        </div>
      )}
    </div>
  );
}
