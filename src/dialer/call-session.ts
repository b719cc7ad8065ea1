import { type CallOutcome, outcomeForSipStatus } from '../domain/call-status.ts';
import type { Clock } from '../domain/clock.ts';
import type { LegEvent, LegHandle, TelephonyDriver } from '../domain/telephony.ts';
import type { AttemptTrace, CallTelemetry } from '../observability/call-telemetry.ts';
import type { AttemptMedia } from '../service/calls/attempt-media.ts';
import type { AttemptMediaFacts } from '../store/calls/attempt-media.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import type { Db } from '../store/database.ts';
import type { SelectedAgent } from './agent-selection.ts';
import { campaignStatusOf } from './attempt-steps.ts';
import type { CallStepWriter } from './call-step-writer.ts';
import type { AttemptResult } from './call-steps.ts';
import { type AgentForAnswer, type ContactFirstPhase, connectWindowLeftMs } from './contact-first.ts';
import { ContactVerdicts } from './contact-verdicts.ts';

/** Settings of one attempt. */
export interface SessionOptions {
  agentRingSeconds: number;
  contactRingSeconds: number;
  /**
   * A connected call is hung up after this long (default 4 h). Beyond being a cost guard, it
   * ends calls whose peer vanished without a BYE (no RFC 4028 session timers yet), which would
   * otherwise stay `connected` and keep their agent busy for ever.
   */
  maxCallSeconds?: number;
}

const DEFAULT_MAX_CALL_SECONDS = 4 * 3600;

/** An agent leg kept up by a personal-connection session and lent to one call at a time. */
export interface SessionAgentLeg {
  readonly leg: LegHandle;
  /** Lends the leg to `callId`; its later events go to `onEvent`. False when the leg is gone. */
  attach(callId: string, onEvent: (event: LegEvent) => void): boolean;
  /** The contact was bridged to the agent. */
  bridged(): void;
  /** The call is over: park the leg for the next contact (or end it if the session is ending). */
  release(): Promise<void>;
}

/**
 * One attempt of one call, agent first (RFC 3725 flow, as the driver implements it): ring the
 * agent; when they answer, ring the contact; when the contact answers, bridge. Whoever hangs up
 * ends the other leg. Driver events are handled strictly in order through a promise chain.
 * With `sessionLeg` the agent is already up (a personal-connection session): the contact is
 * rung at once, and at the end only the contact is hung up — the agent's leg goes back to its
 * session, on hold.
 * With `agentForAnswer` (predictive) no agent is held at all: the contact is rung and anchored,
 * and a live answer (the verdict, or the answer itself without answer detection) asks for the
 * campaign's longest-idle agent; none within the connect window is an abandon (the abandon
 * prompt, then `abandoned`). Everything after the verdict — connect, message, abandon — is the
 * same code for both flows.
 */
export class CallSession {
  private agentLeg?: LegHandle;
  private contactLeg?: LegHandle;
  private queue: Promise<void> = Promise.resolve();
  private finished = false;
  private connected = false;
  /** The contact answered (bridged or not): an end before the bridge is an abandoned call. */
  private contactAnswered = false;
  private attached = false;
  /** The session leg lent to this call (given at the start, or found for a predictive answer). */
  private sessionLeg?: SessionAgentLeg;
  /** The contact's leg has ended (set at once, not in the chain). */
  private contactEnded = false;
  private timeLimit?: NodeJS.Timeout;
  /** What the attempt record keeps of the contact's media. */
  private readonly facts: AttemptMediaFacts = {};
  /** The attempt's media plan, once loaded (none: media stays peer to peer). */
  private media?: AttemptMedia;
  /** What follows the verdict (connect, message, abandon): shared by every flow. */
  private readonly verdicts: ContactVerdicts;
  private resolveDone!: () => void;
  /** Settles when the attempt is recorded as ended. */
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private call: CallRow,
    private readonly attempt: number,
    /** The agent to ring first; null for a predictive dial (found at the live answer). */
    private readonly agent: SelectedAgent | null,
    private readonly deps: {
      db: Db;
      /** The group commit every status change and the attempt's end go through. */
      steps: CallStepWriter;
      driver: TelephonyDriver;
      clock: Clock;
      options: SessionOptions;
      onError: (error: unknown) => void;
      telemetry?: CallTelemetry;
      /** This attempt's spans (the attempt and one `dial` per leg). */
      trace?: AttemptTrace;
      /** The agent's session leg this call uses instead of ringing the agent. */
      sessionLeg?: SessionAgentLeg;
      /**
       * The campaign's media plan, loading (its prompts come from the store): when it gives
       * one, the contact's media is anchored at pconn (answer detection, prompts).
       */
      media?: Promise<AttemptMedia | null>;
      /** Contact-first, no agent reserved (predictive): the agent is found at the answer. */
      agentForAnswer?: AgentForAnswer;
    },
  ) {
    this.sessionLeg = deps.sessionLeg;
    this.verdicts = new ContactVerdicts(
      {
        current: () => ({
          finished: this.finished,
          call: this.call,
          ...(this.contactLeg ? { contactLeg: this.contactLeg } : {}),
          ...(this.media ? { media: this.media } : {}),
        }),
        attempt,
        facts: this.facts,
        connect: () => this.connect(),
        finish: (result) => this.finish(result),
        enqueue: (step) => this.enqueue(step),
      },
      deps,
    );
  }

  /** Pacing's view: a contact-first dial still ringing, a live answer waiting for its agent, or neither. */
  get phase(): ContactFirstPhase {
    if (this.finished || this.connected) return 'other';
    return this.contactAnswered ? 'waiting' : 'ringing';
  }

  /** The call this session drives. */
  get callId(): string {
    return this.call.id;
  }

  /** Rings the agent (or, in a session, the contact). */
  start(): void {
    // First in the chain: the contact is dialled (from a later step) with the plan at hand.
    const media = this.deps.media;
    if (media)
      this.enqueue(async () => {
        this.media = (await media) ?? undefined;
      });
    if (this.deps.agentForAnswer) {
      this.enqueue(async () => this.dialContact());
      return;
    }
    const held = this.deps.sessionLeg;
    if (held) {
      this.attached = held.attach(this.call.id, (event) => this.enqueue(() => this.onAgentEvent(event)));
      if (this.attached) {
        this.agentLeg = held.leg;
        this.enqueue(async () => this.dialContact());
      }
      // The leg dropped between the routing read and now: like an agent who did not answer.
      else
        this.enqueue(() =>
          this.finish({
            outcome: 'agent_no_answer',
            sipStatus: null,
            sipReason: 'the agent’s session leg ended before the call started',
            talked: false,
          }),
        );
      return;
    }
    if (!this.agent) throw new Error(`call ${this.call.id}: an agent-first attempt without an agent`);
    this.deps.trace?.legStarted('agent');
    this.agentLeg = this.deps.driver.dial(
      {
        legId: `${this.call.id}/${this.attempt}/agent`,
        tenantId: this.call.tenant_id,
        target: this.agent.target,
        callerId: this.call.caller_id,
        ringTimeoutSeconds: this.deps.options.agentRingSeconds,
      },
      (event) => this.enqueue(() => this.onAgentEvent(event)),
    );
  }

  /** Hangs up both legs because the call was canceled. */
  cancel(): void {
    this.hangUp('canceled by request', () => 'canceled');
  }

  /**
   * Hangs up both legs, the node stopping past its grace: recorded as recovery would (a call
   * that talked answered, a contact never bridged abandoned, anything earlier network_error).
   */
  shutDown(reason: string): void {
    this.hangUp(reason, () =>
      this.connected ? 'answered' : this.contactAnswered ? 'abandoned' : 'network_error',
    );
  }

  /** Ends the attempt from this side; its outcome is read when the step runs, in order. */
  private hangUp(sipReason: string, outcome: () => CallOutcome): void {
    this.enqueue(() =>
      this.finish({ outcome: outcome(), sipStatus: null, sipReason, talked: this.connected }),
    );
  }

  private hangUpLeg(leg: LegHandle): void {
    this.deps.driver.hangup(leg).catch((error: unknown) => this.deps.onError(error));
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => this.deps.onError(error));
  }

  private async onAgentEvent(event: LegEvent): Promise<void> {
    this.deps.trace?.legEvent('agent', event);
    if (this.finished) return;
    if (event.type === 'answered') {
      this.call = await this.transition('dialing_contact', { leg: 'agent', event: 'answered' });
      this.dialContact();
    } else if (event.type === 'ended') {
      // The agent leg ended: before the contact was dialled that is "agent did not answer";
      // after the conversation started it is the agent hanging up.
      if (this.connected)
        await this.finish({ outcome: 'answered', sipStatus: 200, sipReason: 'agent hung up', talked: true });
      else if (this.contactLeg)
        await this.finish({
          outcome: this.contactAnswered ? 'abandoned' : 'network_error',
          sipStatus: event.status,
          sipReason: `agent leg ended: ${event.reason}`,
          talked: false,
        });
      else
        await this.finish({
          outcome: 'agent_no_answer',
          sipStatus: event.status,
          sipReason: event.reason,
          talked: false,
        });
    }
  }

  private dialContact(): void {
    this.deps.trace?.legStarted('contact');
    this.contactLeg = this.deps.driver.dial(
      {
        legId: `${this.call.id}/${this.attempt}/contact`,
        tenantId: this.call.tenant_id,
        target: { kind: 'phone', number: this.call.to_number },
        callerId: this.call.caller_id,
        ringTimeoutSeconds: this.deps.options.contactRingSeconds,
        ...(this.agentLeg ? { bridgeWith: this.agentLeg.legId } : {}),
        ...(this.media ? { anchor: this.media.anchor } : {}),
      },
      (contactEvent) => {
        // Kept at once, not in the chain: a leg we end ourselves reports its media figures
        // while finish() is still writing the attempt.
        if (contactEvent.type === 'ended') this.contactEnded = true;
        if (contactEvent.type === 'ended' && contactEvent.media) this.facts.media = contactEvent.media;
        this.enqueue(() => this.onContactEvent(contactEvent));
      },
    );
  }

  private async onContactEvent(event: LegEvent): Promise<void> {
    this.deps.trace?.legEvent('contact', event);
    if (this.finished) return;
    if (event.type === 'answered' && this.contactLeg && (this.agentLeg || this.deps.agentForAnswer)) {
      this.contactAnswered = true;
      this.facts.contactAnsweredAt = this.deps.clock.now();
      // With answer detection the verdict decides; without it the contact goes to the agent.
      if (!this.media?.anchor.answerDetection) await this.connect();
    } else if (event.type === 'analysis') {
      await this.verdicts.onVerdict(event.detection);
    } else if (event.type === 'beep') {
      await this.verdicts.onBeep(event.detection);
    } else if (event.type === 'ended') {
      const talked = this.connected;
      const outcome = talked
        ? 'answered'
        : this.contactAnswered
          ? 'abandoned'
          : event.by === 'timeout'
            ? 'no_answer'
            : event.by === 'network'
              ? 'network_error'
              : outcomeForSipStatus(event.status);
      await this.finish({ outcome, sipStatus: event.status, sipReason: event.reason, talked });
    }
  }

  /** Bridges the answered contact to the agent: the call is connected. */
  private async connect(): Promise<void> {
    if (!this.contactLeg) return;
    if (!this.agentLeg && !(await this.takeAgent())) return;
    if (!this.agentLeg) return;
    try {
      await this.deps.driver.bridge(this.agentLeg, this.contactLeg);
    } catch (error) {
      // The contact picked up and hears nothing: an abandoned call, never a quiet requeue.
      await this.finish({
        outcome: 'abandoned',
        sipStatus: null,
        sipReason: `bridge failed: ${error instanceof Error ? error.message : String(error)}`,
        talked: false,
      });
      return;
    }
    this.connected = true;
    this.facts.agentConnectedAt = this.deps.clock.now();
    if (this.attached) this.sessionLeg?.bridged();
    this.startTimeLimit();
    this.call = await this.transition('connected', { leg: 'contact', event: 'answered' }, true);
  }

  /**
   * Predictive: the live answer takes the longest-idle agent (claimed in the store, waiting at
   * most the connect window). None: the abandon prompt and `abandoned`. False when there is no
   * agent to bridge to (the call is then finishing).
   */
  private async takeAgent(): Promise<boolean> {
    const find = this.deps.agentForAnswer;
    if (!find) return false;
    const now = this.deps.clock.now();
    const found = await find(this.call, this.attempt, connectWindowLeftMs(this.facts, now));
    if (this.finished) {
      // Canceled while the agent was claimed: lend and return the leg, so the agent is released.
      if (found?.leg.attach(this.call.id, () => undefined)) await found.leg.release();
      return false;
    }
    if (!found) {
      await this.verdicts.abandon('no agent free within 2 s of the live answer');
      return false;
    }
    this.sessionLeg = found.leg;
    this.attached = found.leg.attach(this.call.id, (event) => this.enqueue(() => this.onAgentEvent(event)));
    if (!this.attached) {
      await this.verdicts.abandon('the agent’s session leg ended as the contact answered');
      return false;
    }
    this.agentLeg = found.leg.leg;
    // The contact hung up while we looked: its end (queued) settles the call and frees the agent.
    return !this.contactEnded;
  }

  private startTimeLimit(): void {
    const seconds = this.deps.options.maxCallSeconds ?? DEFAULT_MAX_CALL_SECONDS;
    this.timeLimit = setTimeout(
      () => this.hangUp(`call time limit reached (${seconds} s, PCONN_MAX_CALL_SECONDS)`, () => 'answered'),
      seconds * 1000,
    );
    this.timeLimit.unref();
  }

  /** `withFacts`: the attempt's media facts so far are written with the change. */
  private async transition(
    status: 'dialing_contact' | 'connected',
    extra: Record<string, unknown>,
    withFacts = false,
  ) {
    const updated = await this.deps.steps.write({
      kind: 'transition',
      call: this.call,
      status,
      changes: {},
      extra: { attempt: this.attempt, ...extra },
      ...(withFacts ? { attemptFacts: { n: this.attempt, facts: { ...this.facts } } } : {}),
    });
    // Only a call this session holds reaches here; another state means its lease was lost.
    if (!updated) throw new Error(`call ${this.call.id} left ${this.call.status} before ${status}`);
    this.deps.telemetry?.callTransitioned(updated);
    return updated;
  }

  private async finish(result: AttemptResult): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timeLimit);
    this.verdicts.stop();
    // The end is recorded without waiting for the peers to confirm their BYE or CANCEL: one
    // that never answers would hold the record and the agent for Timer F (32 s). A leg reports
    // its own end (and media figures) as the hangup starts, before the write below.
    if (this.contactLeg) this.hangUpLeg(this.contactLeg);
    if (this.agentLeg && !this.sessionLeg) this.hangUpLeg(this.agentLeg);
    try {
      const settled = await this.deps.steps.write({
        kind: 'finish',
        tenantId: this.call.tenant_id,
        callId: this.call.id,
        n: this.attempt,
        result: this.media || this.facts.contactAnsweredAt ? { ...result, media: this.facts } : result,
      });
      // Before `done` settles: a stopping node flushes spans only after its sessions are done.
      await this.deps.telemetry?.attemptEnded(this.deps.trace, result, this.call.status, settled, () =>
        campaignStatusOf(this.deps.db, this.call),
      );
    } finally {
      // After the settle, so the call's end is never held up by the agent's hold re-INVITE.
      if (this.attached) await this.sessionLeg?.release().catch((error: unknown) => this.deps.onError(error));
      this.resolveDone();
    }
  }
}
