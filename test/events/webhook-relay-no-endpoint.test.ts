import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { systemClock } from '../../src/domain/clock.ts';
import { OutboxSignal } from '../../src/events/outbox-signal.ts';
import { WebhookRelay } from '../../src/events/webhook-relay.ts';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { openSignalledStore, writeCampaignEvent } from '../support/signalled-store.ts';
import { countingStatements } from '../support/statement-counter.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

// No fallback poll within the test: every round below was woken by an outbox write.
const LONG_POLL_MS = 600_000;
const WITHIN_MS = 4000;

after(() => stopTestPostgres());

/**
 * A node with no enabled webhook endpoint anywhere does not read its outbox at each woken round
 * (there is no one to fan out to), and the first endpoint created is sent what follows it at once.
 */
for (const [kind, open] of STORE_KINDS) {
  describe(`webhook relay with no endpoint (${kind})`, () => {
    const receiver = new WebhookReceiver();
    const signal = new OutboxSignal();
    let db: Db;
    let relay: WebhookRelay;
    let fanOuts = 0;
    let probes = 0;
    let close: () => Promise<void>;

    before(async () => {
      await receiver.start();
      const opened = await openSignalledStore(open, signal);
      db = opened.db;
      relay = new WebhookRelay({
        db: db
          .withPlugin(countingStatements('from outbox_cursors', () => fanOuts++))
          .withPlugin(countingStatements('from webhook_endpoints', () => probes++)),
        signal,
        clock: systemClock,
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

    test('woken rounds ask whether an endpoint exists instead of reading the outbox', async () => {
      const probesBefore = probes;
      for (let i = 0; i < 5; i++) await writeCampaignEvent(db, 'before', { n: 'before' });
      // The writes woke the relay: wait for a round that asked after them.
      const deadline = performance.now() + WITHIN_MS;
      while (probes === probesBefore && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(probes > probesBefore, 'the writes woke a round');
      assert.equal(fanOuts, 0, 'the outbox was not read');
    });

    test('the first endpoint created is sent the events written after it, at once', async () => {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      receiver.secrets = [secret];
      const data = { url: receiver.url, secret, enabled: true, events: ['*'] };
      await sql`insert into webhook_endpoints (tenant_id, id, data, created_at)
        values ('t1', 'hook', ${JSON.stringify(data)}::jsonb, now())`.execute(db);
      await writeCampaignEvent(db, 'after', { n: 'after' });
      await receiver.waitFor(
        () => receiver.acknowledged().some((r) => r.event.data.n === 'after'),
        WITHIN_MS,
        () => `${receiver.requests.length} requests`,
      );
      assert.deepEqual(
        receiver.requests.filter((r) => r.event.data.n === 'before'),
        [],
        'nothing written before the endpoint existed',
      );
      assert.ok(fanOuts > 0);
    });
  });
}
