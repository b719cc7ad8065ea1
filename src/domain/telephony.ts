// The port names answer detection's settings and verdict as media/ defines them (types only:
// the driver runs the analyser, the dialer reads its verdict).
import type { AnswerDetection } from '../media/answer-detection-result.ts';
import type { AnswerDetectionSettings } from '../media/answer-detection-settings.ts';

/** Where a leg goes: an agent's device or a contact's number. */
export type LegTarget =
  | { kind: 'sip'; uri: string }
  | { kind: 'phone'; number: string }
  | { kind: 'registered'; username: string };

/** A request to ring one party. */
export interface LegRequest {
  /** `<callId>/<attempt>/<agent|contact>`: unique per dial, so drivers can record and dedupe. */
  legId: string;
  /** Tenant of the call: drivers that route through per-tenant config (trunks, devices) need it. */
  tenantId?: string;
  target: LegTarget;
  callerId: string | null;
  /** Give up (CANCEL) after this many seconds of ringing: outcome no_answer. */
  ringTimeoutSeconds: number;
  /**
   * The leg outlives its bridges (an agent's personal-connection session): when a bridge to a
   * contact fails, only the contact is ended and this leg stays up unless it stopped answering.
   */
  persistent?: boolean;
  /**
   * The leg this one will be bridged with (a contact's agent leg, which may be a session's leg
   * kept up between calls). A driver that must put an offer in its first request (a trunk with
   * offerInInitialInvite) offers that leg's media description rather than a black hole.
   */
  bridgeWith?: string;
  /**
   * Anchor the leg's media at pconn (contact-first calls, answer detection): the driver answers
   * the far end's media itself, so it can analyse what it hears and play prompts, until
   * `bridge` hands the media to the other leg (RFC 3725 re-INVITE) and frees pconn's ports.
   * Absent: media never touches pconn (today's flow).
   */
  anchor?: LegAnchor;
}

/** What pconn does with an anchored leg's media until it is bridged. */
export interface LegAnchor {
  /**
   * Run answer detection from the instant of answer with these thresholds: the verdict comes as
   * an `analysis` event, and for a machine a later `beep` event when its greeting ends.
   * Absent: media is anchored for prompts only.
   */
  answerDetection?: AnswerDetectionSettings;
}

/** Quality of an anchored leg's media (RFC 3550 §6.4 figures), for the attempt record. */
export interface LegMediaQuality {
  packetsReceived: number;
  /** Expected minus received (RFC 3550 §A.3), never negative. */
  packetsLost: number;
  /** Interarrival jitter at the end, milliseconds. */
  jitterMs: number;
  packetsSent: number;
  /** The codec both ends used. */
  codec: 'PCMU' | 'PCMA';
}

/** Progress of one leg, as the driver reports it. */
export type LegEvent =
  | { type: 'trying' }
  | { type: 'ringing' }
  | { type: 'answered' }
  /** An anchored leg's answer-detection verdict (once, after `answered`). */
  | { type: 'analysis'; detection: AnswerDetection }
  /** A machine's beep ended (after an `analysis` of `machine`): leave the message now. */
  | { type: 'beep'; detection: AnswerDetection }
  /**
   * `by`: `remote` = a final response or BYE from the far end, `local` = we hung up, `timeout` =
   * ring timeout (no_answer), `network` = no response at all or a transport failure (RFC 3261
   * §8.1.3.1: status 408 / 503, outcome network_error).
   */
  | {
      type: 'ended';
      status: number;
      reason: string;
      by: 'remote' | 'local' | 'timeout' | 'network';
      /** An anchored leg's media figures (from answer to bridge or end). */
      media?: LegMediaQuality;
    };

/** A leg the driver is handling. */
export interface LegHandle {
  readonly legId: string;
}

/**
 * The telephony port the dialer drives (DESIGN.md "Telephony"). Implemented by the sandbox
 * driver (in-process, magic numbers) and the SIP driver (third-party call control).
 * `ended.status` uses SIP status codes for every driver (200 = normal hang-up after answer).
 */
export interface TelephonyDriver {
  readonly name: 'sandbox' | 'sip';
  /** Starts ringing a party; events arrive through `onEvent` until `ended`. */
  dial(request: LegRequest, onEvent: (event: LegEvent) => void): LegHandle;
  /**
   * Connects two answered legs' media. `a` is the agent's leg; it may have been bridged before
   * and parked with `hold` (a session's next contact). When `b` is anchored, its media moves
   * from pconn to the agent (any playback stops) and pconn's ports are freed.
   */
  bridge(a: LegHandle, b: LegHandle): Promise<void>;
  /**
   * Plays audio (8 kHz 16-bit mono PCM, a prompt as the store keeps it) into an anchored,
   * answered leg. Resolves true when the audio played to its end, false when it was cut short
   * (the leg ended, was bridged, or another `play` replaced it). Rejects when the leg is not
   * anchored or not answered.
   */
  play(leg: LegHandle, audio: Int16Array): Promise<boolean>;
  /**
   * Parks an answered leg whose bridged peer has gone: it keeps its dialog but gets no media
   * until the next `bridge`. Rejects when the leg is gone or stopped answering.
   */
  hold(leg: LegHandle): Promise<void>;
  /** Ends a leg (CANCEL while ringing, BYE once answered); idempotent. */
  hangup(leg: LegHandle): Promise<void>;
  /** Releases the driver's resources. */
  close(): Promise<void>;
}
