import type { Logger } from 'pino';
import type { Db } from '../store/database.ts';
import { findEventPosition } from '../store/webhooks/find-event-position.ts';
import { outboxHead } from '../store/webhooks/outbox-head.ts';
import {
  isAfter,
  type OutboxEventRow,
  type OutboxPosition,
  positionOf,
} from '../store/webhooks/outbox-rows.ts';
import { readOutbox } from '../store/webhooks/read-outbox.ts';
import type { OutboxSignal } from './outbox-signal.ts';
import { PacedRounds } from './paced-rounds.ts';

/** What a stream client asked for. */
export interface StreamFilter {
  tenantId: string;
  campaignId?: string;
  callId?: string;
}

/** One live subscriber: gets each matching event once, in outbox order. */
export interface StreamSubscriber {
  filter: StreamFilter;
  /** Called for each event; the subscriber writes it out. */
  send(row: OutboxEventRow): void;
}

const READ_BATCH = 1000;
// Woken reads are at least this far apart (PacedRounds): a read per commit kept the store busy
// with reads of a few rows each (accept_ratio with one listener, 2026-12-07: ~120 reads a second,
// 9 % of the embedded store's thread). A live dashboard does not see 50 ms.
const MIN_READ_GAP_MS = 50;

/**
 * The one in-process reader of the outbox for Server-Sent Events: it follows the outbox
 * (woken by OutboxSignal, polling as a fallback) and hands each new event to every subscriber
 * whose tenant and filters match — one query loop per node, not one per client. It reads only
 * while someone listens. A resuming client first replays from the database up to the hub's
 * position while live events are buffered, so the switch-over neither skips nor repeats.
 */
export class EventStreamHub {
  private readonly subscribers = new Set<Subscription>();
  private position?: OutboxPosition;
  private starting?: Promise<OutboxPosition>;
  private readonly reads: PacedRounds;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: { db: Db; signal: OutboxSignal; logger: Logger; pollMs: number }) {
    this.reads = new PacedRounds({
      gapMs: MIN_READ_GAP_MS,
      pollMs: deps.pollMs,
      round: () => this.read(),
      goOn: () => this.keepReading(),
    });
    this.unsubscribe = deps.signal.subscribe(() => this.wake());
  }

  /** Subscribers now. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Adds a subscriber. With `after` (Last-Event-ID), events after it are replayed first.
   * Returns the function that removes it.
   */
  async subscribe(subscriber: StreamSubscriber, after?: OutboxPosition): Promise<() => void> {
    const sub = new Subscription(subscriber);
    if (this.position === undefined) {
      // One head lookup for subscribers arriving together, and never moving a set position.
      this.starting ??= outboxHead(this.deps.db).finally(() => {
        this.starting = undefined;
      });
      const head = await this.starting;
      this.position ??= head;
    }
    const until = this.position;
    sub.last = after ?? until;
    this.subscribers.add(sub);
    if (this.subscribers.size === 1) this.reads.startPolling();
    if (after !== undefined && isAfter(until, after)) {
      let from = after;
      for (;;) {
        const rows = await readOutbox(this.deps.db, from, READ_BATCH, { ...subscriber.filter, until });
        for (const row of rows) sub.replay(row);
        const last = rows.at(-1);
        if (rows.length < READ_BATCH || !last) break;
        from = positionOf(last);
      }
    }
    sub.goLive();
    return () => this.subscribers.delete(sub);
  }

  /** Where a tenant's event id (Last-Event-ID) sits in the outbox, if it is one of its events. */
  async resumePosition(tenantId: string, eventId: number): Promise<OutboxPosition | undefined> {
    return findEventPosition(this.deps.db, tenantId, eventId);
  }

  /** Reads new events now (an event was written on this node). */
  wake(): void {
    if (this.closed || this.subscribers.size === 0) return;
    this.reads.wake();
  }

  /** Stops reading; subscribers are ended by their routes. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    void this.reads.stop();
    this.subscribers.clear();
  }

  /** After a read: go on unless closed or nobody listens. */
  private keepReading(): boolean {
    if (this.closed) return false;
    if (this.subscribers.size === 0) {
      // Nobody listens: stop reading and start again from the head on the next subscriber.
      this.position = undefined;
      return false;
    }
    return true;
  }

  private async read(): Promise<void> {
    if (this.position === undefined) return;
    try {
      for (;;) {
        const rows = await readOutbox(this.deps.db, this.position, READ_BATCH);
        for (const row of rows) {
          this.position = positionOf(row);
          for (const sub of this.subscribers) if (sub.matches(row)) sub.deliver(row);
        }
        if (rows.length < READ_BATCH) return;
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'event stream read failed');
    }
  }
}

/** A subscriber with its replay state: live events wait in a buffer until the replay is done. */
class Subscription {
  last: OutboxPosition = { txid: '0', id: 0 };
  private buffer: OutboxEventRow[] | undefined = [];

  constructor(private readonly subscriber: StreamSubscriber) {}

  matches(row: OutboxEventRow): boolean {
    const f = this.subscriber.filter;
    return (
      row.tenant_id === f.tenantId &&
      (f.campaignId === undefined || row.campaign_id === f.campaignId) &&
      (f.callId === undefined || row.call_id === f.callId)
    );
  }

  /** An event read from the database for this subscriber's resume (before it goes live). */
  replay(row: OutboxEventRow): void {
    this.emit(row);
  }

  /** A live event; held back while the replay runs. */
  deliver(row: OutboxEventRow): void {
    if (this.buffer) {
      this.buffer.push(row);
      return;
    }
    this.emit(row);
  }

  goLive(): void {
    const waiting = this.buffer ?? [];
    this.buffer = undefined;
    for (const row of waiting) this.emit(row);
  }

  private emit(row: OutboxEventRow): void {
    const position = positionOf(row);
    if (!isAfter(position, this.last)) return;
    this.last = position;
    this.subscriber.send(row);
  }
}
