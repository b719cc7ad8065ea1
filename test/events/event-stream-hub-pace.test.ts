import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { EventStreamHub } from '../../src/events/event-stream-hub.ts';
import { OutboxSignal } from '../../src/events/outbox-signal.ts';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { openSignalledStore, writeCampaignEvent } from '../support/signalled-store.ts';
import { countingStatements } from '../support/statement-counter.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

// The fallback poll is ten minutes: every event below reaches the subscriber because a write woke the hub.
const LONG_POLL_MS = 600_000;
const WITHIN_MS = 16_000;

after(() => stopTestPostgres());

for (const [kind, open] of STORE_KINDS) {
  describe(`event stream hub pacing (${kind})`, () => {
    const signal = new OutboxSignal();
    let db: Db;
    let hub: EventStreamHub;
    /** The hub's outbox reads so far. */
    let reads = 0;
    let close: () => Promise<void>;

    before(async () => {
      const opened = await openSignalledStore(open, signal);
      db = opened.db;
      hub = new EventStreamHub({
        db: db.withPlugin(countingStatements('txid::text as txid', () => reads++)),
        signal,
        logger: pino({ level: 'silent' }),
        pollMs: LONG_POLL_MS,
      });
      close = async () => {
        hub.close();
        await opened.close();
      };
    });
    after(() => close());

    test('writes during a read wait out the gap between reads instead of starting one each', async () => {
      const writes = 60;
      const received: number[] = [];
      let allReceived = () => {};
      const everything = new Promise<void>((resolve) => {
        allReceived = resolve;
      });
      const unsubscribe = await hub.subscribe({
        filter: { tenantId: 't1' },
        send: (row) => {
          if (received.push(row.sequence) === writes) allReceived();
        },
      });
      const started = performance.now();
      const before = reads;
      for (let i = 0; i < writes; i++) await writeCampaignEvent(db, 'paced', { i });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        everything,
        new Promise((resolve) => {
          timer = setTimeout(resolve, WITHIN_MS);
        }),
      ]);
      clearTimeout(timer);
      unsubscribe();
      assert.deepEqual(
        received,
        Array.from({ length: writes }, (_, i) => i + 1),
        'every event once, in order',
      );
      // A read takes everything written before it, so reads are bounded by the 50 ms gap, not by
      // the writes. Reading again at once after a read that a write overlapped was ~one per write.
      const count = reads - before;
      const allowed = Math.ceil((performance.now() - started) / 50) + 2;
      assert.ok(count <= allowed, `${count} reads for ${writes} writes; at most ${allowed} allowed`);
    });
  });
}
