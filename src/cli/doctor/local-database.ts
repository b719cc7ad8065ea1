import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import type { CheckResult } from './check-result.ts';

/**
 * The local store check, for a doctor run on the server's host: with DATABASE_URL it connects
 * (3 s timeout) and compares the applied migrations with the ones this build ships; with
 * PCONN_DATA_DIR it checks the embedded store's directory (it is not opened: PGlite allows one
 * process, and that is the server). Skipped when neither is set.
 */
export async function checkLocalDatabase(env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  if (env.DATABASE_URL) return [await checkPostgres(env.DATABASE_URL)];
  if (env.PCONN_DATA_DIR) {
    const dir = env.PCONN_DATA_DIR;
    if (!existsSync(dir)) {
      return [
        {
          name: 'database',
          status: 'fail',
          detail: `no embedded store at ${dir}`,
          fix: 'check PCONN_DATA_DIR, or start pconn once to create it',
        },
      ];
    }
    const initialised = existsSync(join(dir, 'PG_VERSION'));
    return [
      {
        name: 'database',
        status: initialised ? 'ok' : 'warn',
        detail: initialised
          ? `embedded store at ${dir} (migrations run when pconn starts)`
          : `${dir} exists but holds no store yet`,
      },
    ];
  }
  return [
    {
      name: 'database',
      status: 'skip',
      detail: 'DATABASE_URL and PCONN_DATA_DIR unset (run doctor on the server host to check the store)',
    },
  ];
}

async function checkPostgres(url: string): Promise<CheckResult> {
  const where = redact(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return {
      name: 'database',
      status: 'fail',
      detail: `cannot connect to ${where}: ${e.code ?? e.message}${e.code ? ` (${e.message})` : ''}`,
      fix: 'check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running',
    };
  }
  try {
    const shipped = Object.keys(MIGRATIONS).sort();
    let applied: string[];
    try {
      applied = (
        await client.query<{ name: string }>('select name from pconn_migrations order by name')
      ).rows.map((r) => r.name);
    } catch {
      return {
        name: 'database',
        status: 'fail',
        detail: `${where} reachable but has no pconn schema`,
        fix: 'start pconn once: it applies the migrations',
      };
    }
    const pending = shipped.filter((name) => !applied.includes(name));
    const unknown = applied.filter((name) => !shipped.includes(name));
    if (pending.length > 0) {
      return {
        name: 'database',
        status: 'fail',
        detail: `${where}: ${pending.length} migration(s) pending: ${pending.join(', ')}`,
        fix: 'restart pconn: migrations run at start',
      };
    }
    if (unknown.length > 0) {
      return {
        name: 'database',
        status: 'warn',
        detail: `${where} has migrations this build does not know (${unknown.join(', ')}): a newer pconn uses it`,
        fix: 'upgrade this pconn',
      };
    }
    return {
      name: 'database',
      status: 'ok',
      detail: `${where} reachable, ${applied.length} migrations applied (current)`,
    };
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
