import { useRef, useState } from 'preact/hooks';
import { ApiError, api, fetchBlob, errorText, type FieldError } from '../../api';
import { online } from '../../net';
import { useStores } from '../../store';
import { saveBlob } from '../geography/places';
import { ct } from '../i18n';

/** What every import answers: counts, and whether it was only a preview. */
export interface ImportReport {
  created: number;
  updated: number;
  unchanged?: number;
  closed?: number;
  rows: number;
  dry_run: boolean;
}

interface Props {
  /** The import route under /api, with its own query (`?county=…`) if any. */
  url: string;
  template: { url: string; file: string };
  /** Names the panel in test ids: `import-<id>-…`. */
  id: string;
  onDone?: (report: ImportReport) => void;
}

function withDryRun(url: string, dry: boolean): string {
  return `${url}${url.includes('?') ? '&' : '?'}dry_run=${dry ? 'true' : 'false'}`;
}

function counts(r: ImportReport): string {
  return ct(r.dry_run ? 'console.registers.import.wouldDo' : 'console.registers.import.done', {
    rows: r.rows,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged ?? Math.max(0, r.rows - r.created - r.updated),
  });
}

/**
 * Import a table (CSV or XLSX): choosing a file previews it at once (the server checks every
 * row and writes nothing); the preview's counts, or every bad row by row and column, show
 * before anything is committed. Committing sends the same file again: all rows or none.
 */
export function ImportPanel({ url, template, id, onDone }: Props) {
  useStores(online);
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [failure, setFailure] = useState<{ detail: string; errors: FieldError[] } | null>(null);

  const send = async (f: File, dry: boolean) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await api<ImportReport>(withDryRun(url, dry), {
        method: 'POST',
        body: f,
        headers: { 'Content-Type': f.type || 'application/octet-stream' },
        timeoutMs: 120_000,
      });
      setReport(r);
      if (!dry) {
        setFile(null);
        if (input.current) input.current.value = '';
        onDone?.(r);
      }
    } catch (err) {
      setReport(null);
      setFailure(
        { detail: errorText(err), errors: err instanceof ApiError ? err.errors : [] },
      );
    } finally {
      setBusy(false);
    }
  };

  const pick = (f: File | null) => {
    setFile(f);
    setReport(null);
    setFailure(null);
    if (f) void send(f, true);
  };

  const download = async () => {
    try {
      saveBlob(await fetchBlob(template.url), template.file);
    } catch (err) {
      setFailure({ detail: errorText(err), errors: [] });
    }
  };

  const offline = !online.get();
  return (
    <div class="import-panel" data-testid={`import-${id}`}>
      <div class="row">
        <label class="btn small file-pick">
          {ct('console.registers.import.choose')}
          <input
            ref={input}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            disabled={busy || offline}
            onChange={(e) => pick((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
            data-testid={`import-${id}-file`}
          />
        </label>
        <button type="button" class="btn small" onClick={download} disabled={offline} data-testid={`import-${id}-template`}>
          {ct('console.registers.import.template')}
        </button>
      </div>
      <p class="small muted">{ct('console.registers.import.hint')}</p>
      {file && <p class="small">{file.name}</p>}
      {busy && (
        <p class="small muted" role="status" data-testid={`import-${id}-busy`}>
          {ct('console.registers.import.checking')}
        </p>
      )}
      {report && (
        <div class={report.dry_run ? 'banner' : 'banner ok'} role="status" data-testid={`import-${id}-report`} data-dry-run={String(report.dry_run)}>
          {counts(report)}
        </div>
      )}
      {report?.dry_run && file && (
        <button type="button" class="btn primary" disabled={busy || offline} onClick={() => void send(file, false)} data-testid={`import-${id}-commit`}>
          {ct('console.registers.import.commit', { rows: report.rows })}
        </button>
      )}
      {failure && (
        <div class="err block" role="alert" data-testid={`import-${id}-errors`}>
          <p>{failure.detail}</p>
          {failure.errors.length > 0 && (
            <div class="table-wrap scroll-cue">
              <table class="data">
                <thead>
                  <tr>
                    <th>{ct('console.registers.import.row')}</th>
                    <th>{ct('console.registers.import.column')}</th>
                    <th>{ct('console.registers.import.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {failure.errors.map((e, i) => (
                    <tr key={i} data-testid="import-error" data-row={e.row ?? ''} data-field={e.field}>
                      <td class="num">{e.row ?? '—'}</td>
                      <td>{e.column ?? e.field}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
