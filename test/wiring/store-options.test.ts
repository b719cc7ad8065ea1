import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { storeOptionsFor } from '../../src/wiring/store-options.ts';

test('PCONN_PG_PREPARED: on by default, off on request, anything else refused by name; it reaches the PostgreSQL store', () => {
  const logger = pino({ level: 'silent' });
  const url = { DATABASE_URL: 'postgres://pconn@127.0.0.1/pconn' };
  assert.equal(loadConfig(url).pgPrepared, true);
  assert.equal(loadConfig({ ...url, PCONN_PG_PREPARED: 'off' }).pgPrepared, false);
  assert.throws(
    () => loadConfig({ ...url, PCONN_PG_PREPARED: 'yes' }),
    (error: Error) => error instanceof ConfigError && error.message.includes('PCONN_PG_PREPARED'),
  );
  const options = storeOptionsFor(loadConfig({ ...url, PCONN_PG_PREPARED: 'off' }), logger);
  assert.equal(options.kind === 'postgres' && options.preparedStatements, false);
  assert.equal(storeOptionsFor(loadConfig({}), logger).kind, 'pglite');
});
