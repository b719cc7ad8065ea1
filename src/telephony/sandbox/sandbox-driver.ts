import { appendFileSync } from 'node:fs';
import type {
  LegAnchor,
  LegEvent,
  LegHandle,
  LegMediaQuality,
  LegRequest,
  TelephonyDriver,
} from '../../domain/telephony.ts';
import { behaviourFor, HUMAN_ANALYSIS, type SandboxBehaviour } from './magic-numbers.ts';
import { sandboxDetections } from './sandbox-analysis.ts';

interface Leg extends LegHandle {
  onEvent: (event: LegEvent) => void;
  timers: NodeJS.Timeout[];
  answered: boolean;
  ended: boolean;
  peer?: Leg;
  /** LegRequest.anchor: its media "comes to pconn" from the answer until a bridge. */
  anchor?: LegAnchor;
  /** Anchored media: when it started (performance.now) and the ms it lasted once released. */
  media?: { since: number; releasedAfterMs?: number };
  /** Timers of the anchored media (analysis, beep, playback), cleared by the bridge. */
  mediaTimers: NodeJS.Timeout[];
  /** The prompt playing, if any. */
  playing?: (completed: boolean) => void;
}

/** Legs whose played prompts stay readable (`played`), newest kept. */
const PLAYED_LEGS_KEPT = 1000;

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
 * Anchored legs (LegRequest.anchor) report the answer detection their number stands for
 * (555-0130…0135; a person for any other number), take prompts that "play" for their duration
 * on the sandbox's timers, and end with media figures as the SIP driver's would.
 */
export class SandboxDriver implements TelephonyDriver {
  readonly name = 'sandbox' as const;
  private readonly legs = new Map<string, Leg>();
  private readonly plays = new Map<string, Int16Array[]>();

  constructor(private readonly options: SandboxOptions = { timeScale: 1 }) {}

  dial(request: LegRequest, onEvent: (event: LegEvent) => void): LegHandle {
    if (this.options.dialLog)
      appendFileSync(this.options.dialLog, `${JSON.stringify({ legId: request.legId, at: Date.now() })}\n`);
    this.options.onDial?.(request);
    const leg: Leg = {
      legId: request.legId,
      onEvent,
      timers: [],
      mediaTimers: [],
      answered: false,
      ended: false,
      ...(request.anchor ? { anchor: request.anchor } : {}),
    };
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
        if (leg.anchor) this.anchor(leg, behaviour);
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
      // An anchored leg's media moves to the agent: playback and analysis stop.
      this.release(first);
      this.release(second);
      first.peer = second;
      second.peer = first;
    }
  }

  async play(handle: LegHandle, audio: Int16Array): Promise<boolean> {
    const leg = this.legs.get(handle.legId);
    if (!leg?.anchor) throw new Error(`play: leg ${handle.legId} is not anchored`);
    if (!leg.answered || !leg.media || leg.media.releasedAfterMs !== undefined)
      throw new Error(`play: leg ${handle.legId} is not answered`);
    leg.playing?.(false);
    this.record(handle.legId, audio);
    return new Promise<boolean>((resolve) => {
      const timer = this.afterMedia(leg, audio.length / 8000, () => finish(true));
      const finish = (completed: boolean) => {
        if (leg.playing !== finish) return;
        leg.playing = undefined;
        clearTimeout(timer);
        resolve(completed);
      };
      leg.playing = finish;
    });
  }

  /** The prompts played into a leg, in order (kept after it ended, for the newest 1000 legs). */
  played(legId: string): readonly Int16Array[] {
    return this.plays.get(legId) ?? [];
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
    for (const leg of this.legs.values()) {
      for (const timer of [...leg.timers, ...leg.mediaTimers]) clearTimeout(timer);
      leg.playing?.(false);
    }
    this.legs.clear();
  }

  /** An anchored leg answered: its number's answer detection is "heard" on the timers. */
  private anchor(leg: Leg, behaviour: SandboxBehaviour): void {
    leg.media = { since: performance.now() };
    const settings = leg.anchor?.answerDetection;
    if (!settings) return;
    const { verdict, beep } = sandboxDetections(behaviour.analysis ?? HUMAN_ANALYSIS, settings);
    this.afterMedia(leg, verdict.decidedAtMs / 1000, () =>
      leg.onEvent({ type: 'analysis', detection: verdict }),
    );
    if (beep?.beepAtMs != null)
      this.afterMedia(leg, beep.beepAtMs / 1000, () => leg.onEvent({ type: 'beep', detection: beep }));
  }

  /** The bridge takes an anchored leg's media away: no more analysis or prompts. */
  private release(leg: Leg): void {
    if (!leg.media || leg.media.releasedAfterMs !== undefined) return;
    leg.media.releasedAfterMs = this.mediaMs(leg.media.since);
    this.stopMedia(leg);
  }

  private stopMedia(leg: Leg): void {
    for (const timer of leg.mediaTimers.splice(0)) clearTimeout(timer);
    leg.playing?.(false);
  }

  /** Sandbox milliseconds since `since` (wall time divided by the time scale). */
  private mediaMs(since: number): number {
    return (performance.now() - since) / this.options.timeScale;
  }

  /** Figures of an anchored leg as 20 ms packets both ways for as long as pconn held its media. */
  private quality(leg: Leg): LegMediaQuality | undefined {
    if (!leg.media) return undefined;
    const ms = leg.media.releasedAfterMs ?? this.mediaMs(leg.media.since);
    const packets = Math.floor(ms / 20);
    return { packetsReceived: packets, packetsLost: 0, jitterMs: 0, packetsSent: packets, codec: 'PCMU' };
  }

  private record(legId: string, audio: Int16Array): void {
    const list = this.plays.get(legId) ?? [];
    list.push(audio);
    this.plays.delete(legId);
    this.plays.set(legId, list);
    if (this.plays.size > PLAYED_LEGS_KEPT) this.plays.delete(this.plays.keys().next().value as string);
  }

  private after(leg: Leg, seconds: number, run: () => void): void {
    leg.timers.push(this.timer(leg, seconds, run));
  }

  private afterMedia(leg: Leg, seconds: number, run: () => void): NodeJS.Timeout {
    const timer = this.timer(leg, seconds, run);
    leg.mediaTimers.push(timer);
    return timer;
  }

  private timer(leg: Leg, seconds: number, run: () => void): NodeJS.Timeout {
    return setTimeout(
      () => {
        if (!leg.ended) run();
      },
      seconds * 1000 * this.options.timeScale,
    );
  }

  private end(leg: Leg, status: number, reason: string, by: 'remote' | 'local' | 'timeout'): void {
    if (leg.ended) return;
    leg.ended = true;
    for (const timer of leg.timers) clearTimeout(timer);
    this.stopMedia(leg);
    this.legs.delete(leg.legId);
    const media = this.quality(leg);
    leg.onEvent({ type: 'ended', status, reason, by, ...(media ? { media } : {}) });
  }
}
