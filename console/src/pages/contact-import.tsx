import { type FieldError, PconnApiError } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { ProblemBox } from '../components/problem.tsx';

/** Rows per request: the progress bar moves after each batch. */
const ROWS_PER_BATCH = 200;

interface Progress {
  done: number;
  total: number;
  created: number;
  updated: number;
}

/**
 * Splits a CSV or NDJSON file into batches (the CSV header repeated on each) so the import shows
 * its progress; each batch is all-or-nothing on the server, and contacts are upserted by
 * externalId, so importing the fixed file again after a rejected batch is safe.
 */
function batches(text: string, format: 'csv' | 'ndjson'): { lines: string[]; firstLine: number }[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const header = format === 'csv' ? lines.shift() : undefined;
  const out: { lines: string[]; firstLine: number }[] = [];
  const offset = header === undefined ? 1 : 2;
  for (let i = 0; i < lines.length; i += ROWS_PER_BATCH)
    out.push({
      lines: [...(header === undefined ? [] : [header]), ...lines.slice(i, i + ROWS_PER_BATCH)],
      firstLine: i + offset - (header === undefined ? 0 : 1),
    });
  return out;
}

/** Contact import into a campaign: a file or pasted text, with progress and per-line errors. */
export function ContactImport(props: { campaignId: string }) {
  const [text, setText] = useState('');
  const [format, setFormat] = useState<'csv' | 'ndjson'>('csv');
  const [progress, setProgress] = useState<Progress>();
  const [error, setError] = useState<unknown>();
  const [lineErrors, setLineErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);

  const run = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setLineErrors([]);
    setBusy(true);
    const parts = batches(text, format);
    const state: Progress = {
      done: 0,
      total: parts.reduce((n, p) => n + p.lines.length, 0),
      created: 0,
      updated: 0,
    };
    if (format === 'csv') state.total -= parts.length;
    setProgress({ ...state });
    try {
      for (const part of parts) {
        try {
          const result = await client.campaigns.importContacts(props.campaignId, {
            format,
            body: `${part.lines.join('\n')}\n`,
          });
          state.done += result.rows;
          state.created += result.created;
          state.updated += result.updated;
          setProgress({ ...state });
        } catch (failure) {
          // Line numbers of a batch count from its own first line: shift them to the file's.
          if (failure instanceof PconnApiError)
            setLineErrors(
              failure.errors.map((e) => ({
                ...e,
                ...(typeof e.line === 'number' ? { line: e.line + part.firstLine - 1 } : {}),
              })),
            );
          throw failure;
        }
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="import" onSubmit={run}>
      <div class="field">
        <label for="import-file">Contacts file (CSV with a header row, or NDJSON)</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
          onChange={async (event) => {
            const file = (event.currentTarget as HTMLInputElement).files?.[0];
            if (!file) return;
            setFormat(/\.(nd)?jsonl?$/i.test(file.name) ? 'ndjson' : 'csv');
            setText(await file.text());
          }}
        />
      </div>
      <div class="field">
        <label for="import-text">…or paste the contacts</label>
        <textarea id="import-text" rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="import-format">Format</label>
        <select
          id="import-format"
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value as 'csv' | 'ndjson')}
        >
          <option value="csv">CSV</option>
          <option value="ndjson">NDJSON</option>
        </select>
      </div>
      <button type="submit" disabled={busy || text.trim() === ''}>
        Import
      </button>
      {progress ? (
        <div class="progress" aria-live="polite">
          <label for="import-progress">Import progress</label>
          <progress id="import-progress" max={Math.max(progress.total, 1)} value={progress.done} />
          <span data-testid="import-progress">
            {progress.done} of {progress.total} rows imported ({progress.created} new, {progress.updated}{' '}
            updated)
          </span>
        </div>
      ) : null}
      <ProblemBox error={error} />
      {lineErrors.length > 0 ? (
        <ul class="line-errors" aria-label="Problems by line">
          {lineErrors.map((e) => (
            <li key={`${e.line}${e.pointer}${e.code}`}>
              Line {e.line ?? '?'} <code>{e.pointer || '(row)'}</code>: {e.detail}
              {e.hint ? <span class="hint"> Hint: {e.hint}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
