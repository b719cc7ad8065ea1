import type { JWTPayload } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import type { Principal } from '../../domain/request-context.ts';
import { parseScopeString } from '../../domain/scopes.ts';
import { findLiveConsoleSession, type LiveConsoleSession } from '../../store/console-sessions.ts';
import type { Db } from '../../store/database.ts';
import { invalidToken } from './jwt-verification.ts';

/** Sessions remembered per node; past this the memory is cleared and refilled. */
const REMEMBERED_MAX = 10_000;

/** The `sub` of a console user's token: never a client id (those carry no colon). */
export function consoleSubject(userId: string): string {
  return `user:${userId}`;
}

/**
 * Whether a console user's token still speaks for someone: its session must be live (not
 * signed out, not expired, its user active). Checked like a client's status, from a per-node
 * memory at most `maxAgeMs` old, so signing out cuts the session's tokens within that on every
 * node at the cost of one small read per session per interval.
 */
export class ConsoleSessionCheck {
  private readonly remembered = new Map<
    string,
    { state: LiveConsoleSession | undefined; checkedAt: number }
  >();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
  ) {}

  /** The principal of a verified console token; 401 `invalid_token` when its session is over. */
  async principalOf(payload: JWTPayload, sessionId: string): Promise<Principal> {
    const session = await this.state(sessionId);
    if (!session) throw invalidToken('The console session of this token has ended: sign in again.');
    if (payload.tenant !== session.tenantId || payload.sub !== consoleSubject(session.userId))
      throw invalidToken('The access token does not match its console session.');
    return {
      tenantId: session.tenantId,
      clientId: `console:${session.userId}`,
      userId: session.userId,
      scopes: new Set(parseScopeString(String(payload.scope ?? ''))),
      issuer: 'pconn',
    };
  }

  private async state(sessionId: string): Promise<LiveConsoleSession | undefined> {
    const nowMs = this.clock.now().getTime();
    const cached = this.remembered.get(sessionId);
    if (cached && nowMs - cached.checkedAt < this.maxAgeMs) return cached.state;
    const state = await findLiveConsoleSession(this.db, sessionId, this.clock.now());
    if (this.remembered.size >= REMEMBERED_MAX) this.remembered.clear();
    this.remembered.set(sessionId, { state, checkedAt: nowMs });
    return state;
  }
}
