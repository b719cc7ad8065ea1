import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Clock } from '../../domain/clock.ts';
import type { Principal } from '../../domain/request-context.ts';
import { parseScopeString } from '../../domain/scopes.ts';
import { readAuthGeneration } from '../../store/auth-generation.ts';
import { type ClientRow, findClient } from '../../store/clients.ts';
import type { Db } from '../../store/database.ts';
import { ConsoleSessionCheck, consoleSubject } from './console-session-check.ts';
import { type ExternalIssuer, ExternalTokenVerifier } from './external-token-verifier.ts';
import { FailedAuthLimiter } from './failed-auth-limiter.ts';
import { FairQueue } from './fair-queue.ts';
import { invalidToken, verifying } from './jwt-verification.ts';
import { RevocationWatch } from './revocation-watch.ts';
import { hashSecret, newSecret, verifySecret } from './secret-hash.ts';
import type { SigningKeyRing } from './signing-keys.ts';
import { VerifiedSecrets } from './verified-secrets.ts';
import { VerifiedTokens } from './verified-tokens.ts';

/** Token service settings. */
export interface TokenServiceOptions {
  issuer: string;
  audience: string;
  tokenTtlSeconds: number;
  external?: ExternalIssuer;
  /** Verified tokens remembered per node (PCONN_TOKEN_CACHE_MAX); default 10,000. */
  tokenCacheMax?: number;
  /**
   * How often, at most, a node reads the store's revocation generation (PCONN_AUTH_RECHECK_MS):
   * a client revoked on any node is refused on this one within it. Default 2,000 ms.
   */
  revocationRecheckMs?: number;
}

/** RFC 6749 §5.2 error of the token endpoint. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type' | 'invalid_request',
    readonly description: string,
  ) {
    super(description);
  }
}

const CLIENT_STATUS_TTL_MS = 5000;
/** Console access tokens live 15 minutes (or less, with a shorter PCONN_TOKEN_TTL_SECONDS). */
const CONSOLE_TOKEN_TTL_SECONDS = 900;
/** Clock difference between nodes tolerated on `iat` and on a token's lifetime. */
const CLOCK_SKEW_SECONDS = 60;

/** What verification needs to know of a client: whether it may still act, and for which tenant. */
interface ClientState {
  active: boolean;
  tenantId: string;
}
/**
 * Verified tokens remembered per node, so a client sending the same token on every request pays
 * the ES256 verification (~0.15 ms of main-thread crypto, measured on the accept path), the JWT
 * decoding and the client lookup once per token rather than per request.
 */
const TOKEN_CACHE_MAX = 10_000;
const REVOCATION_RECHECK_MS = 2000;

/**
 * Failed client authentications per source address: 10 at once, then one every 2 s. Measured
 * before: 200 wrong secrets in parallel held a valid client's token request for 12–14 s (scrypt
 * checks ran at ~14/s on the loaded 2-core machine); a budget of 10 bounds that queue.
 */
const FAILED_CHECKS_BURST = 10;
const FAILED_CHECKS_PER_SECOND = 0.5;
/** scrypt runs at once (libuv's pool has 4 threads; leave two for fs, dns and zlib). */
const SLOW_CHECK_CONCURRENCY = 2;

let dummyHash: Promise<string> | undefined;
/** A hash no secret matches, checked against when the client is unknown. */
function unknownClientHash(): Promise<string> {
  dummyHash ??= hashSecret(newSecret());
  return dummyHash;
}

/** Issues and verifies access tokens (JWT, ES256) for the client credentials grant. */
export class TokenService {
  private readonly clientStatus = new Map<
    string,
    { state: ClientState | undefined; checkedAt: number; generation: string }
  >();
  // Importing a JWK costs ~0.5 ms per request; public keys never change under a kid.
  private readonly imported = new Map<string, ReturnType<typeof importJWK>>();
  private readonly external?: ExternalTokenVerifier;
  private readonly verified: VerifiedTokens;
  private readonly revocations: RevocationWatch;
  private readonly verifiedSecrets: VerifiedSecrets;
  private readonly failures = new FailedAuthLimiter(FAILED_CHECKS_BURST, FAILED_CHECKS_PER_SECOND);
  private readonly slowChecks = new FairQueue(SLOW_CHECK_CONCURRENCY);
  private readonly consoleSessions: ConsoleSessionCheck;

  constructor(
    private readonly db: Db,
    private readonly keys: SigningKeyRing,
    private readonly options: TokenServiceOptions,
    private readonly clock: Clock,
  ) {
    this.verifiedSecrets = new VerifiedSecrets(options.tokenTtlSeconds * 1000);
    this.verified = new VerifiedTokens(options.tokenCacheMax ?? TOKEN_CACHE_MAX);
    this.revocations = new RevocationWatch(
      () => readAuthGeneration(db),
      options.revocationRecheckMs ?? REVOCATION_RECHECK_MS,
      clock,
      () => {
        this.verified.clear();
        this.clientStatus.clear();
      },
    );
    this.consoleSessions = new ConsoleSessionCheck(db, clock, CLIENT_STATUS_TTL_MS);
    if (options.external) this.external = new ExternalTokenVerifier(options.external, clock);
  }

  /**
   * Authenticates a client and issues a token for the requested scopes (default: all it holds).
   * `source` is the caller's address: failed secret checks are budgeted per address.
   */
  async issue(
    clientId: string,
    clientSecret: string,
    requestedScope: string | undefined,
    source = 'unknown',
  ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    // A secret seen valid within the token lifetime answers at once; anything else spends the
    // address's failure budget before the database or scrypt is touched (429 past it).
    const remembered = this.verifiedSecrets.verifiedAgainst(clientId, clientSecret, this.nowMs());
    if (!remembered) this.failures.reserve(source, this.nowMs());
    const client = await findClient(this.db, clientId);
    const valid =
      remembered !== undefined && remembered === client?.secretHash
        ? true
        : await this.checkSecret(client, clientSecret, source, remembered !== undefined);
    if (!client || !valid || client.status !== 'active') {
      throw new OAuthError(
        'invalid_client',
        'Client authentication failed: unknown client, wrong secret or revoked client.',
      );
    }
    const requested = requestedScope === undefined ? client.scopes : parseScopeString(requestedScope);
    const missing = requested.filter((scope) => !client.scopes.includes(scope));
    if (missing.length > 0) {
      throw new OAuthError(
        'invalid_scope',
        `The client does not hold: ${missing.join(' ')}. It holds: ${client.scopes.join(' ')}.`,
      );
    }
    const scope = requested.join(' ');
    const token = await this.sign({ scope, tenant: client.tenantId, client_id: client.id }, client.id);
    return { access_token: token, token_type: 'Bearer', expires_in: this.options.tokenTtlSeconds, scope };
  }

  /**
   * An access token for a signed-in console user: the role's scopes, bound to the console
   * session (`sid`), so signing out or a password change cuts it within seconds on every node.
   */
  async issueForConsoleSession(session: {
    id: string;
    tenantId: string;
    userId: string;
    scopes: readonly string[];
  }): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    const scope = session.scopes.join(' ');
    // Short-lived: the browser renews it from its cookie, and a stolen copy is worth minutes.
    const ttl = Math.min(CONSOLE_TOKEN_TTL_SECONDS, this.options.tokenTtlSeconds);
    const token = await this.sign(
      { scope, tenant: session.tenantId, sid: session.id },
      consoleSubject(session.userId),
      ttl,
    );
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
  }

  private async sign(
    claims: Record<string, string>,
    subject: string,
    ttlSeconds = this.options.tokenTtlSeconds,
  ): Promise<string> {
    const key = await this.keys.signingKey();
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(await importJWK(key.privateJwk, 'ES256'));
  }

  /**
   * The slow secret check (scrypt), taking turns per address. An unknown client costs the same
   * scrypt run as a known one: timing must not reveal ids. A success gives the address its
   * budget back and is remembered for the token lifetime.
   */
  private async checkSecret(
    client: ClientRow | undefined,
    secret: string,
    source: string,
    needsBudget: boolean,
  ): Promise<boolean> {
    // A remembered secret whose client changed its hash since: this check needs budget too.
    if (needsBudget) this.failures.reserve(source, this.nowMs());
    const stored = client?.secretHash ?? (await unknownClientHash());
    const valid = await this.slowChecks.run(source, () => verifySecret(secret, stored));
    if (valid && client) {
      this.failures.refund(source, this.nowMs());
      if (client.status === 'active')
        this.verifiedSecrets.remember(client.id, client.secretHash, secret, this.nowMs());
    }
    return valid;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }

  /**
   * A client was revoked on this node: the next verification reads the revocation generation
   * instead of waiting for the recheck interval (other nodes see it within theirs).
   */
  revocationsChanged(): void {
    this.revocations.expire();
  }

  /**
   * The principal of a token this node already verified, when that answer holds right now
   * without waiting for anything (the revocation generation is fresh, the entry unexpired and
   * its key published); undefined otherwise, and then `verify` decides. Lets the per-request
   * path authenticate without a promise.
   */
  verifiedNow(token: string): Principal | undefined {
    const generation = this.revocations.current();
    if (typeof generation !== 'string') return undefined;
    return this.#cachedPrincipal(VerifiedTokens.keyOf(token), generation);
  }

  #cachedPrincipal(cacheKey: string, generation: string): Principal | undefined {
    const cached = this.verified.get(cacheKey, this.nowMs(), generation);
    return cached && this.keys.isPublished(cached.kid) ? cached.principal : undefined;
  }

  /** Verifies a bearer token and returns who it speaks for, or throws 401 `invalid_token`. */
  async verify(token: string): Promise<Principal> {
    // The hot path: a token this node verified under the current revocation generation, not
    // expired, whose key is still published — no decoding, no crypto, no store.
    const cacheKey = VerifiedTokens.keyOf(token);
    const generation = await this.revocations.current();
    const cached = this.#cachedPrincipal(cacheKey, generation);
    if (cached) return cached;
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
      decodeProtectedHeader(token);
    } catch {
      throw invalidToken('The access token is not a well-formed JWT.');
    }
    if (this.external && issuer === this.external.issuer) return this.external.verify(token);
    if (issuer !== this.options.issuer) {
      throw invalidToken(
        `The access token was issued by '${issuer ?? '(none)'}', which pconn does not trust.`,
      );
    }
    const { payload, kid } = await this.verifyOwn(token);
    // A console user's token is never cached here: its session's 5 s check is what signing out
    // relies on, and the revocation generation does not move when a session ends.
    if (typeof payload.sid === 'string') return this.consoleSessions.principalOf(payload, payload.sid);
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : '';
    const tenantId = typeof payload.tenant === 'string' ? payload.tenant : '';
    if (!clientId || !tenantId) throw invalidToken('The access token lacks its client or tenant claim.');
    // pconn signs `sub` = `client_id`; two different principals in one token is not one of ours.
    if (payload.sub !== clientId)
      throw invalidToken("The access token's 'sub' and 'client_id' claims name different clients.");
    // Checked on every fresh verification; a cached token is voided as soon as this node sees
    // the revocation generation move, so revoking a client cuts its tokens within seconds.
    const client = await this.clientState(clientId, generation);
    if (!client?.active)
      throw invalidToken('The client this token was issued to has been revoked or does not exist.');
    // The tenant claim must be the client's own tenant: a token is never a key to another
    // tenant, even when it carries a valid signature (a signing bug, a leaked key, a forged
    // claim set). The detail names the claim, never the client's real tenant.
    if (client.tenantId !== tenantId)
      throw invalidToken(
        `The access token's 'tenant' claim (${JSON.stringify(tenantId)}) is not the tenant of its client.`,
      );
    const principal: Principal = {
      tenantId,
      clientId,
      scopes: new Set(parseScopeString(String(payload.scope ?? ''))),
      issuer: 'pconn',
    };
    this.verified.set(cacheKey, { principal, kid, expiresAtMs: (payload.exp as number) * 1000, generation });
    return principal;
  }

  /** Verifies one of pconn's own tokens: signature, key, claims and lifetime. */
  private async verifyOwn(token: string): Promise<{ payload: JWTPayload; kid: string }> {
    const now = this.clock.now();
    const claims = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      currentDate: now,
    };
    let kid = '';
    const payload = await verifying(() =>
      jwtVerify(
        token,
        async (header) => {
          kid = header.kid ?? '';
          const key = header.kid ? await this.keys.publicKey(header.kid) : undefined;
          if (!key)
            throw invalidToken(
              'The access token was signed with a key pconn does not know (or no longer publishes).',
            );
          return this.importedKey(header.kid as string, key);
        },
        // pconn's tokens always carry all of these: one without `exp` would never expire.
        { ...claims, algorithms: ['ES256'], requiredClaims: ['exp', 'iat', 'sub'] },
      ),
    );
    this.checkLifetime(payload, now);
    return { payload, kid };
  }

  private importedKey(kid: string, jwk: JWK): ReturnType<typeof importJWK> {
    let key = this.imported.get(kid);
    if (!key) {
      key = importJWK(jwk, 'ES256');
      this.imported.set(kid, key);
    }
    return key;
  }

  /**
   * pconn issues tokens that live exactly `tokenTtlSeconds` from `iat`: a token issued in the
   * future or living longer is not one pconn issued under this configuration. One minute of
   * clock skew between nodes is tolerated.
   */
  private checkLifetime(payload: JWTPayload, now: Date): void {
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    const nowSeconds = now.getTime() / 1000;
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS)
      throw invalidToken("The access token's 'iat' claim is in the future.");
    if (exp - iat > this.options.tokenTtlSeconds + CLOCK_SKEW_SECONDS) {
      throw invalidToken(
        `The access token lives ${exp - iat} s ('exp' - 'iat'); pconn issues tokens for ${this.options.tokenTtlSeconds} s.`,
      );
    }
  }

  /**
   * The client's state, read at most every CLIENT_STATUS_TTL_MS and again as soon as the
   * revocation generation moves.
   */
  private async clientState(clientId: string, generation: string): Promise<ClientState | undefined> {
    const cached = this.clientStatus.get(clientId);
    if (
      cached &&
      cached.generation === generation &&
      this.clock.now().getTime() - cached.checkedAt < CLIENT_STATUS_TTL_MS
    )
      return cached.state;
    const client = await findClient(this.db, clientId);
    const state = client && { active: client.status === 'active', tenantId: client.tenantId };
    this.clientStatus.set(clientId, { state, checkedAt: this.clock.now().getTime(), generation });
    return state;
  }
}
