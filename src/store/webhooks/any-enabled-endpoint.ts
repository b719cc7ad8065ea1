import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * Whether any tenant has an enabled webhook endpoint: the fan-out's condition for making a
 * delivery at all (fan-out-deliveries.ts), asked on its own because it is a probe of a small
 * table, where the fan-out reads every new event of the outbox and moves its cursor.
 */
export async function anyEnabledEndpoint(db: Executor): Promise<boolean> {
  // `enabled` as a parameter: a statement with parameters is kept prepared on the embedded store
  // (pglite-statements.ts), one without is parsed and planned on every run (~0.75 ms in PGlite).
  const result = await sql<{ found: boolean }>`
    select exists (select 1 from webhook_endpoints where data->>'enabled' = ${'true'}) as found`.execute(db);
  return result.rows[0]?.found === true;
}
