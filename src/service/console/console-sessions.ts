import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../domain/clock.ts';
import { type ConsoleRole, ROLE_SCOPES } from '../../domain/console-roles.ts';
import { newId } from '../../domain/ids.ts';
import { AuthError } from '../../domain/pconn-error.ts';
import { findConsolePassword } from '../../store/console-passwords.ts';
import {
  endConsoleSession,
  findConsoleSessionBySecret,
  insertConsoleSession,
} from '../../store/console-sessions.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.ts';
import { hashSecret, newSecret, verifySecret } from '../auth/secret-hash.ts';
import type { TokenService } from '../auth/token-service.ts';
import { roleOf, type StoredUser } from '../resources/users.ts';

const users = new ResourceRepository<StoredUser>('users');

/**
 * Failed sign-ins per source address: 10 at once, then one every 2 s (as for client secrets).
 * Per user: 5 at once, then one a minute — at most ~60 guesses an hour at one password from
 * any number of addresses, while the user's own typo costs nothing once they get it right.
 */
const ADDRESS_BURST = 10;
const ADDRESS_PER_SECOND = 0.5;
const USER_BURST = 5;
const USER_PER_SECOND = 1 / 60;

/** What a signed-in browser learns: who it is and a first access token. */
export interface ConsoleSignedIn {
  user: { id: string; name: string; role: ConsoleRole };
  tenantId: string;
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Settings of console sessions. */
export interface ConsoleSessionOptions {
  /** How long a sign-in lasts (the cookie's Max-Age and the session's expiry). */
  sessionSeconds: number;
}

let dummyHash: Promise<string> | undefined;
/** A hash no password matches: an unknown user costs the same scrypt run as a known one. */
function unknownUserHash(): Promise<string> {
  dummyHash ??= hashSecret(newSecret());
  return dummyHash;
}

/** The cookie secret as stored: its SHA-256 (the secret has 256 random bits; no slow hash needed). */
function secretHashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Console sign-in: a user's password (scrypt) opens a session, kept by the browser as an
 * HTTP-only cookie holding a random secret; the session is exchanged for short-lived access
 * tokens carrying the role's scopes, so the console calls the public API like any client.
 */
export class ConsoleSessions {
  private readonly byAddress = new FailedAuthLimiter(
    ADDRESS_BURST,
    ADDRESS_PER_SECOND,
    'failed sign-ins from this address',
  );
  private readonly byUser = new FailedAuthLimiter(
    USER_BURST,
    USER_PER_SECOND,
    'failed sign-ins for this user',
  );

  constructor(
    private readonly db: Db,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly options: ConsoleSessionOptions,
  ) {}

  /**
   * Checks the password and opens a session. Every failure is the same 401
   * `invalid_credentials` (unknown user, wrong password, no password, disabled), so the answer
   * never tells which user ids exist; budgets per address and per user answer 429 first.
   */
  async signIn(input: {
    tenantId: string;
    userId: string;
    password: string;
    source: string;
  }): Promise<{ secret: string; maxAgeSeconds: number; signedIn: ConsoleSignedIn }> {
    const userKey = `${input.tenantId}/${input.userId}`;
    const nowMs = this.clock.now().getTime();
    this.byAddress.reserve(input.source, nowMs);
    try {
      this.byUser.reserve(userKey, nowMs);
    } catch (error) {
      this.byAddress.refund(input.source, nowMs);
      throw error;
    }
    const user = await users.find(this.db, input.tenantId, input.userId);
    const stored = user ? await findConsolePassword(this.db, input.tenantId, input.userId) : undefined;
    const valid = await verifySecret(input.password, stored ?? (await unknownUserHash()));
    if (!user || !stored || !valid || user.data.status !== 'active')
      throw new AuthError(
        'invalid_credentials',
        'Sign-in failed: unknown user, wrong password, or the user may not sign in.',
      );
    const after = this.clock.now().getTime();
    this.byAddress.refund(input.source, after);
    this.byUser.refund(userKey, after);
    return this.openSession(input.tenantId, input.userId);
  }

  /**
   * Opens a session for a user whose identity was proven: the one step every sign-in method
   * shares. The password check above is the only method today; an OpenID Connect callback
   * (the seam kept for it) would verify the ID token, map its subject to a pconn user, and call
   * this — cookie, tokens, roles and sign-out then work unchanged.
   */
  async openSession(
    tenantId: string,
    userId: string,
  ): Promise<{ secret: string; maxAgeSeconds: number; signedIn: ConsoleSignedIn }> {
    const user = await users.find(this.db, tenantId, userId);
    if (user?.data.status !== 'active')
      throw new AuthError('invalid_credentials', 'Sign-in failed: the user may not sign in.');
    const role = roleOf(user.data);
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session = {
      id: newId('consoleSession'),
      tenantId,
      userId,
      role,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.sessionSeconds * 1000),
    };
    await insertConsoleSession(this.db, { ...session, secretHash: secretHashOf(secret) });
    return {
      secret,
      maxAgeSeconds: this.options.sessionSeconds,
      signedIn: await this.signedIn(session, user.data.name),
    };
  }

  /**
   * A fresh access token for the session behind `secret`, with the role the user has now (a
   * role changed since sign-in takes effect at the next token).
   */
  async accessToken(secret: string | undefined): Promise<ConsoleSignedIn> {
    const session = await this.liveSession(secret);
    const user = await users.find(this.db, session.tenantId, session.userId);
    if (user?.data.status !== 'active') {
      await endConsoleSession(this.db, session.id, this.clock.now());
      throw sessionRequired('The user of this console session is disabled or was deleted.');
    }
    return this.signedIn({ ...session, role: roleOf(user.data) }, user.data.name);
  }

  /** Ends the session behind `secret`; an absent or already ended session is not an error. */
  async signOut(secret: string | undefined): Promise<void> {
    if (!secret) return;
    const session = await findConsoleSessionBySecret(this.db, secretHashOf(secret));
    if (session) await endConsoleSession(this.db, session.id, this.clock.now());
  }

  private async liveSession(secret: string | undefined) {
    if (!secret) throw sessionRequired('No console session cookie was sent: sign in first.');
    const session = await findConsoleSessionBySecret(this.db, secretHashOf(secret));
    if (!session || session.endedAt) throw sessionRequired('This console session has ended: sign in again.');
    if (session.expiresAt <= this.clock.now())
      throw sessionRequired('This console session has expired: sign in again.');
    return session;
  }

  private async signedIn(
    session: { id: string; tenantId: string; userId: string; role: string },
    name: string,
  ): Promise<ConsoleSignedIn> {
    const role = session.role as ConsoleRole;
    const token = await this.tokens.issueForConsoleSession({
      id: session.id,
      tenantId: session.tenantId,
      userId: session.userId,
      scopes: ROLE_SCOPES[role],
    });
    return {
      user: { id: session.userId, name, role },
      tenantId: session.tenantId,
      accessToken: token.access_token,
      expiresIn: token.expires_in,
      scope: token.scope,
    };
  }
}

function sessionRequired(detail: string): AuthError {
  return new AuthError('console_session_required', detail);
}
