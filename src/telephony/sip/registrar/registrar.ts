import { buildChallenge } from '../auth/digest-challenge.ts';
import { parseDigestCredentials } from '../auth/digest-credentials.ts';
import type { DigestNonces } from '../auth/digest-nonce.ts';
import type { DigestAlgorithm } from '../auth/digest-response.ts';
import { verifyDigest } from '../auth/verify-digest.ts';
import { createResponse } from '../message/create-response.ts';
import { newTag } from '../message/message-ids.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { serializeUri } from '../message/sip-uri.ts';
import { getCallId, getContacts, getCSeq, getExpires, getTo } from '../message/typed-headers.ts';
import type { BindingChange, BindingStore } from './binding-store.ts';
import {
  type BindingChangeReport,
  type RegisterRefusal,
  type RegisterRefusalReason,
  UnansweredChallenges,
} from './register-refusal.ts';

/**
 * Challenges sent when the owner names none: MD5 alone. RFC 8760 §2.4 lets a registrar list
 * one challenge per algorithm, most preferred first, and asks the phone to answer the topmost
 * it supports; but widespread stacks fail the whole REGISTER as soon as *any* challenge names
 * an algorithm they lack, whatever its position: libre (baresip up to at least 1.0, Debian's
 * package) walks every WWW-Authenticate and stops with ENOSYS ("Register: Function not
 * implemented") on a SHA-256 one, and pjsip before its RFC 8760 support (older MicroSIP)
 * returns PJSIP_EINVALIDALGORITHM the same way. Putting MD5 first does not help them, so the
 * default offers MD5 only and every softphone registers out of the box; operators whose phones
 * all read RFC 8760 challenges opt into `SHA-256,MD5` (or `SHA-256` alone) through the owner's
 * setting. SHA-256 credentials are what that buys: both are fast hashes over the same
 * password, so the password's strength (and TLS) matter more than the choice.
 */
export const DEFAULT_REGISTRAR_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5'];

/** A user who may register under a username: the password and the key of their bindings. */
export interface RegistrarAccount {
  password: string;
  /** Binding key (the AOR as the registrar stores it), e.g. `tenant/username`. */
  aor: string;
}

/** Settings of a {@link Registrar}. */
export interface RegistrarOptions {
  realm: string;
  nonces: DigestNonces;
  bindings: BindingStore;
  /** Accounts that use `username` (several when tenants share a name; the password decides). */
  accounts: (username: string) => Promise<readonly RegistrarAccount[]>;
  /** Challenges offered, in preference order (RFC 8760 §2.4); default {@link DEFAULT_REGISTRAR_ALGORITHMS}. */
  algorithms?: readonly DigestAlgorithm[];
  /** Called for every refused REGISTER (not for the first, credential-less one of a phone). */
  onRefused?: (refusal: RegisterRefusal) => void;
  /** Called when a REGISTER binds a new contact or removes one (not for refreshes). */
  onBindingChange?: (change: BindingChangeReport) => void;
  /** Expiry used when the request names none (RFC 3261 §10.2.1.1 suggests 3600). */
  defaultExpires?: number;
  /** Shortest expiry accepted; shorter ones get 423 (RFC 3261 §10.3 step 7). */
  minExpires?: number;
  /** Longest expiry granted; longer ones are shortened (RFC 3261 §10.3 step 7). */
  maxExpires?: number;
}

/**
 * Handles REGISTER requests per RFC 3261 §10.3: digest authentication (401 with a challenge
 * per algorithm, stale=true for an expired nonce), the To user must be the authenticated user
 * (403 otherwise), `Contact: *` only with Expires 0, 423 below Min-Expires, and a 200 listing
 * every current binding with its remaining expiry.
 */
export class Registrar {
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly unanswered = new UnansweredChallenges();

  constructor(private readonly options: RegistrarOptions) {
    this.algorithms = options.algorithms ?? DEFAULT_REGISTRAR_ALGORITHMS;
  }

  /**
   * The response to a REGISTER (never throws; malformed requests get 400). `source`
   * (`host:port`) only goes into refusal reports.
   */
  async handle(request: SipRequest, source?: string): Promise<SipResponse> {
    const toTag = newTag();
    const to = getTo(request.headers);
    const callId = getCallId(request.headers);
    const cseq = getCSeq(request.headers);
    const contacts = getContacts(request.headers);
    if (to?.uri.kind !== 'sip' || !to.uri.user || !callId || !cseq || contacts === undefined)
      return createResponse(request, 400, { toTag, reason: 'Bad REGISTER' });
    const account = await this.authenticate(request, to.uri.user, { callId, cseq: cseq.seq, source });
    if ('response' in account) return account.response;
    const headerExpires = getExpires(request.headers);
    if (contacts === '*') {
      // RFC 3261 §10.3 step 6: the wildcard is only valid with Expires: 0 and no other contact.
      if (headerExpires !== 0)
        return createResponse(request, 400, { toTag, reason: 'Wildcard needs Expires 0' });
      const removed = this.options.bindings.removeAll(account.aor);
      this.reportBindings(request, to.uri.user, account.aor, { added: [], removed }, source);
      return this.ok(request, account.aor, toTag);
    }
    const changes: BindingChange[] = [];
    const min = this.options.minExpires ?? 60;
    for (const contact of contacts) {
      const raw = contact.params.get('expires');
      const asked = raw ? Number(raw) : (headerExpires ?? this.options.defaultExpires ?? 3600);
      if (asked !== 0 && asked < min) {
        const response = createResponse(request, 423, { toTag });
        response.headers.append('Min-Expires', String(min));
        return response;
      }
      const q = Number(contact.params.get('q') ?? '1');
      changes.push({
        contact: serializeUri(contact.uri),
        expiresSeconds: Math.min(asked, this.options.maxExpires ?? 3600),
        q: Number.isFinite(q) ? q : 1,
      });
    }
    const changed = this.options.bindings.apply(account.aor, callId, cseq.seq, changes);
    this.reportBindings(request, to.uri.user, account.aor, changed, source);
    return this.ok(request, account.aor, toTag);
  }

  private async authenticate(
    request: SipRequest,
    user: string,
    context: { callId: string; cseq: number; source: string | undefined },
  ): Promise<RegistrarAccount | { response: SipResponse }> {
    const header = request.headers.get('authorization');
    const credentials = header ? parseDigestCredentials(header) : undefined;
    const refuse = (reason: RegisterRefusalReason, status: number) =>
      this.report(
        request,
        { reason, user: credentials?.username ?? user, status, ...context },
        credentials?.algorithm,
      );
    let stale = false;
    if (header === undefined) {
      // RFC 3261 §22.2: the first REGISTER of a phone carries no credentials; only a second one
      // on the same Call-ID after our challenge means the phone could not answer it.
      if (this.unanswered.wasChallenged(context.callId, context.cseq)) refuse('challenge_not_answered', 401);
      this.unanswered.challenged(context.callId, context.cseq);
    } else {
      this.unanswered.answered(context.callId);
      if (!credentials) refuse('malformed_credentials', 401);
    }
    if (credentials) {
      const accounts = await this.options.accounts(credentials.username);
      let reason: RegisterRefusalReason | undefined = accounts.length === 0 ? 'unknown_user' : undefined;
      for (const account of accounts) {
        const result = verifyDigest({
          credentials,
          method: request.method,
          realm: this.options.realm,
          nonces: this.options.nonces,
          password: account.password,
          algorithms: this.algorithms,
        });
        if (result.ok) {
          // RFC 3261 §10.3 step 3-4: the authenticated user may only change their own AOR.
          if (credentials.username !== user) {
            refuse('not_own_aor', 403);
            return { response: createResponse(request, 403, { toTag: newTag(), reason: 'Not your AOR' }) };
          }
          return account;
        }
        stale ||= result.stale;
        reason = refusalReason(result.reason);
      }
      // A stale or foreign nonce is not a refusal: the phone answers the fresh challenge (after a
      // restart without PCONN_SIP_NONCE_SECRET every phone's nonce is foreign once).
      if (!stale && reason) refuse(reason, 401);
    }
    const response = createResponse(request, 401, { toTag: newTag() });
    for (const algorithm of this.algorithms) {
      response.headers.append(
        'WWW-Authenticate',
        buildChallenge({ realm: this.options.realm, nonce: this.options.nonces.issue(), algorithm, stale }),
      );
    }
    return { response };
  }

  private reportBindings(
    request: SipRequest,
    user: string,
    aor: string,
    changed: { added: string[]; removed: string[] },
    source: string | undefined,
  ): void {
    if (!this.options.onBindingChange || (changed.added.length === 0 && changed.removed.length === 0)) return;
    const userAgent = request.headers.get('user-agent')?.slice(0, 100);
    this.options.onBindingChange({
      user,
      aor,
      ...changed,
      ...(source ? { source } : {}),
      ...(userAgent ? { userAgent } : {}),
    });
  }

  private report(
    request: SipRequest,
    refusal: { reason: RegisterRefusalReason; user: string; status: number; source: string | undefined },
    algorithm: string | undefined,
  ): void {
    if (!this.options.onRefused) return;
    const userAgent = request.headers.get('user-agent')?.slice(0, 100);
    this.options.onRefused({
      reason: refusal.reason,
      // Attacker-chosen text: bounded, like the User-Agent, so a report stays one short line.
      user: refusal.user.slice(0, 100),
      status: refusal.status,
      offered: this.algorithms,
      ...(refusal.source ? { source: refusal.source } : {}),
      ...(algorithm ? { algorithm } : {}),
      ...(userAgent ? { userAgent } : {}),
    });
  }

  private ok(request: SipRequest, aor: string, toTag: string): SipResponse {
    const response = createResponse(request, 200, { toTag });
    const now = this.options.bindings.now();
    for (const binding of this.options.bindings.current(aor)) {
      const left = Math.max(1, Math.round((binding.expiresAt - now) / 1000));
      response.headers.append('Contact', `<${binding.contact}>;expires=${left}`);
    }
    response.headers.append('Date', new Date(now).toUTCString());
    return response;
  }
}

/** The refusal a verifyDigest failure stands for; undefined for nonce trouble (re-challenged). */
function refusalReason(reason: string): RegisterRefusalReason | undefined {
  if (reason === 'wrong response') return 'wrong_password';
  if (reason === 'unsupported algorithm') return 'unsupported_algorithm';
  if (reason === 'realm mismatch') return 'wrong_realm';
  if (reason.startsWith('nonce')) return undefined;
  return 'malformed_credentials';
}
