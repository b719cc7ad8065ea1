import { buildChallenge } from '../auth/digest-challenge.ts';
import type { DigestCredentials } from '../auth/digest-credentials.ts';
import { parseDigestCredentials } from '../auth/digest-credentials.ts';
import type { DigestNonces } from '../auth/digest-nonce.ts';
import type { DigestAlgorithm } from '../auth/digest-response.ts';
import { MemoryNonceLedger, type NonceLedger } from '../auth/nonce-ledger.ts';
import { verifyDigest } from '../auth/verify-digest.ts';
import { createResponse } from '../message/create-response.ts';
import { newTag } from '../message/message-ids.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { serializeUri } from '../message/sip-uri.ts';
import { getCallId, getContacts, getCSeq, getExpires, getTo } from '../message/typed-headers.ts';
import type { BindingChange, BindingStore, BindingsWritten } from './binding-store.ts';
import { type LockoutScope, RegisterLockout } from './register-lockout.ts';
import {
  type BindingChangeReport,
  type RegisterRefusal,
  type RegisterRefusalReason,
  UnansweredChallenges,
} from './register-refusal.ts';

/** Lockout thresholds used when the owner passes no {@link RegisterLockout}. */
export const DEFAULT_REGISTER_LOCKOUT = { maxFailures: 10, windowMs: 300_000, lockoutMs: 60_000 } as const;

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
  /**
   * Nonce-counts already accepted (replay protection); default one in this process's memory.
   * Nodes sharing a registrar domain pass one over shared storage.
   */
  ledger?: NonceLedger;
  /** Password-guessing brake; default {@link DEFAULT_REGISTER_LOCKOUT} on the bindings' clock. */
  lockout?: RegisterLockout;
  bindings: BindingStore;
  /** Accounts that use `username` (several when tenants share a name; the password decides). */
  accounts: (username: string) => Promise<readonly RegistrarAccount[]>;
  /** Challenges offered, in preference order (RFC 8760 §2.4); default {@link DEFAULT_REGISTRAR_ALGORITHMS}. */
  algorithms?: readonly DigestAlgorithm[];
  /** Called for every refused REGISTER (not for the first, credential-less one of a phone). */
  onRefused?: (refusal: RegisterRefusal) => void;
  /** Called when a REGISTER binds a new contact or removes one (not for refreshes). */
  onBindingChange?: (change: BindingChangeReport) => void;
  /**
   * Awaited after every accepted REGISTER, refreshes included, before its 200 leaves: the
   * owner mirrors the bindings where other nodes see them (pconn: the store). A rejection
   * fails the REGISTER (500), so the phone retries and nobody is told a binding others miss.
   */
  onBindingsWritten?: (written: BindingsWritten) => Promise<void>;
  /** Expiry used when the request names none (RFC 3261 §10.2.1.1 suggests 3600). */
  defaultExpires?: number;
  /** Shortest expiry accepted; shorter ones get 423 (RFC 3261 §10.3 step 7). */
  minExpires?: number;
  /** Longest expiry granted; longer ones are shortened (RFC 3261 §10.3 step 7). */
  maxExpires?: number;
}

/** Lockout details a refusal may carry. */
interface RefusalExtra {
  lockout?: LockoutScope;
  lockoutStarted?: LockoutScope[];
}

/** An authenticated REGISTER: whose, and whether its nonce was used for the first time. */
interface Authenticated {
  account: RegistrarAccount;
  /** First use of a nonce issued to this address: the answer to a challenge we just sent. */
  fresh: boolean;
}

/**
 * Handles REGISTER requests per RFC 3261 §10.3: digest authentication (401 with a challenge
 * per algorithm, stale=true for an expired nonce), the To user must be the authenticated user
 * (403 otherwise), `Contact: *` only with Expires 0, 423 below Min-Expires, and a 200 listing
 * every current binding with its remaining expiry.
 *
 * Against a captured Authorization (REGISTER often travels over plain UDP): nonces are bound
 * to the address the challenge went to and live shortly; each nonce-count is accepted once
 * (the ledger); a REGISTER adding a contact to an AOR that already has bindings must answer a
 * challenge sent for it (first use of a nonce), so new credentials are needed to move an
 * agent's calls. Each of these gets a 401 with stale=true, which phones answer silently.
 * Against password guessing: the lockout (403 while it lasts).
 */
export class Registrar {
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly unanswered = new UnansweredChallenges();
  private readonly ledger: NonceLedger;
  private readonly lockout: RegisterLockout;

  constructor(private readonly options: RegistrarOptions) {
    this.algorithms = options.algorithms ?? DEFAULT_REGISTRAR_ALGORITHMS;
    this.ledger = options.ledger ?? new MemoryNonceLedger(options.bindings.now);
    this.lockout =
      options.lockout ?? new RegisterLockout({ ...DEFAULT_REGISTER_LOCKOUT, now: options.bindings.now });
  }

  /**
   * The response to a REGISTER (never throws; malformed requests get 400). `source`
   * (`host:port`) is what nonces are bound to and lockouts count; it goes into reports.
   */
  async handle(request: SipRequest, source?: string): Promise<SipResponse> {
    const toTag = newTag();
    const to = getTo(request.headers);
    const callId = getCallId(request.headers);
    const cseq = getCSeq(request.headers);
    const contacts = getContacts(request.headers);
    if (to?.uri.kind !== 'sip' || !to.uri.user || !callId || !cseq || contacts === undefined)
      return createResponse(request, 400, { toTag, reason: 'Bad REGISTER' });
    const authenticated = await this.authenticate(request, to.uri.user, { callId, cseq: cseq.seq, source });
    if ('response' in authenticated) return authenticated.response;
    const { account } = authenticated;
    const headerExpires = getExpires(request.headers);
    if (contacts === '*') {
      // RFC 3261 §10.3 step 6: the wildcard is only valid with Expires: 0 and no other contact.
      if (headerExpires !== 0)
        return createResponse(request, 400, { toTag, reason: 'Wildcard needs Expires 0' });
      const removed = this.options.bindings.removeAll(account.aor);
      await this.options.onBindingsWritten?.({
        aor: account.aor,
        saved: [],
        removed,
        removedAll: true,
        ...(source ? { source } : {}),
      });
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
    if (!authenticated.fresh && this.addsContact(account.aor, changes))
      return this.challenge(request, source, true);
    const changed = this.options.bindings.apply(account.aor, callId, cseq.seq, changes);
    if (this.options.onBindingsWritten) {
      const kept = new Set(
        changes.filter((change) => change.expiresSeconds > 0).map((change) => change.contact),
      );
      await this.options.onBindingsWritten({
        aor: account.aor,
        saved: this.options.bindings.current(account.aor).filter((binding) => kept.has(binding.contact)),
        removed: changed.removed,
        removedAll: false,
        ...(source ? { source } : {}),
      });
    }
    this.reportBindings(request, to.uri.user, account.aor, changed, source);
    return this.ok(request, account.aor, toTag);
  }

  private async authenticate(
    request: SipRequest,
    user: string,
    context: { callId: string; cseq: number; source: string | undefined },
  ): Promise<Authenticated | { response: SipResponse }> {
    const header = request.headers.get('authorization');
    const credentials = header ? parseDigestCredentials(header) : undefined;
    const who = credentials?.username ?? user;
    const refuse = (reason: RegisterRefusalReason, status: number, extra: RefusalExtra = {}) =>
      this.report(request, { reason, user: who, status, ...context, ...extra }, credentials?.algorithm);
    // Locked out: refused before any hashing, so a right guess during the lockout is not told apart.
    const locked = this.lockout.locked(who, context.source);
    if (locked) {
      refuse('locked_out', 403, { lockout: locked.scope });
      const response = createResponse(request, 403, { toTag: newTag(), reason: 'Too Many Failed Attempts' });
      response.headers.append('Retry-After', String(locked.retryAfterSeconds));
      return { response };
    }
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
          nonceBinding: context.source ?? '',
          password: account.password,
          algorithms: this.algorithms,
        });
        if (result.ok) return this.accepted(request, user, credentials, account, refuse, context.source);
        stale ||= result.stale;
        reason = refusalReason(result.reason);
      }
      // A stale or foreign nonce is not a refusal: the phone answers the fresh challenge (after a
      // restart without PCONN_SIP_NONCE_SECRET every phone's nonce is foreign once).
      if (!stale && reason) {
        const guessed = reason === 'wrong_password' || reason === 'unknown_user';
        const started = guessed ? this.lockout.failed(who, context.source) : [];
        refuse(reason, 401, started.length > 0 ? { lockoutStarted: started } : {});
      }
    }
    return { response: this.challenge(request, context.source, stale) };
  }

  /** A verified answer: checked against the ledger (replays) and the To user (403). */
  private async accepted(
    request: SipRequest,
    user: string,
    credentials: DigestCredentials,
    account: RegistrarAccount,
    refuse: (reason: RegisterRefusalReason, status: number) => void,
    source: string | undefined,
  ): Promise<Authenticated | { response: SipResponse }> {
    // Without qop there is no count: such a nonce is single-use (count 1).
    const nc = credentials.nc === undefined ? 1 : Number.parseInt(credentials.nc, 16);
    const expiresAt = this.options.nonces.expiresAt(credentials.nonce) ?? 0;
    if (!(await this.ledger.use(credentials.nonce, nc, expiresAt))) {
      // The right answer, already used: a captured header sent again. A fresh nonce (stale, so a
      // real phone that somehow repeated itself retries silently) which only the password answers.
      refuse('replayed_nonce', 401);
      return { response: this.challenge(request, source, true) };
    }
    // RFC 3261 §10.3 step 3-4: the authenticated user may only change their own AOR.
    if (credentials.username !== user) {
      refuse('not_own_aor', 403);
      return { response: createResponse(request, 403, { toTag: newTag(), reason: 'Not your AOR' }) };
    }
    this.lockout.succeeded(credentials.username, source);
    return { account, fresh: nc === 1 };
  }

  /** A 401 with one challenge per algorithm, its nonces bound to `source`. */
  private challenge(request: SipRequest, source: string | undefined, stale: boolean): SipResponse {
    const response = createResponse(request, 401, { toTag: newTag() });
    for (const algorithm of this.algorithms) {
      const nonce = this.options.nonces.issue(source ?? '');
      response.headers.append(
        'WWW-Authenticate',
        buildChallenge({ realm: this.options.realm, nonce, algorithm, stale }),
      );
    }
    return response;
  }

  /** Whether `changes` bind a contact the AOR, which has live bindings, does not have yet. */
  private addsContact(aor: string, changes: readonly BindingChange[]): boolean {
    const current = this.options.bindings.current(aor);
    if (current.length === 0) return false;
    const bound = new Set(current.map((binding) => binding.contact));
    return changes.some((change) => change.expiresSeconds > 0 && !bound.has(change.contact));
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
    refusal: RefusalExtra & {
      reason: RegisterRefusalReason;
      user: string;
      status: number;
      source: string | undefined;
    },
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
      ...(refusal.lockout ? { lockout: refusal.lockout } : {}),
      ...(refusal.lockoutStarted ? { lockoutStarted: refusal.lockoutStarted } : {}),
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
