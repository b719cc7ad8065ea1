import type { Command } from 'commander';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { EXIT, run } from '../output.ts';
import { callEvents } from '../watch/call-events.ts';
import { CallTable, eventLine } from '../watch/call-table.ts';

interface WatchOptions extends ConnectionOptions {
  campaign?: string;
  maxEvents?: string;
  duration?: string;
  redraw?: boolean;
}

/**
 * `pconn watch`: calls as they change. On a terminal a live table is redrawn in place; piped
 * (or with --json, one event JSON per line) each event is one line. Runs until Ctrl-C,
 * `--max-events` or `--duration`.
 */
export function registerWatchCommand(program: Command): void {
  withConnection(program.command('watch').description('live table of calls (a line per event when piped)'))
    .option('--campaign <id>', "only this campaign's calls")
    .option('--max-events <n>', 'stop after this many events')
    .option('--duration <seconds>', 'stop after this long')
    .option('--redraw', 'redraw the table in place even when stdout is not a terminal')
    .action((options: WatchOptions) =>
      run(options, async () => {
        const client = clientFrom(options);
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        const timer = options.duration ? setTimeout(stop, Number(options.duration) * 1000) : undefined;
        const table = new CallTable();
        const redraw = !options.json && (options.redraw === true || process.stdout.isTTY === true);
        let drawn = 0;
        let count = 0;
        const draw = () => {
          const lines = table.render();
          // Move up over the previous table and clear to the end of the screen, then print.
          process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
          drawn = lines.length;
        };
        if (redraw) draw();
        try {
          for await (const event of callEvents(client, {
            campaignId: options.campaign,
            signal: abort.signal,
          })) {
            count++;
            if (options.json) process.stdout.write(`${JSON.stringify(event)}\n`);
            else if (redraw) {
              table.update(event);
              draw();
            } else process.stdout.write(`${eventLine(event)}\n`);
            if (options.maxEvents && count >= Number(options.maxEvents)) break;
          }
        } finally {
          if (timer) clearTimeout(timer);
          process.off('SIGINT', stop);
          abort.abort();
        }
        return EXIT.ok;
      }),
    );
}
