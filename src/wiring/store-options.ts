import type { Logger } from 'pino';
import type { StoreOptions } from '../store/open-store.ts';

/**
 * The store a node opens from its configuration: PostgreSQL at `databaseUrl`, else the embedded
 * store under `dataDir`, each with what the node does when the store's transport fails.
 */
export function storeOptionsFor(
  config: { databaseUrl?: string; dataDir: string; pgPrepared: boolean },
  logger: Logger,
): StoreOptions {
  if (config.databaseUrl)
    return {
      kind: 'postgres',
      url: config.databaseUrl,
      preparedStatements: config.pgPrepared,
      onIdleConnectionError: (error) =>
        logger.warn({ err: error }, 'PostgreSQL closed an idle connection; the pool opens a new one'),
    };
  return {
    kind: 'pglite',
    dataDir: config.dataDir,
    // Nothing durable can happen without the store: stop, and let the supervisor start a fresh
    // node (calls in flight are taken up again when their leases lapse).
    onThreadCrash: (error) => {
      logger.fatal({ err: error }, "the embedded store's thread ended; the node stops");
      process.exit(1);
    },
  };
}
