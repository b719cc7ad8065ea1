import { randomBytes } from 'node:crypto';
import { type KyselyPlugin, sql } from 'kysely';
import pino from 'pino';
import { type Clock, systemClock } from '../../src/domain/clock.ts';
import { OutboxSignal } from '../../src/events/outbox-signal.ts';
import { WebhookRelay } from '../../src/events/webhook-relay.ts';
import type { Db } from '../../src/store/database.ts';
import { openSignalledStore } from '../support/signalled-store.ts';
import type { STORE_KINDS } from '../support/store-kinds.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

/** How a test's relay runs: its poll, its retries, its clock, and plugins that count its statements. */
export interface RelayTestOptions {
  pollMs: number;
  retrySchedule?: readonly number[];
  clock?: Clock;
  plugins?: readonly KyselyPlugin[];
  /** An enabled endpoint of tenant t1 (`hook`, every event, created an hour ago) that posts to it. */
  receiver?: WebhookReceiver;
}

/**
 * A webhook relay started on a fresh store of `open`'s kind whose outbox writes wake it, as
 * main.ts wires them; `db` is the store without the relay's counting plugins.
 */
export async function startRelayOnStore(
  open: (typeof STORE_KINDS)[number][1],
  options: RelayTestOptions,
): Promise<{ db: Db; close: () => Promise<void> }> {
  const signal = new OutboxSignal();
  const opened = await openSignalledStore(open, signal);
  const { receiver } = options;
  if (receiver) {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    receiver.secrets = [secret];
    const data = { url: receiver.url, secret, enabled: true, events: ['*'] };
    await sql`insert into webhook_endpoints (tenant_id, id, data, created_at)
      values ('t1', 'hook', ${JSON.stringify(data)}::jsonb, now() - interval '1 hour')`.execute(opened.db);
  }
  const relay = new WebhookRelay({
    db: (options.plugins ?? []).reduce((db, plugin) => db.withPlugin(plugin), opened.db),
    signal,
    clock: options.clock ?? systemClock,
    logger: pino({ level: 'silent' }),
    options: {
      pollMs: options.pollMs,
      timeoutMs: 2000,
      retrySchedule: options.retrySchedule ?? [1000],
      concurrency: 8,
      allowPrivate: true,
    },
  });
  relay.start();
  return {
    db: opened.db,
    close: async () => {
      await relay.stop();
      await opened.close();
    },
  };
}
