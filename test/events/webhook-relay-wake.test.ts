import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { writeCampaignEvent } from '../support/signalled-store.ts';
import { countingStatements } from '../support/statement-counter.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { startRelayOnStore } from './relay-on-store.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

// The fallback poll is ten minutes: whatever is delivered below was delivered because the relay
// was woken (an outbox write on this node, an answered chain, a retry falling due), not by it.
const LONG_POLL_MS = 600_000;
// Generous for a loaded two-core machine; a missed wake costs the whole poll.
const WITHIN_MS = 4000;
const RETRY_MS = 1000;

after(() => stopTestPostgres());

for (const [kind, open] of STORE_KINDS) {
  describe(`webhook relay wake-ups (${kind})`, () => {
    const receiver = new WebhookReceiver();
    let db: Db;
    /** The relay's fan-out statements so far (each reads the outbox from its cursor). */
    let fanOuts = 0;
    let close: () => Promise<void>;

    before(async () => {
      await receiver.start();
      ({ db, close } = await startRelayOnStore(open, {
        pollMs: LONG_POLL_MS,
        retrySchedule: [RETRY_MS, RETRY_MS],
        plugins: [countingStatements('from outbox_cursors', () => fanOuts++)],
        receiver,
      }));
    });
    after(async () => {
      await close();
      await receiver.stop();
    });

    const write = (subject: string) => writeCampaignEvent(db, subject, { n: subject });

    const acknowledgedOf = (subject: string) =>
      receiver
        .acknowledged()
        .filter((r) => r.event.data.n === subject)
        .map((r) => r.event.sequence);

    test('each write is delivered within seconds, in order, although the poll is ten minutes', async () => {
      // Written one by one, each after the previous one was delivered: every write must wake the
      // relay again (an idle relay sits on its poll timer).
      for (let sequence = 1; sequence <= 3; sequence++) {
        assert.equal(await write('a'), sequence);
        await receiver.waitFor(
          () => acknowledgedOf('a').length === sequence,
          WITHIN_MS,
          () => `event ${sequence} of a: ${receiver.requests.length} requests`,
        );
      }
      // Written faster than they are delivered: successors follow their answered predecessors.
      for (let i = 0; i < 5; i++) await write('b');
      await receiver.waitFor(
        () => acknowledgedOf('b').length === 5,
        WITHIN_MS,
        () => `b: ${acknowledgedOf('b')}`,
      );
      assert.deepEqual(acknowledgedOf('b'), [1, 2, 3, 4, 5], 'delivered in order');
      assert.deepEqual(receiver.unverified, [], 'signed');
    });

    test('outbox writes during a round wait out the gap between rounds instead of starting one each', async () => {
      // Sequential writes, each committed while the relay may be reading: every one wakes it. A
      // round reads everything written before it, so rounds are bounded by the gap (50 ms apart),
      // not by the writes. Reading again per write was ~one round per write.
      const writes = 60;
      const started = performance.now();
      const before = fanOuts;
      for (let i = 0; i < writes; i++) await write('g');
      await receiver.waitFor(
        () => acknowledgedOf('g').length === writes,
        WITHIN_MS * 4,
        () => `g: ${acknowledgedOf('g').length} of ${writes}`,
      );
      const rounds = fanOuts - before;
      const allowed = Math.ceil((performance.now() - started) / 50) + 2;
      assert.ok(
        rounds <= allowed,
        `${rounds} fan-out rounds for ${writes} writes; at most ${allowed} allowed`,
      );
    });

    test('a failed attempt is retried when its backoff ends, with nothing else waking the relay', async () => {
      let failed = false;
      receiver.respond = () => {
        if (failed) return 204;
        failed = true;
        return 503;
      };
      await write('c');
      // ±20 % jitter on the backoff.
      await receiver.waitFor(
        () => acknowledgedOf('c').length === 1,
        RETRY_MS * 1.2 + WITHIN_MS,
        () => `c: ${receiver.requests.filter((r) => r.event.data.n === 'c').map((r) => r.answered)}`,
      );
      assert.deepEqual(
        receiver.requests.filter((r) => r.event.data.n === 'c').map((r) => r.answered),
        [503, 204],
        'one failure, then the retry',
      );
    });
  });
}
