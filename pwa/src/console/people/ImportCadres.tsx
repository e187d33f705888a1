import { useEffect, useState } from 'preact/hooks';
import { ApiError, type FieldError } from '../../api';
import { download } from '../../dashboard/dashboard';
import { online } from '../../net';
import { href } from '../../router';
import { ct, type ConsoleKey } from '../i18n';
import { k, message } from './parts';
import { TEMPLATE, importFile, passwordsCsv, problemsByRow, type ImportReport } from './roster';

type State =
  | { step: 'pick' }
  | { step: 'busy'; what: 'check' | 'commit' }
  | { step: 'preview'; report: ImportReport }
  | { step: 'done'; report: ImportReport }
  | { step: 'refused'; detail: string; errors: FieldError[] };

/** The column a problem names, in the reader's words (an unknown header is shown as written). */
function columnOf(e: FieldError): string {
  const key = `console.people.col.${e.field}` as ConsoleKey;
  const label = ct(key);
  return label === key ? e.field : label;
}

/** 批量导入: template, file, preview (dry run), then all rows or none. */
export default function ImportCadres({ userId }: { userId: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<State>({ step: 'pick' });
  const isOnline = online.get();
  // On a phone the answer is below the fold: bring it into view.
  useEffect(() => {
    if (state.step === 'pick' || state.step === 'busy') return;
    document.querySelector('.import-result')?.scrollIntoView({ block: 'start' });
  }, [state.step]);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setState({ step: 'busy', what: dryRun ? 'check' : 'commit' });
    try {
      const report = await importFile(userId, file, dryRun);
      setState({ step: dryRun ? 'preview' : 'done', report });
    } catch (err) {
      setState({
        step: 'refused',
        detail: message(err),
        errors: err instanceof ApiError ? err.errors : [],
      });
    }
  };

  const savePasswords = (report: ImportReport) => {
    const header = (['name', 'phone', 'posting', 'temporary_password'] as const).map((x) => ct(`console.people.col.${x}`));
    const blob = new Blob([passwordsCsv(report.rows, header)], { type: 'text/csv' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'cadre-accounts.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  return (
    <div data-testid="people-import-view">
      <a href={href('console', 'people')} class="small">
        ← {ct('console.people.back')}
      </a>
      <h1>{ct('console.people.import.title')}</h1>
      <div class="card">
        <p class="small">{ct('console.people.import.help')}</p>
        <div class="actions">
          <button class="btn small" data-testid="template-xlsx" disabled={!isOnline} onClick={() => download(userId, TEMPLATE.xlsx, '驻村干部导入模板.xlsx')}>
            {ct('console.people.import.templateXlsx')}
          </button>
          <button class="btn small" data-testid="template-csv" disabled={!isOnline} onClick={() => download(userId, TEMPLATE.csv, '驻村干部导入模板.csv')}>
            {ct('console.people.import.templateCsv')}
          </button>
        </div>
        {state.step !== 'done' && (
          <>
            <label class="field">
              <span>{ct('console.people.import.file')}</span>
              <input
                type="file"
                accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                data-testid="import-file"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0] ?? null);
                  setState({ step: 'pick' });
                }}
              />
            </label>
            <button class="btn primary" data-testid="import-check" disabled={!file || !isOnline || state.step === 'busy'} onClick={() => send(true)}>
              {state.step === 'busy' && state.what === 'check' ? ct('console.people.import.checking') : ct('console.people.import.check')}
            </button>
          </>
        )}
      </div>

      {state.step === 'busy' && (
        <p class="muted" role="status" data-testid="import-busy">
          {state.what === 'check' ? ct('console.people.import.checking') : ct('console.people.import.committing')}
        </p>
      )}

      {state.step === 'refused' && (
        <div class="card import-result import-refused" role="alert" data-testid="import-refused">
          <p class="err">
            <strong>{state.detail}</strong>
          </p>
          <p class="small">{ct('console.people.import.refused')}</p>
          <ul class="problems" data-testid="import-problems">
            {problemsByRow(state.errors).map(({ row, errors }) => (
              <li data-testid="problem-row" data-row={row}>
                <strong>{row ? ct('console.people.import.rowLabel', { row }) : ct('console.people.import.fileLabel')}</strong>
                <ul>
                  {errors.map((e) => (
                    <li data-testid="problem" data-field={e.field}>
                      {columnOf(e)}：{e.message}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      )}

      {(state.step === 'preview' || state.step === 'done') && (
        <div class="card import-result" data-testid={state.step === 'preview' ? 'import-preview' : 'import-done'} data-count={state.report.count}>
          <p class={state.step === 'done' ? 'ok' : ''}>
            {state.step === 'preview'
              ? ct('console.people.import.preview', { n: state.report.count })
              : ct('console.people.import.done', { n: state.report.count })}
          </p>
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>{ct('console.people.col.row')}</th>
                  <th>{ct('console.people.col.name')}</th>
                  <th>{ct('console.people.col.phone')}</th>
                  <th>{ct('console.people.col.posting')}</th>
                  <th>{ct('console.people.col.position')}</th>
                  <th>{ct('console.people.col.start_date')}</th>
                  {state.step === 'done' && <th>{ct('console.people.col.temporary_password')}</th>}
                </tr>
              </thead>
              <tbody>
                {state.report.rows.map((r) => (
                  <tr data-testid="import-row" data-row={r.row}>
                    <td class="num">{r.row}</td>
                    <td>{r.name}</td>
                    <td>{r.phone}</td>
                    <td>
                      {r.township_name} · {r.village_name}
                    </td>
                    <td>{k(`console.people.position.${r.position}`)}</td>
                    <td>
                      {r.start_date}
                      {r.end_date ? ` – ${r.end_date}` : ''}
                    </td>
                    {state.step === 'done' && (
                      <td>
                        <code data-testid="import-password">{r.temporary_password}</code>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.step === 'preview' ? (
            <button class="btn primary wide" data-testid="import-commit" disabled={!isOnline} onClick={() => send(false)}>
              {ct('console.people.import.commit', { n: state.report.count })}
            </button>
          ) : (
            <div class="actions">
              <button class="btn primary" data-testid="import-passwords" onClick={() => savePasswords(state.report)}>
                {ct('console.people.import.download')}
              </button>
              <button class="btn" onClick={() => (setFile(null), setState({ step: 'pick' }))}>
                {ct('console.people.import.again')}
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
