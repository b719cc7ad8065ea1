import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** One record of an import file: its 1-based line, and the contact object it describes or why not. */
export type ImportRecord = { line: number; value: unknown } | { line: number; error: string };

/**
 * NDJSON: one contact object per line; blank lines are skipped. Streams: memory stays flat
 * however long the file is.
 */
export async function* readNdjson(input: Readable): AsyncGenerator<ImportRecord> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch (error) {
      yield { line, error: `Line is not valid JSON: ${(error as Error).message}` };
    }
  }
}

/**
 * CSV with a header row: `externalId` (required), `name`, `timezone`, one column per phone
 * type holding that number (e.g. `mobile`, `work`), `consent` (granted|revoked) and
 * `attributes.<key>` columns. Empty cells are absent values.
 */
export async function* readCsv(input: Readable, phoneTypes: readonly string[]): AsyncGenerator<ImportRecord> {
  const parser = input.pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: false,
    }),
  );
  // pipe() does not forward errors: without this, a body cut off mid-upload (or refused as too
  // large) would leave the parser waiting for more input forever.
  input.once('error', (error) => parser.destroy(error));
  const phoneColumns = new Set(phoneTypes);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const contact: Record<string, unknown> = {};
      const phoneNumbers: Array<{ phoneType: string; number: string }> = [];
      const attributes: Record<string, string> = {};
      for (const [column, cell] of Object.entries(record)) {
        if (cell === '') continue;
        if (phoneColumns.has(column)) phoneNumbers.push({ phoneType: column, number: cell });
        else if (column.startsWith('attributes.')) attributes[column.slice('attributes.'.length)] = cell;
        else if (column === 'consent') contact.consent = { status: cell, source: 'import' };
        else contact[column] = cell;
      }
      if (phoneNumbers.length > 0) contact.phoneNumbers = phoneNumbers;
      if (Object.keys(attributes).length > 0) contact.attributes = attributes;
      yield { line: info.lines, value: contact };
    }
  } catch (error) {
    // Only the parser's own errors are about the file; the body's (aborted, too large) pass on.
    if (!String((error as { code?: unknown }).code ?? '').startsWith('CSV_')) throw error;
    const lines = (error as { lines?: number }).lines ?? 0;
    yield { line: lines, error: `CSV syntax error: ${(error as Error).message}` };
  }
}
