import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import type { Clock } from '../../src/domain/clock.ts';
import { OutboxSignal } from '../../src/events/outbox-signal.ts';
import { WebhookRelay } from '../../src/events/webhook-relay.ts';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { openSignalledStore, writeCampaignEvent } from '../support/signalled-store.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

// No fallback poll within the test: a delivery must go because the relay's own rounds found it due.
const LONG_POLL_MS = 600_000;
const WITHIN_MS = 4000;

after(() => stopTestPostgres());

/**
 * A delivery is due when the relay's clock says so, for its fan-out as for its claim. The fan-out
 * made deliveries due at the database server's `now()` while the claim compared them with the
 * relay's clock: a node whose clock ran behind the server's (here by a minute; by a fraction of a
 * millisecond when both are one machine's, the claim's instant having no microseconds) found
 * nothing due and left every event to the next wake or the poll.
 */
for (const [kind, open] of STORE_KINDS) {
  describe(`webhook relay on a clock behind the database's (${kind})`, () => {
    const receiver = new WebhookReceiver();
    const signal = new OutboxSignal();
    const behind: Clock = { now: () => new Date(Date.now() - 60_000) };
    let db: Db;
    let relay: WebhookRelay;
    let close: () => Promise<void>;

    before(async () => {
      await receiver.start();
      const opened = await openSignalledStore(open, signal);
      db = opened.db;
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      receiver.secrets = [secret];
      const data = { url: receiver.url, secret, enabled: true, events: ['*'] };
      await sql`insert into webhook_endpoints (tenant_id, id, data, created_at)
        values ('t1', 'hook', ${JSON.stringify(data)}::jsonb, now() - interval '1 hour')`.execute(db);
      relay = new WebhookRelay({
        db,
        signal,
        clock: behind,
        logger: pino({ level: 'silent' }),
        options: {
          pollMs: LONG_POLL_MS,
          timeoutMs: 2000,
          retrySchedule: [1000],
          concurrency: 8,
          allowPrivate: true,
        },
      });
      relay.start();
      close = async () => {
        await relay.stop();
        await opened.close();
      };
    });
    after(async () => {
      await close();
      await receiver.stop();
    });

    test('an event written on this node is delivered at once', async () => {
      await writeCampaignEvent(db, 'a', { n: 'a' });
      await receiver.waitFor(
        () => receiver.acknowledged().some((r) => r.event.data.n === 'a'),
        WITHIN_MS,
        () => `${receiver.requests.length} requests`,
      );
    });
  });
}
