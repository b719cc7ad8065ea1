/**
 * Why a REGISTER was refused. The SIP answer never says (a wrong password and an unknown user
 * both get the same fresh 401, so the registrar does not reveal which usernames exist); the
 * operator's log does.
 * - `unknown_user`: no active registered-device user has this username.
 * - `wrong_password`: the digest did not verify with the user's password.
 * - `unsupported_algorithm`: the credentials use an algorithm the registrar does not offer.
 * - `wrong_realm`: the credentials name another realm (a phone configured for another server).
 * - `malformed_credentials`: an Authorization header that is not usable Digest credentials.
 * - `not_own_aor`: authenticated, but the To names another user (403).
 * - `replayed_nonce`: a right answer whose nonce-count was already used (a captured header
 *   sent again, RFC 7616 §5.13); answered with a fresh challenge.
 * - `locked_out`: too many wrong answers for this user or from this host lately (403 without
 *   checking the answer).
 * - `challenge_not_answered`: a second credential-less REGISTER on a Call-ID that was just
 *   challenged: the phone could not answer any challenge offered (typically an algorithm it
 *   does not implement) and gave up without a word.
 */
export type RegisterRefusalReason =
  | 'unknown_user'
  | 'wrong_password'
  | 'unsupported_algorithm'
  | 'wrong_realm'
  | 'malformed_credentials'
  | 'not_own_aor'
  | 'replayed_nonce'
  | 'locked_out'
  | 'challenge_not_answered';

/** A refused REGISTER, as reported to the registrar's owner (never carries a secret). */
export interface RegisterRefusal {
  reason: RegisterRefusalReason;
  /** The username of the credentials, else the To user. */
  user: string;
  /** Where the request came from (`host:port`), when the caller said. */
  source?: string;
  /** The digest algorithm of the credentials, when there were any. */
  algorithm?: string;
  /** The algorithms the registrar challenges with, most preferred first. */
  offered: readonly string[];
  /** The phone's User-Agent header (first 100 characters): which softphone it is. */
  userAgent?: string;
  /** The SIP status sent back. */
  status: number;
  /** For `locked_out`: whether the user or the source host is locked. */
  lockout?: 'user' | 'source';
  /** This failure locked the user and/or the source host (the lockout starts now). */
  lockoutStarted?: Array<'user' | 'source'>;
}

/** Contacts a REGISTER bound anew or removed (refreshes of a known contact are not changes). */
export interface BindingChangeReport {
  /** The authenticated username. */
  user: string;
  /** The binding key (`tenant/username` in pconn). */
  aor: string;
  added: string[];
  removed: string[];
  source?: string;
  userAgent?: string;
}

/**
 * Remembers the Call-IDs whose last REGISTER was challenged without having carried
 * credentials, so that a second credential-less REGISTER on the same Call-ID (a phone that
 * could not answer) is noticed. Bounded: the oldest Call-IDs are forgotten first.
 */
export class UnansweredChallenges {
  readonly #challenged = new Map<string, number>();

  /** Creates a tracker remembering at most `limit` Call-IDs. */
  constructor(private readonly limit = 4096) {}

  /** Records that a credential-less REGISTER (`callId`, `cseq`) got a 401. */
  challenged(callId: string, cseq: number): void {
    this.#challenged.delete(callId);
    this.#challenged.set(callId, cseq);
    if (this.#challenged.size > this.limit) {
      const oldest = this.#challenged.keys().next().value;
      if (oldest !== undefined) this.#challenged.delete(oldest);
    }
  }

  /** True when `callId` was challenged at a lower CSeq and never answered since. */
  wasChallenged(callId: string, cseq: number): boolean {
    const previous = this.#challenged.get(callId);
    return previous !== undefined && previous < cseq;
  }

  /** The Call-ID sent credentials: whatever it was challenged with, it could answer. */
  answered(callId: string): void {
    this.#challenged.delete(callId);
  }
}
