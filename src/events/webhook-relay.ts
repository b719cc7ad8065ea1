import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/database.ts';
import { anyEnabledEndpoint } from '../store/webhooks/any-enabled-endpoint.ts';
import { appendSubjectEvent } from '../store/webhooks/append-subject-event.ts';
import { type ClaimedDelivery, claimDeliveries } from '../store/webhooks/claim-deliveries.ts';
import { disableEndpoint } from '../store/webhooks/disable-endpoint.ts';
import { fanOutDeliveries } from '../store/webhooks/fan-out-deliveries.ts';
import { releaseDeliveries } from '../store/webhooks/release-deliveries.ts';
import { type DeliveredAttempt, settleDelivered } from '../store/webhooks/settle-delivered.ts';
import { type DeliveryNext, settleDelivery } from '../store/webhooks/settle-delivery.ts';
import { eventIdOf, toEventEnvelope } from './event-envelope.ts';
import type { OutboxSignal } from './outbox-signal.ts';
import { PacedRounds } from './paced-rounds.ts';
import { retryDelayMs } from './retry-delay.ts';
import { sendWebhook } from './webhook-sender.ts';
import { signingSecrets, signWebhook } from './webhook-signer.ts';

/** One delivery attempt as reported to observers. */
export interface WebhookAttemptReport {
  tenantId: string;
  endpointId: string;
  eventType: string;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** Milliseconds from the event's write to this attempt's answer. */
  lagMs: number;
}

/** Settings of the relay (PCONN_WEBHOOK_* and PCONN_EVENTS_POLL_MS). */
export interface WebhookRelayOptions {
  /** Fallback poll of the outbox and of due retries. */
  pollMs: number;
  /** Bound on one HTTP request. */
  timeoutMs: number;
  /** Waits between attempts, in ms; one more failure after the last one disables the endpoint. */
  retrySchedule: readonly number[];
  /** HTTP requests in flight per node. */
  concurrency: number;
  allowPrivate: boolean;
}

// Events turned into deliveries per fan-out transaction.
const FAN_OUT_BATCH = 500;
// A call's lifecycle is about five events: one claim usually covers what is waiting of it.
const CHAIN_LENGTH = 5;
// Woken rounds are at least this far apart (PacedRounds): every committed call wakes the relay,
// and under load (thousands of accepted calls/s) a round per commit took a quarter of the store's
// time; 50 ms of batching costs the events_lag goal (≤ 1 s) little.
const MIN_ROUND_GAP_MS = 50;
// Retry wake-ups closer together than this share one timer.
const RETRY_WAKE_SLACK_MS = 20;

/**
 * Delivers the event outbox to webhook endpoints: fans new events out into delivery rows,
 * claims due ones with a lease (per-subject order kept by the claim), POSTs each signed payload
 * outside any transaction, then records the attempt and schedules a retry or gives up — after
 * the last retry the endpoint is disabled and a `webhook.endpoint_disabled` event is written.
 * All state is in the database, so a restart or another node carries on where this one stopped.
 */
export class WebhookRelay {
  /** Lease owner name of this relay. */
  readonly owner = `relay-${randomBytes(6).toString('hex')}`;
  private running = false;
  /** The rounds' schedule, made by start(). */
  private rounds?: PacedRounds;
  // What a round has to look at: new outbox rows (fan out) and deliveries that may have become
  // claimable (claim). Skipping the clean half keeps the relay's statements on the shared
  // connection down to what changed; the poll sets both, for other nodes' writes and due retries.
  private outboxDirty = true;
  private deliveriesDirty = true;
  /** When this relay last read the outbox (performance.now()): the pace it keeps with no endpoint. */
  private lastFanOutAt = Number.NEGATIVE_INFINITY;
  private readonly inFlight = new Set<Promise<void>>();
  /** Successful attempts not yet recorded: written together at the start of the next round. */
  private delivered: DeliveredAttempt[] = [];
  private unsubscribe?: () => void;
  /** When failed attempts become due again (performance.now()), soonest first; one timer for the first. */
  private retriesDue: number[] = [];
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      db: Db;
      signal: OutboxSignal;
      clock: Clock;
      logger: Logger;
      options: WebhookRelayOptions;
      /** Told about every HTTP attempt (metrics, tracing); must not throw. */
      onAttempt?: (attempt: WebhookAttemptReport) => void;
    },
  ) {}

  /** Starts polling and listening for new events. */
  start(): void {
    this.running = true;
    // A new event only makes the outbox worth reading: deliveries become claimable when the
    // fan-out makes some (it says so), a chain's request ends or a retry falls due (wake), or
    // another node's relay made them (the poll). Claiming after every write as well ran a claim
    // per round with nothing to claim (~20 a second under sip_cps_ratio, no endpoint at all).
    this.unsubscribe = this.deps.signal.subscribe(() => {
      this.outboxDirty = true;
      this.requestRound();
    });
    this.rounds = new PacedRounds({
      gapMs: MIN_ROUND_GAP_MS,
      pollMs: this.deps.options.pollMs,
      round: (kind) => {
        if (kind === 'poll') {
          // The fallback poll looks at everything: other nodes' writes, retries that became due.
          this.outboxDirty = true;
          this.deliveriesDirty = true;
        }
        return this.tick();
      },
      goOn: () => this.running,
    });
    this.rounds.startNow();
  }

  /** Asks for a round now (a delivery was queued again, or one finished). */
  wake(): void {
    this.deliveriesDirty = true;
    this.requestRound();
  }

  /**
   * A round as soon as the gap allows: after the one running, or in place of the pending poll —
   * a wake that left the poll timer standing would wait up to PCONN_EVENTS_POLL_MS, which is
   * how every event used to wait for the poll.
   */
  private requestRound(): void {
    if (this.running) this.rounds?.wake();
  }

  /** Wakes the relay when a retry falls due, so its backoff and not the fallback poll decides when it goes. */
  private wakeAfter(delayMs: number): void {
    const due = performance.now() + delayMs;
    // Retries due within a few ms of one already waited for are claimed by the same round.
    if (this.retriesDue.some((at) => Math.abs(at - due) < RETRY_WAKE_SLACK_MS)) return;
    this.retriesDue.push(due);
    this.retriesDue.sort((a, b) => a - b);
    this.armRetryTimer();
  }

  private armRetryTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const first = this.retriesDue[0];
    if (first === undefined || !this.running) return;
    this.retryTimer = setTimeout(
      () => {
        const now = performance.now();
        this.retriesDue = this.retriesDue.filter((at) => at > now);
        this.wake();
        this.armRetryTimer();
      },
      Math.max(0, first - performance.now()),
    );
  }

  /** Stops claiming and waits for the requests in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.rounds?.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.flushDelivered().catch((error: unknown) =>
      this.deps.logger.error({ err: error }, 'recording webhook deliveries failed'),
    );
  }

  /** Records the successful attempts gathered since the last round (their successors become due). */
  private async flushDelivered(): Promise<void> {
    const batch = this.delivered;
    if (batch.length === 0) return;
    this.delivered = [];
    await settleDelivered(this.deps.db, this.owner, batch);
    // Their successors may be claimable now. The wake of each finished chain does not say so on
    // its own: a round already past its flush may have spent it on a claim that found nothing.
    this.deliveriesDirty = true;
  }

  private async tick(): Promise<void> {
    const { db, options } = this.deps;
    try {
      await this.flushDelivered();
      // With no enabled endpoint anywhere a round has no one to fan out to, so the outbox is then
      // read only at the poll's pace (fanning out at every round regardless was ~5 % of the
      // embedded store's thread under sip_cps_ratio). It is still read at that pace, although
      // under load every round is a woken one, so the shared cursor keeps up: an endpoint created
      // later starts with no backlog (it is sent only what was written after it anyway).
      // Only a backlog (a full batch) is read again at once. An outbox write during the read marks
      // the outbox dirty and asks for another round, which waits out the gap: looping on that flag
      // read the outbox back to back under load, a round per commit, gap or not (2026-12-07: ~60
      // rounds a second instead of at most 20 under accept_ratio, 8 % of the embedded store's time).
      let backlog =
        this.outboxDirty &&
        (performance.now() - this.lastFanOutAt >= options.pollMs || (await anyEnabledEndpoint(db)));
      while (backlog && this.running) {
        this.outboxDirty = false;
        this.lastFanOutAt = performance.now();
        const made = await fanOutDeliveries(db, FAN_OUT_BATCH, this.deps.clock.now());
        if (made.deliveries > 0) this.deliveriesDirty = true;
        backlog = made.events === FAN_OUT_BATCH;
      }
      const room = options.concurrency - this.inFlight.size;
      if (room <= 0 || !this.running || !this.deliveriesDirty) return;
      this.deliveriesDirty = false;
      const chains = await claimDeliveries(
        db,
        this.owner,
        room,
        CHAIN_LENGTH,
        this.leaseMs(),
        this.deps.clock.now(),
      );
      for (const chain of chains) {
        const job = this.deliverChain(chain).catch((error: unknown) =>
          this.deps.logger.error(
            { err: error, deliveryId: chain[0]?.id },
            'webhook delivery failed to settle',
          ),
        );
        this.inFlight.add(job);
        void job.finally(() => {
          this.inFlight.delete(job);
          this.wake();
        });
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'webhook relay round failed');
    }
  }

  /** The lease outlives a whole chain of requests that each time out, so a live chain is never taken over. */
  private leaseMs(): number {
    return this.deps.options.timeoutMs * (CHAIN_LENGTH + 1) + 1000;
  }

  /** Sends a chain in order, each event after the previous one's 2xx; stops at a failure. */
  private async deliverChain(chain: readonly ClaimedDelivery[]): Promise<void> {
    for (const [index, delivery] of chain.entries()) {
      const rest = chain.slice(index + 1).map((d) => d.id);
      if (!this.running) {
        await releaseDeliveries(
          this.deps.db,
          this.owner,
          chain.slice(index).map((d) => d.id),
        );
        return;
      }
      if (!(await this.deliver(delivery, rest))) return;
    }
  }

  /** One attempt; a failure is recorded (with the rest of its chain released) before it returns false. */
  private async deliver(delivery: ClaimedDelivery, rest: readonly number[]): Promise<boolean> {
    const { clock, options } = this.deps;
    const payload = JSON.stringify(toEventEnvelope({ ...delivery.event }));
    const at = clock.now();
    const headers = signWebhook(
      signingSecrets(delivery.endpoint, at),
      eventIdOf(delivery.event.id),
      at,
      payload,
    );
    const result = await sendWebhook({
      url: delivery.endpoint.url,
      body: payload,
      headers: { ...headers },
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivate,
    });
    this.deps.onAttempt?.({
      tenantId: delivery.tenantId,
      endpointId: delivery.endpointId,
      eventType: delivery.event.type,
      ok: result.ok,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      lagMs: clock.now().getTime() - delivery.event.at.getTime(),
    });
    if (result.ok) {
      this.delivered.push({
        id: delivery.id,
        at,
        statusCode: result.statusCode ?? 200,
        durationMs: result.durationMs,
      });
      return true;
    }
    const attempt = { at, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
    const delay = retryDelayMs(options.retrySchedule, delivery.attempts - delivery.retryBase);
    const next: DeliveryNext =
      delay === undefined
        ? { status: 'failed' }
        : { status: 'pending', nextAttemptAt: new Date(clock.now().getTime() + delay) };
    await this.deps.db.transaction().execute(async (tx) => {
      await releaseDeliveries(tx, this.owner, rest);
      const settled = await settleDelivery(tx, { id: delivery.id, owner: this.owner }, attempt, next);
      if (!settled || next.status !== 'failed') return;
      const disabled = await disableEndpoint(tx, delivery.tenantId, delivery.endpointId, clock.now());
      if (!disabled) return;
      this.deps.logger.warn(
        { endpointId: delivery.endpointId, tenant: delivery.tenantId },
        'webhook endpoint disabled after its retries ran out',
      );
      await appendSubjectEvent(tx, {
        tenantId: delivery.tenantId,
        subjectType: 'webhook_endpoint',
        subjectId: delivery.endpointId,
        campaignId: null,
        type: 'webhook.endpoint_disabled',
        data: {
          webhook: {
            id: delivery.endpointId,
            url: disabled.data.url,
            events: disabled.data.events,
            enabled: false,
            updatedAt: disabled.updatedAt.toISOString(),
          },
          reason: `delivery of ${eventIdOf(delivery.event.id)} failed ${delivery.attempts + 1 - delivery.retryBase} times; last error: ${result.error}`,
          lastDeliveryId: `dlv_${delivery.id}`,
        },
      });
    });
    // After the settle has committed: the round it wakes must find the delivery pending again.
    if (next.status === 'pending')
      this.wakeAfter(Math.max(0, next.nextAttemptAt.getTime() - clock.now().getTime()));
    return false;
  }
}
