import type { Command } from 'commander';
import { type ConnectionOptions, clientFrom, resolveConnection, withConnection } from '../connection.ts';
import type { CheckResult } from '../doctor/check-result.ts';
import { checkLocalDatabase } from '../doctor/local-database.ts';
import { checkServer, checkToken, checkTrunks, checkWebhooks } from '../doctor/remote-checks.ts';
import { EXIT, print, run } from '../output.ts';

interface DoctorOptions extends ConnectionOptions {
  sipTimeout: string;
  httpTimeout: string;
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

/**
 * `pconn doctor`: checks a setup end to end — the local store (with DATABASE_URL or
 * PCONN_DATA_DIR), the server and clock skew, the token, every trunk (SIP OPTIONS) and every
 * webhook endpoint (HTTP) — and says what to fix. Exit 0 when nothing failed, 3 when the server
 * cannot be reached or refuses the credentials, 1 for any other failed check.
 */
export function registerDoctorCommand(program: Command): void {
  withConnection(
    program.command('doctor').description('check the store, server, clock, token, trunks and webhooks'),
  )
    .option('--sip-timeout <ms>', 'how long a trunk may take to answer OPTIONS', '2000')
    .option('--http-timeout <ms>', 'how long a webhook endpoint may take to answer', '3000')
    .action((options: DoctorOptions) =>
      run(options, async () => {
        const results: CheckResult[] = [...(await checkLocalDatabase(process.env))];
        const connection = resolveConnection(options);
        results.push(...(await checkServer(connection.url)));
        const serverDown = results.some((r) => r.name === 'server' && r.status === 'fail');
        if (!serverDown) {
          const client = clientFrom(options);
          const token = await checkToken(client);
          results.push(token);
          if (token.status === 'ok') {
            const [trunks, hooks] = await Promise.all([
              checkTrunks(client, Number(options.sipTimeout)),
              checkWebhooks(client, Number(options.httpTimeout)),
            ]);
            results.push(...trunks, ...hooks);
          }
        }
        const failed = results.filter((r) => r.status === 'fail');
        print(options.json === true, { ok: failed.length === 0, checks: results }, () => [
          ...results.flatMap((r) => [
            `${MARK[r.status]} ${r.name}: ${r.detail}`,
            ...(r.fix ? [`    fix: ${r.fix}`] : []),
          ]),
          '',
          failed.length === 0 ? 'all checks passed' : `${failed.length} check(s) failed`,
        ]);
        if (failed.some((r) => r.name === 'server' || r.name === 'token')) return EXIT.unreachable;
        return failed.length > 0 ? EXIT.failed : EXIT.ok;
      }),
    );
}
