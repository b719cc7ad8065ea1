import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AgentStateChange } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import type { TelephonyDriver } from '../domain/telephony.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import { attemptMediaFor, PromptAudioCache } from '../service/calls/attempt-media.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import {
  advanceCampaignSchedules,
  claimAbandonedCalls,
  claimAgentWaiters,
  claimDueCalls,
  extendLeases,
  type FreedAgent,
} from '../store/calls/claim.ts';
import type { FreeAgent } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { AgentSessions } from './agent-sessions.ts';
import { campaignStatusOf } from './attempt-steps.ts';
import { CallSession, type SessionOptions } from './call-session.ts';
import { CallStepWriter } from './call-step-writer.ts';
import { type PreparedAttempt, prepareAttempts } from './prepare-attempt.ts';
import { PreviewOffers } from './preview-offers.ts';

/** Dialer settings. */
export interface DialerOptions extends SessionOptions {
  pollMs: number;
  leaseSeconds: number;
  batchSize: number;
  /** A call that found no free agent is looked at again after this long (or when one frees up). */
  agentWaitMs: number;
  maxConcurrentCalls: number;
  /** Wrap-up seconds of a session's agent after a call whose campaign sets none (PCONN_WRAP_UP_SECONDS). */
  wrapUpSeconds?: number;
  /** How long a preview offer waits for its agent (PCONN_PREVIEW_OFFER_SECONDS; default 30). */
  previewOfferSeconds?: number;
}

/** Wrap-up seconds when neither the campaign nor the options say (PCONN_WRAP_UP_SECONDS' default). */
const DEFAULT_WRAP_UP_SECONDS = 10;

/** Lifecycle of the dialer. */
export type DialerState = 'starting' | 'running' | 'draining' | 'stopped';

/**
 * The claim → place → settle loop (a small poll loop in the style of pg-boss): every `pollMs`
 * (or at once when woken) it claims due calls with leases, prepares each attempt in its own
 * transaction and hands it to a CallSession; it also recovers calls whose node died (expired
 * leases), keeps its own leases alive, and hangs up calls whose cancel was requested. It also
 * holds this node's personal-connection sessions (agent legs kept up between calls).
 */
export class Dialer {
  /** This node's id as the store knows it: lease owner of calls and sessions, holder of bindings. */
  readonly owner: string;
  private state: DialerState = 'starting';
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private wakeRequested = false;
  private readonly sessions = new Map<string, CallSession>();
  /** Prompts played into anchored contact legs, kept per node by upload digest. */
  private readonly prompts = new PromptAudioCache();
  /** Agents whose call ended since the last claim round, by tenant/user: their waiters go first. */
  private readonly freedAgents = new Map<string, FreedAgent>();
  /**
   * Until when a call this node found without a free agent may still be waiting. Only then is an
   * agent's call end worth a claim round of its own; otherwise ending calls cost nothing extra.
   */
  private agentWaitersUntil = 0;
  private lastHousekeeping = 0;
  private readonly agentSessions: AgentSessions;
  private readonly previewOffers: PreviewOffers;
  /** The group commit of every call step this node writes (attempts, transitions, settles). */
  readonly steps: CallStepWriter;

  constructor(
    private readonly deps: {
      db: Db;
      driver: TelephonyDriver;
      clock: Clock;
      logger: Logger;
      options: DialerOptions;
      /** Metrics, spans and failure logs of transitions and attempts (optional: tests may omit it). */
      telemetry?: CallTelemetry;
      /** The node id (main.ts shares it with the registrar's bindings); a random one by default. */
      owner?: string;
      /** A session agent's state changed on this node (metrics). */
      onAgentStateChanged?: (change: AgentStateChange) => void;
    },
  ) {
    this.owner = deps.owner ?? newDialerOwner();
    this.steps = new CallStepWriter(deps.db, deps.clock);
    this.agentSessions = new AgentSessions({
      db: deps.db,
      driver: deps.driver,
      clock: deps.clock,
      owner: this.owner,
      options: {
        agentRingSeconds: deps.options.agentRingSeconds,
        leaseSeconds: deps.options.leaseSeconds,
        batchSize: deps.options.batchSize,
        wrapUpSeconds: deps.options.wrapUpSeconds ?? DEFAULT_WRAP_UP_SECONDS,
      },
      onError: (error) => deps.logger.error({ err: error }, 'agent session step failed'),
      onReady: (freed) => this.agentsFreed(freed ?? []),
      ...(deps.onAgentStateChanged ? { onStateChanged: deps.onAgentStateChanged } : {}),
    });
    this.previewOffers = new PreviewOffers({
      db: deps.db,
      clock: deps.clock,
      owner: this.owner,
      offerSeconds: deps.options.previewOfferSeconds ?? 30,
      leaseSeconds: deps.options.leaseSeconds,
      batchSize: deps.options.batchSize,
      ...(deps.onAgentStateChanged ? { onStateChanged: deps.onAgentStateChanged } : {}),
    });
  }

  /** Current lifecycle state. */
  get status(): DialerState {
    return this.state;
  }

  /** Calls in progress on this node. */
  get activeCalls(): number {
    return this.sessions.size;
  }

  /** Starts polling. */
  start(): void {
    this.state = 'running';
    this.schedule(0);
  }

  /** Asks for a claim round now (a call was just created). */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.ticking) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** A personal-connection session was started, changed or asked to end: act on it now. */
  sessionsChanged(): void {
    this.agentSessions.requestClaim();
    this.wake();
  }

  /** Personal-connection sessions whose agent leg this node holds. */
  get agentSessionCount(): number {
    return this.agentSessions.size;
  }

  /**
   * Stops claiming, lets live calls finish (up to `graceMs`), then ends this node's
   * personal-connection sessions (their legs cannot outlive the process) and stops.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.state = 'draining';
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const deadline = performance.now() + graceMs; // bounds real waiting, decides nothing: monotonic
    while (this.sessions.size > 0 && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await this.agentSessions
      .stop()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'ending sessions failed'));
    this.state = 'stopped';
  }

  /** Session agents came free (a wrap-up ended): their campaigns' waiting calls go first. */
  private agentsFreed(freed: readonly FreedAgent[]): void {
    if (this.deps.clock.now().getTime() < this.agentWaitersUntil)
      for (const agent of freed) this.freedAgents.set(`${agent.tenantId}/${agent.userId}`, agent);
    this.wake();
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (this.state !== 'running') return;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.deps.options.pollMs);
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    const { db, clock, options } = this.deps;
    try {
      const housekeeping = clock.now().getTime() - this.lastHousekeeping > 1000;
      if (housekeeping) {
        this.lastHousekeeping = clock.now().getTime();
        await advanceCampaignSchedules(db, clock.now());
        await extendLeases(db, this.owner, [...this.sessions.keys()], options.leaseSeconds, clock.now());
        await this.recoverAbandoned();
      }
      await this.applyCancels();
      await this.agentSessions.tick(this.state === 'running', housekeeping);
      const room = options.maxConcurrentCalls - this.sessions.size;
      if (room <= 0) return;
      let limit = Math.min(room, options.batchSize);
      // Preview campaigns' calls go through offers to this node's session agents (none: no round).
      if (this.agentSessions.size > 0) {
        const accepted = await this.previewOffers.round(limit);
        await this.placeAll(accepted.calls, accepted.agents);
        limit -= accepted.calls.length;
        if (limit <= 0) return;
      }
      const freed = [...this.freedAgents.values()];
      this.freedAgents.clear();
      // One waiter per freed agent: claiming every waiter of the campaign would re-check them all
      // for the one agent that came free.
      const waiters = await claimAgentWaiters(
        db,
        this.owner,
        freed,
        options.agentWaitMs,
        Math.min(limit, freed.length),
        options.leaseSeconds,
        clock.now(),
      );
      const claimed =
        waiters.length < limit
          ? await claimDueCalls(db, this.owner, limit - waiters.length, options.leaseSeconds, clock.now())
          : [];
      await this.placeAll([...waiters, ...claimed]);
      if (waiters.length + claimed.length === limit) this.wakeRequested = true;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'dialer tick failed');
    }
  }

  /** Checks the claimed batch, writes all of its attempts in one commit, then dials each. */
  private async placeAll(calls: CallRow[], reservedAgents?: ReadonlyMap<string, FreeAgent>): Promise<void> {
    if (calls.length === 0) return;
    const prepared = await prepareAttempts(
      {
        db: this.deps.db,
        steps: this.steps,
        driverName: this.deps.driver.name,
        clock: this.deps.clock,
        agentWaitMs: this.deps.options.agentWaitMs,
        ...(this.deps.telemetry ? { telemetry: this.deps.telemetry } : {}),
        ...(reservedAgents ? { reservedAgents } : {}),
      },
      calls,
    );
    for (const [i, outcome] of prepared.entries()) {
      if (outcome === 'waiting_for_agent')
        this.agentWaitersUntil = this.deps.clock.now().getTime() + this.deps.options.agentWaitMs;
      else if (outcome) this.place(calls[i] as CallRow, outcome);
      else {
        // An accepted preview call not dialled after all (blocked, deferred): its agent is free.
        const call = calls[i] as CallRow;
        const sessionId = reservedAgents?.get(call.id)?.sessionId;
        if (sessionId) await this.previewOffers.notDialled(call, sessionId);
      }
    }
  }

  private place(call: CallRow, prepared: PreparedAttempt): void {
    const sessionId = prepared.agent.sessionId;
    const session = new CallSession(prepared.call, prepared.attempt, prepared.agent, {
      ...(sessionId ? { sessionLeg: this.agentSessions.legFor(sessionId) } : {}),
      db: this.deps.db,
      steps: this.steps,
      driver: this.deps.driver,
      clock: this.deps.clock,
      options: this.deps.options,
      telemetry: this.deps.telemetry,
      trace: this.deps.telemetry?.attemptStarted(prepared.call, prepared.attempt),
      // Read only when the campaign asks for answer detection (its prompts come from the store).
      media: attemptMediaFor(this.deps.db, this.prompts, call.tenant_id, prepared.campaign),
      onError: (error) => this.deps.logger.error({ err: error, callId: call.id }, 'call session step failed'),
    });
    this.sessions.set(call.id, session);
    const freed: FreedAgent = {
      tenantId: call.tenant_id,
      userId: prepared.agent.userId,
      campaignId: call.campaign_id,
    };
    void session.done.finally(() => {
      this.sessions.delete(call.id);
      // The agent is free again: a call waiting for one of the campaign's agents is dialled now.
      if (this.deps.clock.now().getTime() >= this.agentWaitersUntil) return;
      this.freedAgents.set(`${freed.tenantId}/${freed.userId}`, freed);
      this.wake();
    });
    session.start();
  }

  private async applyCancels(): Promise<void> {
    if (this.sessions.size === 0) return;
    const rows = await this.deps.db
      .selectFrom('calls')
      .select('id')
      .where('lease_owner', '=', this.owner)
      .where('cancel_requested', '=', true)
      .execute();
    for (const row of rows) this.sessions.get(row.id)?.cancel();
  }

  /** Calls whose node died mid-call: the open attempt is closed (never redialled) and the retry policy decides. */
  private async recoverAbandoned(): Promise<void> {
    const { db, clock, options } = this.deps;
    const abandoned = await claimAbandonedCalls(
      db,
      this.owner,
      options.batchSize,
      options.leaseSeconds,
      clock.now(),
    );
    // All of them in one group commit: a node taking over a dead one's calls settles them together.
    await Promise.all(
      abandoned
        .filter((call) => !this.sessions.has(call.id))
        .map(async (call) => {
          const talked = call.status === 'connected';
          const result = {
            outcome: talked ? ('answered' as const) : ('network_error' as const),
            sipStatus: null,
            sipReason:
              'the dialer handling this call stopped (lease expired); the attempt is closed, not redialled',
            talked,
          };
          const settled = await this.steps.write({
            kind: 'finish',
            tenantId: call.tenant_id,
            callId: call.id,
            n: call.attempts_made,
            result,
          });
          await this.deps.telemetry?.attemptEnded(undefined, result, call.status, settled, () =>
            campaignStatusOf(db, call),
          );
        }),
    );
  }
}

/** A fresh node id: unique per process start, so a restarted node never inherits leases. */
export function newDialerOwner(): string {
  return `dialer-${randomBytes(6).toString('hex')}`;
}
