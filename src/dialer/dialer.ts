import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AgentStateChange } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import type { CampaignStats } from '../domain/pacing/campaign-stats.ts';
import type { TelephonyDriver } from '../domain/telephony.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import { attemptMediaFor, PromptAudioCache } from '../service/calls/attempt-media.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { callsToCancel } from '../store/calls/calls-to-cancel.ts';
import type { FreedAgent } from '../store/calls/claim.ts';
import type { BatchDialFacts, FreeAgent } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { AgentSessions } from './agent-sessions.ts';
import { AnswerAgents } from './answer-agents.ts';
import { CallSession, type SessionOptions } from './call-session.ts';
import { CallStepWriter } from './call-step-writer.ts';
import { claimRound } from './claim-due-with-facts.ts';
import { DialerUpkeep, UPKEEP_EVERY_MS } from './dialer-upkeep.ts';
import { PredictivePacer } from './predictive-pacer.ts';
import { claimPredictiveRound } from './predictive-round.ts';
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
/**
 * How long a stopping node waits for the ends of the calls it hung up to be recorded: their
 * BYEs' answers and one group-committed write, a few seconds even for thousands of calls.
 */
export const SHUTDOWN_RECORD_MS = 10_000;

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
  /** Schedules, leases and recovery, on a loop of their own (dialer-upkeep.ts). */
  private readonly upkeep: DialerUpkeep;
  private readonly agentSessions: AgentSessions;
  private readonly previewOffers: PreviewOffers;
  /** The group commit of every call step this node writes (attempts, transitions, settles). */
  readonly steps: CallStepWriter;
  /** Predictive pacing (issue 17): how many contacts each predictive campaign dials now. */
  private readonly pacer: PredictivePacer;
  /** Session agents for predictive live answers. */
  private readonly answerAgents: AnswerAgents;

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
      /** Predictive campaigns' live statistics were published (metrics). */
      onCampaignStats?: (stats: readonly CampaignStats[]) => void;
    },
  ) {
    this.owner = deps.owner ?? newDialerOwner();
    this.steps = new CallStepWriter(deps.db, deps.clock);
    this.upkeep = new DialerUpkeep({
      ...deps,
      owner: this.owner,
      steps: this.steps,
      liveCalls: this.sessions,
    });
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
    this.pacer = new PredictivePacer({
      db: deps.db,
      clock: deps.clock,
      owner: this.owner,
      options: {
        trunkLines: deps.options.maxConcurrentCalls,
        ringTimeoutSeconds: deps.options.contactRingSeconds,
      },
      ...(deps.onCampaignStats ? { onStats: deps.onCampaignStats } : {}),
    });
    this.answerAgents = new AnswerAgents({
      db: deps.db,
      clock: deps.clock,
      owner: this.owner,
      legFor: (sessionId) => this.agentSessions.legFor(sessionId),
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
    this.upkeep.start();
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
   * Stops claiming, lets live calls finish (up to `graceMs`), hangs up those still live and
   * records their end (up to `SHUTDOWN_RECORD_MS`), then ends this node's personal-connection
   * sessions (their legs cannot outlive the process) and stops. An attempt whose end could not
   * be recorded in time is left to recovery: its lease lapses and another node closes it.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.state = 'draining';
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([this.ticking, this.upkeep.stop()]);
    await this.sessionsEnded(graceMs);
    const live = this.sessions.size;
    if (live > 0) {
      const reason = `hung up: the node stopped (its ${graceMs} ms shutdown grace, PCONN_SHUTDOWN_GRACE_MS, had passed)`;
      for (const session of this.sessions.values()) session.shutDown(reason);
      await this.sessionsEnded(SHUTDOWN_RECORD_MS);
      const unrecorded = this.sessions.size;
      this.deps.logger.warn(
        { hungUp: live, unrecorded },
        unrecorded === 0
          ? 'calls still live at the end of the shutdown grace were hung up and recorded'
          : 'calls still live at the end of the shutdown grace were hung up; the unrecorded ones are closed by recovery once their leases lapse',
      );
    }
    await this.agentSessions
      .stop()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'ending sessions failed'));
    this.state = 'stopped';
  }

  /** Waits until no call session is left on this node, or `ms` have passed. */
  private async sessionsEnded(ms: number): Promise<void> {
    const deadline = performance.now() + ms; // bounds real waiting, decides nothing: monotonic
    while (this.sessions.size > 0 && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }

  /** Session agents came free (a wrap-up ended): their campaigns' waiting calls go first. */
  private agentsFreed(freed: readonly FreedAgent[]): void {
    // Predictive answers waiting for an agent look again at once.
    this.answerAgents.agentFreed();
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
    let cancels: Promise<void> | undefined;
    try {
      const housekeeping = clock.now().getTime() - this.lastHousekeeping > UPKEEP_EVERY_MS;
      if (housekeeping) this.lastHousekeeping = clock.now().getTime();
      // Alongside the claim, not before it: the two reads are pipelined to the store.
      cancels = this.applyCancels().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'dialer cancels failed'),
      );
      await this.agentSessions.tick(this.state === 'running', housekeeping);
      const placed = await this.dialPredictive(options.maxConcurrentCalls - this.sessions.size, housekeeping);
      const room = options.maxConcurrentCalls - this.sessions.size - placed;
      if (room <= 0) return;
      let limit = Math.min(room, options.batchSize);
      // Preview campaigns' calls go through offers to this node's session agents (none: no round).
      if (this.agentSessions.size > 0) {
        const accepted = await this.previewOffers.round(limit);
        await this.placeAll(accepted.calls, { agents: accepted.agents });
        limit -= accepted.calls.length;
        if (limit <= 0) return;
      }
      const freed = [...this.freedAgents.values()];
      this.freedAgents.clear();
      const round = await claimRound(db, {
        owner: this.owner,
        freed,
        agentWaitMs: options.agentWaitMs,
        limit,
        leaseSeconds: options.leaseSeconds,
        now: clock.now(),
      });
      await this.placeAll(round.calls, {}, round.facts);
      if (round.calls.length === limit) this.wakeRequested = true;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'dialer tick failed');
    } finally {
      await cancels;
    }
  }

  /** Predictive campaigns' paced dials (claimPredictiveRound); answers how many were claimed. */
  private async dialPredictive(room: number, housekeeping: boolean): Promise<number> {
    const { db, clock, options } = this.deps;
    const batches = await claimPredictiveRound(
      this.pacer,
      { db, clock, owner: this.owner, batchSize: options.batchSize, leaseSeconds: options.leaseSeconds },
      {
        room,
        phaseOf: (callId) => this.sessions.get(callId)?.phase ?? 'other',
        liveCalls: this.sessions.size,
        housekeeping,
      },
    );
    let claimed = 0;
    for (const batch of batches) {
      claimed += batch.calls.length;
      await this.placeAll(batch.calls, batch);
    }
    return claimed;
  }

  /** Checks the claimed batch, writes all of its attempts in one commit, then dials each. */
  private async placeAll(
    calls: CallRow[],
    reserved: { agents?: ReadonlyMap<string, FreeAgent>; restrictedCampaigns?: ReadonlySet<string> } = {},
    /** Their pre-dial facts, when the claim brought them (else prepareAttempts reads them). */
    facts?: readonly (BatchDialFacts | undefined)[],
  ): Promise<void> {
    if (calls.length === 0) return;
    const prepared = await prepareAttempts(
      {
        db: this.deps.db,
        steps: this.steps,
        driverName: this.deps.driver.name,
        clock: this.deps.clock,
        agentWaitMs: this.deps.options.agentWaitMs,
        ...(this.deps.telemetry ? { telemetry: this.deps.telemetry } : {}),
        ...(reserved.agents ? { reservedAgents: reserved.agents } : {}),
        ...(reserved.restrictedCampaigns ? { restrictedCampaigns: reserved.restrictedCampaigns } : {}),
      },
      calls,
      facts,
    );
    for (const [i, outcome] of prepared.entries()) {
      if (outcome === 'waiting_for_agent')
        this.agentWaitersUntil = this.deps.clock.now().getTime() + this.deps.options.agentWaitMs;
      else if (outcome) this.place(calls[i] as CallRow, outcome);
      else {
        // An accepted preview call not dialled after all (blocked, deferred): its agent is free.
        const call = calls[i] as CallRow;
        const sessionId = reserved.agents?.get(call.id)?.sessionId;
        if (sessionId) await this.previewOffers.notDialled(call, sessionId);
      }
    }
  }

  private place(call: CallRow, prepared: PreparedAttempt): void {
    const sessionId = prepared.agent?.sessionId;
    const contactFirst = prepared.contactFirst;
    const session = new CallSession(prepared.call, prepared.attempt, prepared.agent, {
      ...(sessionId ? { sessionLeg: this.agentSessions.legFor(sessionId) } : {}),
      ...(contactFirst === 'unreserved' ? { agentForAnswer: this.answerAgents.find } : {}),
      db: this.deps.db,
      steps: this.steps,
      driver: this.deps.driver,
      clock: this.deps.clock,
      options: this.deps.options,
      telemetry: this.deps.telemetry,
      trace: this.deps.telemetry?.attemptStarted(prepared.call, prepared.attempt),
      // Read only when the campaign asks for answer detection (its prompts come from the store).
      media: attemptMediaFor(
        this.deps.db,
        this.prompts,
        call.tenant_id,
        prepared.campaign,
        contactFirst !== undefined,
      ),
      onError: (error) =>
        // Once stopped, the store may be closed under a session stop() gave up on: recovery
        // closes its attempt, and stop() has counted it in one line.
        this.state === 'stopped'
          ? this.deps.logger.debug({ err: error, callId: call.id }, 'call session step failed after stop')
          : this.deps.logger.error({ err: error, callId: call.id }, 'call session step failed'),
    });
    this.sessions.set(call.id, session);
    if (contactFirst) this.pacer.track(call);
    const userId = prepared.agent?.userId;
    void session.done.finally(() => {
      this.sessions.delete(call.id);
      this.pacer.untrack(call.id);
      // A predictive call's agent (found at the answer) frees up through its session leg.
      if (userId === undefined) return this.wake();
      const freed: FreedAgent = { tenantId: call.tenant_id, userId, campaignId: call.campaign_id };
      // The agent is free again: a call waiting for one of the campaign's agents is dialled now.
      if (this.deps.clock.now().getTime() >= this.agentWaitersUntil) return;
      this.freedAgents.set(`${freed.tenantId}/${freed.userId}`, freed);
      this.wake();
    });
    session.start();
  }

  private async applyCancels(): Promise<void> {
    if (this.sessions.size === 0) return;
    for (const id of await callsToCancel(this.deps.db, this.owner)) this.sessions.get(id)?.cancel();
  }
}

/** A fresh node id: unique per process start, so a restarted node never inherits leases. */
export function newDialerOwner(): string {
  return `dialer-${randomBytes(6).toString('hex')}`;
}
