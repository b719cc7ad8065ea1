import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../src/domain/clock.ts';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { writeCampaignEvent } from '../support/signalled-store.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { startRelayOnStore } from './relay-on-store.ts';
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
    const behind: Clock = { now: () => new Date(Date.now() - 60_000) };
    let db: Db;
    let close: () => Promise<void>;

    before(async () => {
      await receiver.start();
      ({ db, close } = await startRelayOnStore(open, { pollMs: LONG_POLL_MS, clock: behind, receiver }));
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
