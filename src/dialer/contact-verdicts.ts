import { stepForVerdict } from '../domain/answer-action.ts';
import type { Clock } from '../domain/clock.ts';
import type { LegEvent, LegHandle, TelephonyDriver } from '../domain/telephony.ts';
import type { AttemptMedia } from '../service/calls/attempt-media.ts';
import { presentCall } from '../service/calls/present-call.ts';
import type { AttemptMediaFacts } from '../store/calls/attempt-media.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { listAttempts } from '../store/calls/calls.ts';
import type { Db } from '../store/database.ts';
import type { CallStepWriter } from './call-step-writer.ts';
import type { AttemptResult } from './call-steps.ts';

/*
 * What happens to an answered, anchored contact once answer detection (or the answer itself)
 * has spoken, for every flow — agent first, a session's held agent, contact first with or
 * without a reserved agent: the verdict goes on the timeline and decides between connecting,
 * hanging up, leaving the machine message after the beep, and abandoning with the abandon
 * prompt (`call.abandoned`). The call session owns the legs and the order of events; this owns
 * the rules after the verdict, so the flows cannot drift apart.
 */

type Detection = Extract<LegEvent, { type: 'analysis' }>['detection'];

/** The call session as the verdict handling sees it. */
export interface VerdictHost {
  /** The session now: over or not, its call row, the contact's leg and the media plan. */
  current(): { finished: boolean; call: CallRow; contactLeg?: LegHandle; media?: AttemptMedia };
  readonly attempt: number;
  /** The attempt's media facts (shared: the session writes them with its steps). */
  readonly facts: AttemptMediaFacts;
  /** Bridges the contact to an agent (finding one first, in predictive). */
  connect(): Promise<void>;
  finish(result: AttemptResult): Promise<void>;
  /** Runs a step in the session's event order. */
  enqueue(step: () => Promise<void>): void;
}

/** The verdict handling of one attempt. */
export class ContactVerdicts {
  /** A machine verdict is waiting for its beep to leave the message. */
  private awaitingBeep = false;
  private beepTimer?: NodeJS.Timeout;

  constructor(
    private readonly host: VerdictHost,
    private readonly deps: {
      db: Db;
      steps: CallStepWriter;
      driver: TelephonyDriver;
      clock: Clock;
      onError: (error: unknown) => void;
    },
  ) {}

  /** Records the verdict on the timeline and acts on it per the campaign. */
  async onVerdict(detection: Detection): Promise<void> {
    const { media, call } = this.host.current();
    const facts = this.host.facts;
    if (!media || facts.analysis) return;
    facts.analysis = detection;
    await this.deps.steps.write({
      kind: 'event',
      call,
      type: 'call.analysis',
      data: { attempt: this.host.attempt, analysis: detection },
      attemptFacts: { n: this.host.attempt, facts: { ...facts } },
    });
    if (this.host.current().finished) return;
    const step = stepForVerdict(detection.verdict, media.actions);
    if (step.kind === 'connect') await this.host.connect();
    else if (step.kind === 'hang_up')
      await this.host.finish({
        outcome: step.outcome,
        sipStatus: 200,
        sipReason: `answer detection: ${detection.verdict} (${detection.features.reason})`,
        talked: false,
      });
    else if (step.kind === 'abandon') await this.abandon(`answer detection: ${detection.verdict}`);
    else if (detection.beepAtMs !== null) await this.leaveMessage();
    else {
      this.awaitingBeep = true;
      // No beep after all (some machines never beep): leave the message when the wait ends.
      this.beepTimer = setTimeout(() => this.host.enqueue(() => this.leaveMessage()), media.beepTimeoutMs);
      this.beepTimer.unref();
    }
  }

  /** A machine's beep ended: the message now, if one is waiting for it. */
  async onBeep(detection: Detection): Promise<void> {
    if (this.host.facts.analysis) this.host.facts.analysis = detection;
    if (this.awaitingBeep) await this.leaveMessage();
  }

  /** The attempt is over: no message is left later. */
  stop(): void {
    clearTimeout(this.beepTimer);
  }

  /** Plays the machine prompt into the anchored leg, then hangs up (`machine`). */
  private async leaveMessage(): Promise<void> {
    const { finished, contactLeg, media } = this.host.current();
    if (finished || !contactLeg) return;
    this.awaitingBeep = false;
    clearTimeout(this.beepTimer);
    const prompt = media?.machinePrompt;
    let reason = 'answer detection: machine, no message to leave';
    if (prompt) {
      this.host.facts.machineMessagePlayedAt = this.deps.clock.now();
      const played = await this.playOrFalse(contactLeg, prompt);
      reason = played
        ? 'answer detection: machine, message left'
        : 'answer detection: machine, message cut short';
    }
    await this.host.finish({ outcome: 'machine', sipStatus: 200, sipReason: reason, talked: false });
  }

  /**
   * A live answer no agent will take: `call.abandoned` on the timeline, the abandon message,
   * then the end (`abandoned`).
   */
  async abandon(why: string): Promise<void> {
    const { finished, contactLeg, media, call } = this.host.current();
    if (finished || !contactLeg) return;
    const facts = this.host.facts;
    const prompt = media?.abandonPrompt;
    let playedAt: Date | null = null;
    if (prompt) {
      playedAt = this.deps.clock.now();
      facts.abandonPromptPlayedAt = playedAt;
    }
    // On the timeline before the prompt plays: the stream shows the abandon as it happens.
    await this.deps.steps.write({
      kind: 'event',
      call,
      type: 'call.abandoned',
      data: {
        call: presentCall(call, await listAttempts(this.deps.db, call.tenant_id, [call.id])),
        attempt: this.host.attempt,
        answeredAt: facts.contactAnsweredAt?.toISOString() ?? null,
        promptPlayedAt: playedAt?.toISOString() ?? null,
        reason: why,
      },
      attemptFacts: { n: this.host.attempt, facts: { ...facts } },
    });
    if (prompt) await this.playOrFalse(contactLeg, prompt);
    await this.host.finish({ outcome: 'abandoned', sipStatus: 200, sipReason: why, talked: false });
  }

  /** Plays into the contact leg; false when it could not play to the end (the leg went). */
  private async playOrFalse(leg: LegHandle, audio: Int16Array): Promise<boolean> {
    try {
      return await this.deps.driver.play(leg, audio);
    } catch (error) {
      this.deps.onError(error);
      return false;
    }
  }
}
