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
}

/** Progress of one leg, as the driver reports it. */
export type LegEvent =
  | { type: 'trying' }
  | { type: 'ringing' }
  | { type: 'answered' }
  /**
   * `by`: `remote` = a final response or BYE from the far end, `local` = we hung up, `timeout` =
   * ring timeout (no_answer), `network` = no response at all or a transport failure (RFC 3261
   * §8.1.3.1: status 408 / 503, outcome network_error).
   */
  | { type: 'ended'; status: number; reason: string; by: 'remote' | 'local' | 'timeout' | 'network' };

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
   * and parked with `hold` (a session's next contact).
   */
  bridge(a: LegHandle, b: LegHandle): Promise<void>;
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
