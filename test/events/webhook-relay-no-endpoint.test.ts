import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { writeCampaignEvent } from '../support/signalled-store.ts';
import { countingStatements } from '../support/statement-counter.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitFor } from '../support/wait-for.ts';
import { startRelayOnStore } from './relay-on-store.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

// No fallback poll within the first tests: every round there was woken by an outbox write.
const LONG_POLL_MS = 600_000;
// The pace of the last test: short enough to see several reads while writes keep waking it.
const SHORT_POLL_MS = 200;
const WITHIN_MS = 4000;

after(() => stopTestPostgres());

/** A relay on a fresh store with no endpoint, counting its outbox reads and endpoint probes. */
async function relayWithoutEndpoint(open: (typeof STORE_KINDS)[number][1], pollMs: number) {
  const counts = { fanOuts: 0, probes: 0 };
  const relay = await startRelayOnStore(open, {
    pollMs,
    plugins: [
      countingStatements('from outbox_cursors', () => counts.fanOuts++),
      countingStatements('from webhook_endpoints', () => counts.probes++),
    ],
  });
  return { ...relay, counts };
}

/**
 * A node with no enabled webhook endpoint anywhere does not read its outbox at each woken round
 * (there is no one to fan out to) but at the poll's pace, and the first endpoint created is sent
 * what follows it at once.
 */
for (const [kind, open] of STORE_KINDS) {
  describe(`webhook relay with no endpoint (${kind})`, () => {
    const receiver = new WebhookReceiver();
    let db: Db;
    let counts: { fanOuts: number; probes: number };
    let close: () => Promise<void>;

    before(async () => {
      await receiver.start();
      ({ db, counts, close } = await relayWithoutEndpoint(open, LONG_POLL_MS));
    });
    after(async () => {
      await close();
      await receiver.stop();
    });

    test('woken rounds ask whether an endpoint exists instead of reading the outbox', async () => {
      // The first round reads the outbox (this relay never has); the poll is ten minutes away.
      await waitFor(() => counts.fanOuts === 1, { timeout: WITHIN_MS, what: 'the first round' });
      const probesBefore = counts.probes;
      for (let i = 0; i < 5; i++) await writeCampaignEvent(db, 'before', { n: 'before' });
      await waitFor(() => counts.probes > probesBefore, {
        timeout: WITHIN_MS,
        what: 'a round woken by the writes',
      });
      assert.equal(counts.fanOuts, 1, 'the outbox was not read again');
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
      assert.ok(counts.fanOuts > 1);
    });
  });

  test(`with no endpoint the outbox is still read at the poll's pace while writes keep waking the relay (${kind})`, async () => {
    // Every round is a woken one here (each wake replaces the pending poll): a relay that read the
    // outbox only in the poll's own rounds would never move the shared cursor under load.
    const relay = await relayWithoutEndpoint(open, SHORT_POLL_MS);
    try {
      await waitFor(() => relay.counts.fanOuts === 1, { timeout: WITHIN_MS, what: 'the first round' });
      const started = performance.now();
      while (performance.now() - started < SHORT_POLL_MS * 5)
        await writeCampaignEvent(relay.db, 'steady', { n: 'steady' });
      const reads = relay.counts.fanOuts - 1;
      assert.ok(reads >= 3, `${reads} reads of the outbox in ${SHORT_POLL_MS * 5} ms of writes`);
      assert.ok(reads <= 7, `${reads} reads: at most about one every ${SHORT_POLL_MS} ms`);
    } finally {
      await relay.close();
    }
  });
}
