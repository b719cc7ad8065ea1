import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { AGENT_STATES, type AgentStateChange } from '../domain/agent-state.ts';
import { CampaignStatsMetrics } from './campaign-stats-metrics.ts';
import { HttpRequestMetrics } from './http-request-metrics.ts';
import { SipDropMetrics } from './sip-drop-metrics.ts';
import { SipRegisterMetrics } from './sip-register-metrics.ts';
import { SipTransactionMetrics } from './sip-transaction-metrics.ts';

/** Calls waiting for the dialer, as the store counts them on each scrape. */
export interface QueueDepth {
  queued: number;
  scheduled: number;
  /** Waiting calls whose due time has passed (the real backlog). */
  due: number;
}

/**
 * What the webhook relay reports (src/events/): one call per delivery attempt that ended, with
 * whether the endpoint accepted it (2xx) and the lag from the event's creation to that moment.
 */
export interface WebhookMetrics {
  /**
   * `endpointId` is accepted for the relay's convenience but is not a label: endpoints are
   * tenant-created and unbounded, and per-endpoint series would grow without limit.
   */
  webhookDelivered(endpointId: string, ok: boolean, lagSeconds: number): void;
}

// Seconds from 202 to the first dial / to connect: sub-second when agents are free, minutes to
// an hour when calls wait for agents, windows or retries.
const CALL_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];
const WEBHOOK_LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The node's Prometheus metrics, in a Registry of its own (tests run several nodes in one
 * process, and two nodes must not share counters). Every update is O(1); the queue depth is the
 * only metric that queries the store, and only when scraped.
 */
export class PconnMetrics implements WebhookMetrics {
  /** Rendered by GET /metrics. */
  readonly registry = new Registry();
  /** HTTP requests by route template, method and status. */
  readonly http = new HttpRequestMetrics(this.registry);
  /** SIP transactions, retransmissions and timeouts; `sip.observe` is the SIP stack's hook. */
  readonly sip = new SipTransactionMetrics(this.registry);
  /** Refused REGISTERs and registrar lockouts; `sipRegister.observe` is the SIP driver's hook. */
  readonly sipRegister = new SipRegisterMetrics(this.registry);
  /** SIP messages dropped by kind; `sipDrops.observe` is the SIP driver's hook. */
  readonly sipDrops = new SipDropMetrics(this.registry);
  /** Session agents per state (read on scrape) and the time they spend in each. */
  readonly agentStates = new AgentStateMetrics(this.registry);
  /** Predictive campaigns' live statistics (issue 17), by campaign id. */
  readonly campaignStats = new CampaignStatsMetrics(this.registry);
  private readonly accepted: Counter;
  private readonly transitions: Counter<'status'>;
  private readonly finished: Counter<'status' | 'outcome'>;
  private readonly attempts: Counter<'outcome'>;
  private readonly toFirstDial: Histogram;
  private readonly toConnect: Histogram;
  private readonly webhookDeliveries: Counter<'result'>;
  private readonly webhookLag: Histogram;
  private queueDepth?: () => Promise<QueueDepth>;
  private activeCalls?: () => number;
  private pendingDepth?: Promise<QueueDepth | undefined>;

  constructor(onCollectError: (error: unknown) => void = () => {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.accepted = new Counter({
      name: 'pconn_calls_accepted_total',
      help: 'Calls accepted (answered 202; idempotent replays not counted).',
      registers,
    });
    this.transitions = new Counter({
      name: 'pconn_call_transitions_total',
      help: 'Call status changes made by the dialer, by the status entered.',
      labelNames: ['status'],
      registers,
    });
    this.finished = new Counter({
      name: 'pconn_calls_finished_total',
      help: 'Calls that reached a terminal status (completed, failed, canceled, blocked), by status and outcome.',
      labelNames: ['status', 'outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'pconn_call_attempts_total',
      help: 'Dial attempts that ended, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.toFirstDial = new Histogram({
      name: 'pconn_call_accept_to_first_dial_seconds',
      help: 'Seconds from a call being accepted (202) to its first dial (agent leg started); scheduled calls include their wait.',
      buckets: CALL_LATENCY_BUCKETS,
      registers,
    });
    this.toConnect = new Histogram({
      name: 'pconn_call_accept_to_connect_seconds',
      help: 'Seconds from a call being accepted (202) to the contact being connected, retries included.',
      buckets: CALL_LATENCY_BUCKETS,
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'pconn_webhook_deliveries_total',
      help: 'Webhook delivery attempts that ended, by result (ok = 2xx).',
      labelNames: ['result'],
      registers,
    });
    this.webhookLag = new Histogram({
      name: 'pconn_webhook_delivery_lag_seconds',
      help: 'Seconds from an event being recorded to a delivery attempt of it ending.',
      buckets: WEBHOOK_LAG_BUCKETS,
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'pconn_active_calls',
      help: 'Calls this node is driving right now (legs up or ringing).',
      registers,
      collect() {
        if (metrics.activeCalls) this.set(metrics.activeCalls());
      },
    });
    new Gauge({
      name: 'pconn_call_queue_depth',
      help: 'Calls waiting for a dialer (all nodes), by status: queued, scheduled, and due (waiting and past their due time).',
      labelNames: ['status'],
      registers,
      async collect() {
        const depth = await metrics.readQueueDepth(onCollectError);
        // A failed count shows as a missing series, never as a stale number.
        if (!depth) return this.reset();
        this.set({ status: 'queued' }, depth.queued);
        this.set({ status: 'scheduled' }, depth.scheduled);
        this.set({ status: 'due' }, depth.due);
      },
    });
  }

  /** Sets where the queue depth and the active-call count come from (read on scrape). */
  track(sources: { queueDepth?: () => Promise<QueueDepth>; activeCalls?: () => number }): void {
    this.queueDepth = sources.queueDepth;
    this.activeCalls = sources.activeCalls;
  }

  /** Calls were accepted (202), `count` of them in one committed batch. */
  callsAccepted(count: number): void {
    this.accepted.inc(count);
  }

  /** A call entered `status` (committed); terminal statuses also count by outcome. */
  callTransitioned(status: string, outcome: string | null, terminal: boolean): void {
    this.transitions.inc({ status });
    if (terminal) this.finished.inc({ status, outcome: outcome ?? 'none' });
  }

  /** An attempt ended with `outcome`. */
  attemptEnded(outcome: string): void {
    this.attempts.inc({ outcome });
  }

  /** Seconds from acceptance to the first dial of a call. */
  firstDialed(seconds: number): void {
    this.toFirstDial.observe(seconds);
  }

  /** Seconds from acceptance to the contact being connected. */
  connected(seconds: number): void {
    this.toConnect.observe(seconds);
  }

  /** {@inheritDoc WebhookMetrics.webhookDelivered} */
  webhookDelivered(_endpointId: string, ok: boolean, lagSeconds: number): void {
    this.webhookDeliveries.inc({ result: ok ? 'ok' : 'failed' });
    this.webhookLag.observe(Math.max(0, lagSeconds));
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  // Several gauges could want the depth in one scrape; one query serves them all.
  private readQueueDepth(onError: (error: unknown) => void): Promise<QueueDepth | undefined> {
    const source = this.queueDepth;
    if (!source) return Promise.resolve(undefined);
    this.pendingDepth ??= source()
      .catch((error: unknown) => {
        onError(error);
        return undefined;
      })
      .finally(() => {
        this.pendingDepth = undefined;
      });
    return this.pendingDepth;
  }
}

// Seconds an agent spends in one state: a reservation lasts a ring, a call minutes, a pause an hour.
const AGENT_STATE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400];

/**
 * Agent states of personal-connection sessions (issue 17): `pconn_agents{state}` counts the open
 * sessions' agents per state over all nodes, read from the store on scrape (per campaign would
 * need a label per campaign a session takes: unbounded, so not here); the histogram records, on
 * the node that made each change, the seconds spent in the state left.
 */
export class AgentStateMetrics {
  private readonly durations: Histogram<'state'>;
  private source?: () => Promise<Record<string, number>>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.durations = new Histogram({
      name: 'pconn_agent_state_duration_seconds',
      help: 'Seconds session agents spent in a state, observed when they left it, by state (available, reserved, on_call, wrap_up, paused).',
      labelNames: ['state'],
      buckets: AGENT_STATE_BUCKETS,
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'pconn_agents',
      help: 'Agents of open personal-connection sessions (all nodes), by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await metrics.source?.().catch(() => undefined);
        if (!counts) return this.reset();
        for (const state of AGENT_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
  }

  /** Where the per-state counts come from (read on scrape). */
  track(source: () => Promise<Record<string, number>>): void {
    this.source = source;
  }

  /** A committed state change: the time spent in the state it left. */
  changed(change: AgentStateChange): void {
    this.durations.observe({ state: change.from }, Math.max(0, change.durationMs) / 1000);
  }
}
