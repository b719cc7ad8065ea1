import { Counter, type Registry } from 'prom-client';

/**
 * A refused REGISTER as the registrar reports it (src/telephony/sip/registrar), reduced to what
 * is counted; a plain shape so the SIP stack needs nothing of ours.
 */
export interface SipRegisterRefusalEvent {
  reason: string;
  /** The scopes (`user`, `source`) this refusal locked out. */
  lockoutStarted?: readonly string[];
}

// The registrar's refusal reasons (RegisterRefusalReason); anything else counts as `other`,
// so the label set stays bounded.
const KNOWN_REASONS = new Set([
  'unknown_user',
  'wrong_password',
  'unsupported_algorithm',
  'wrong_realm',
  'malformed_credentials',
  'not_own_aor',
  'replayed_nonce',
  'locked_out',
  'challenge_not_answered',
]);

/** `pconn_sip_register_refusals_total` by reason and `pconn_sip_register_lockouts_total` by scope. */
export class SipRegisterMetrics {
  private readonly refusals: Counter<'reason'>;
  private readonly lockouts: Counter<'scope'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.refusals = new Counter({
      name: 'pconn_sip_register_refusals_total',
      help: 'REGISTERs the registrar refused (wrong password, replayed nonce, locked out…), by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'pconn_sip_register_lockouts_total',
      help: 'Registrar lockouts started after too many wrong digests, by scope (user or source host).',
      labelNames: ['scope'],
      registers,
    });
  }

  /** The hook to hand to the SIP driver (bound: it can be passed around as a plain function). */
  readonly observe = (refusal: SipRegisterRefusalEvent): void => {
    this.refusals.inc({ reason: KNOWN_REASONS.has(refusal.reason) ? refusal.reason : 'other' });
    for (const scope of refusal.lockoutStarted ?? [])
      this.lockouts.inc({ scope: scope === 'user' ? 'user' : 'source' });
  };
}
