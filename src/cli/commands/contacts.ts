import { extname } from 'node:path';
import type { Command } from 'commander';
import type { Contact } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { countingFileStream, showProgress, type UploadProgress } from '../import-progress.ts';
import { print, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';

interface ImportOptions extends ConnectionOptions {
  campaign?: string;
  format?: string;
  progress?: boolean;
}

/**
 * `pconn contacts import FILE [--campaign ID]`: streams a CSV or NDJSON file to the bulk
 * import (all-or-nothing). On a TTY, stderr shows rows/s and the ETA; a rejected file prints
 * every bad line with its pointer, detail and hint.
 */
export function registerContactCommands(program: Command): void {
  const contacts = program.command('contacts').description('contacts');
  withConnection(contacts.command('list').description('list contacts'))
    .option('--external-id <id>', 'only the contact with this external id (your CRM id)')
    .option('--limit <n>', 'at most this many', '100')
    .action((options: ConnectionOptions & { externalId?: string; limit: string }) =>
      run(options, async () => {
        const rows: Contact[] = [];
        for await (const contact of clientFrom(options).contacts.list({ externalId: options.externalId })) {
          rows.push(contact);
          if (rows.length >= Number(options.limit)) break;
        }
        print(options.json === true, rows, () =>
          rows.length === 0
            ? ['no contacts']
            : rows.map(
                (c) =>
                  `${c.id}  ${c.externalId.padEnd(20)} ${c.name ?? ''}  ${c.phoneNumbers.map((p) => `${p.phoneType}:${p.number}`).join(' ')}`,
              ),
        );
        return 0;
      }),
    );

  withConnection(
    contacts
      .command('import')
      .description('import contacts from CSV (header: externalId,name,timezone,<phone type>…) or NDJSON')
      .argument('<file>'),
  )
    .option('--campaign <id>', 'also add every contact to this campaign')
    .option('--format <csv|ndjson>', 'file format (default from the extension)')
    .option('--progress', 'show progress even when stderr is not a terminal')
    .action((file: string, options: ImportOptions) =>
      run(options, async () => {
        const format = (
          options.format ?? (/\.(nd)?jsonl?$/i.test(extname(file)) ? 'ndjson' : 'csv')
        ).toLowerCase();
        if (format !== 'csv' && format !== 'ndjson')
          throw new UsageError(`--format must be csv or ndjson, not '${format}'`);
        const progress: UploadProgress = { bytes: 0, totalBytes: 0, rows: 0, startedAt: Date.now() };
        let body: ReadableStream<Uint8Array>;
        try {
          body = countingFileStream(file, progress);
        } catch (error) {
          throw new UsageError(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          );
        }
        const client = clientFrom(options);
        const stop = showProgress(progress, options.progress === true || process.stderr.isTTY === true);
        let result: Awaited<ReturnType<typeof client.contacts.importContacts>>;
        try {
          result = options.campaign
            ? await client.campaigns.importContacts(options.campaign, { format, body })
            : await client.contacts.importContacts({ format, body });
        } finally {
          stop();
        }
        const seconds = (Date.now() - progress.startedAt) / 1000;
        print(options.json === true, { ...result, seconds }, () => [
          `imported ${result.rows} rows in ${seconds.toFixed(1)} s (${Math.round(result.rows / Math.max(seconds, 0.001))} rows/s): ` +
            `${result.created} created, ${result.updated} updated` +
            (options.campaign ? `, ${result.addedToCampaign} added to ${options.campaign}` : ''),
        ]);
        return 0;
      }),
    );
}
