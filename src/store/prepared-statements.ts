import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Put first in a statement's text to have PostgreSQL keep it prepared on each pooled connection.
 * Only for hot statements whose text never changes (batches passed as one jsonb or array
 * parameter, not as a varying VALUES list): each distinct text stays prepared for the life of
 * the connection. On PGlite it is just a comment.
 */
export const PREPARED = '/* prepared */';

type Query = (...args: unknown[]) => unknown;

/**
 * Makes the pool's connections run marked statements as named prepared statements: parsed and
 * planned once per connection (PostgreSQL switches to a cached generic plan after five runs)
 * instead of on every run. The facts read of the accept path has six lateral lookups; planning
 * it cost PostgreSQL more than running it for a batch of a dozen requests.
 */
export function prepareMarkedStatements(pool: pg.Pool): void {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (!name) {
      name = `pconn_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      names.set(text, name);
    }
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    // Kysely calls query(text, values); pg's Pool.query calls query(text, values, callback).
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const [text, values, ...rest] = args;
      if (typeof text === 'string' && text.startsWith(PREPARED) && typeof values !== 'function')
        return query({ name: nameOf(text), text, values }, ...rest);
      return query(...args);
    };
  });
}
