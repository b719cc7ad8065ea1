import { appendFileSync } from 'node:fs';
import type { LegEvent, LegHandle, LegRequest, TelephonyDriver } from '../../domain/telephony.ts';
import { behaviourFor } from './magic-numbers.ts';

interface Leg extends LegHandle {
  onEvent: (event: LegEvent) => void;
  timers: NodeJS.Timeout[];
  answered: boolean;
  ended: boolean;
  peer?: Leg;
}

/** Options of the sandbox driver. */
export interface SandboxOptions {
  /** Multiplies every delay (tests run at 0.01). */
  timeScale: number;
  /** When set, every dial is appended to this file (one JSON line) before it starts. */
  dialLog?: string;
  /** Called for every dial (tests count them). */
  onDial?: (request: LegRequest) => void;
  /** Called for every leg parked by `hold` (tests count them). */
  onHold?: (legId: string) => void;
}

/**
 * In-process telephony for trying pconn without a trunk: legs ring, answer, fail or hang up
 * according to the magic number they dial (see magic-numbers.ts). An agent device that is a
 * SIP URI containing "noanswer" never answers; any other agent device answers after 1 s.
 */
export class SandboxDriver implements TelephonyDriver {
  readonly name = 'sandbox' as const;
  private readonly legs = new Map<string, Leg>();

  constructor(private readonly options: SandboxOptions = { timeScale: 1 }) {}

  dial(request: LegRequest, onEvent: (event: LegEvent) => void): LegHandle {
    if (this.options.dialLog)
      appendFileSync(this.options.dialLog, `${JSON.stringify({ legId: request.legId, at: Date.now() })}\n`);
    this.options.onDial?.(request);
    const leg: Leg = { legId: request.legId, onEvent, timers: [], answered: false, ended: false };
    this.legs.set(request.legId, leg);
    const target = request.target;
    const address =
      target.kind === 'phone' ? target.number : target.kind === 'sip' ? target.uri : target.username;
    const behaviour =
      target.kind === 'phone'
        ? behaviourFor(target.number)
        : /noanswer/i.test(address)
          ? { description: 'never answers' }
          : { answerAfter: 1, description: 'agent answers' };
    this.after(leg, 0.05, () => leg.onEvent({ type: 'trying' }));
    this.after(leg, 0.1, () => leg.onEvent({ type: 'ringing' }));
    if ('failWith' in behaviour && behaviour.failWith) {
      const failure = behaviour.failWith;
      this.after(leg, failure.after, () => this.end(leg, failure.status, failure.reason, 'remote'));
    } else if ('answerAfter' in behaviour && behaviour.answerAfter !== undefined) {
      this.after(leg, Math.max(0.15, behaviour.answerAfter), () => {
        leg.answered = true;
        leg.onEvent({ type: 'answered' });
        const hangupAfter = 'hangupAfter' in behaviour ? behaviour.hangupAfter : undefined;
        if (hangupAfter !== undefined)
          this.after(leg, hangupAfter, () => this.end(leg, 200, 'BYE', 'remote'));
      });
    }
    this.after(leg, request.ringTimeoutSeconds, () => {
      if (!leg.answered) this.end(leg, 408, 'Ring timeout', 'timeout');
    });
    return leg;
  }

  async bridge(a: LegHandle, b: LegHandle): Promise<void> {
    const first = this.legs.get(a.legId);
    const second = this.legs.get(b.legId);
    if (first && second) {
      first.peer = second;
      second.peer = first;
    }
  }

  async play(leg: LegHandle, _audio: Int16Array): Promise<boolean> {
    // Anchored media is not wired into this driver yet: no leg is ever anchored.
    throw new Error(`play: leg ${leg.legId} is not anchored`);
  }

  async hold(handle: LegHandle): Promise<void> {
    const leg = this.legs.get(handle.legId);
    if (!leg?.answered) throw new Error(`hold: leg ${handle.legId} is not up`);
    if (leg.peer?.peer === leg) leg.peer.peer = undefined;
    leg.peer = undefined;
    this.options.onHold?.(handle.legId);
  }

  /** The far end of a leg hangs up now (tests; the sandbox's own parties hang up by magic number). */
  remoteHangup(legId: string): void {
    const leg = this.legs.get(legId);
    if (leg) this.end(leg, leg.answered ? 200 : 487, leg.answered ? 'BYE' : 'Request Terminated', 'remote');
  }

  async hangup(handle: LegHandle): Promise<void> {
    const leg = this.legs.get(handle.legId);
    if (leg) this.end(leg, leg.answered ? 200 : 487, leg.answered ? 'BYE' : 'Request Terminated', 'local');
  }

  async close(): Promise<void> {
    for (const leg of this.legs.values()) for (const timer of leg.timers) clearTimeout(timer);
    this.legs.clear();
  }

  private after(leg: Leg, seconds: number, run: () => void): void {
    leg.timers.push(
      setTimeout(
        () => {
          if (!leg.ended) run();
        },
        seconds * 1000 * this.options.timeScale,
      ),
    );
  }

  private end(leg: Leg, status: number, reason: string, by: 'remote' | 'local' | 'timeout'): void {
    if (leg.ended) return;
    leg.ended = true;
    for (const timer of leg.timers) clearTimeout(timer);
    this.legs.delete(leg.legId);
    leg.onEvent({ type: 'ended', status, reason, by });
  }
}
