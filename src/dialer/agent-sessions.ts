import type { AgentStateChange } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import type { TelephonyDriver } from '../domain/telephony.ts';
import { endWrapUp } from '../service/agent-sessions/agent-state-changes.ts';
import { changeSession } from '../service/agent-sessions/session-events.ts';
import type { StoredUser } from '../service/resources/users.ts';
import { lockExpiredWrapUps } from '../store/agent-sessions/agent-state-sweeps.ts';
import { campaignIdOfCall } from '../store/agent-sessions/call-campaign.ts';
import {
  claimStartingSessions,
  endingSessionIds,
  extendSessionLeases,
  lockLostSessions,
  unavailableUserSessionIds,
} from '../store/agent-sessions/claim-sessions.ts';
import type { SessionRow } from '../store/agent-sessions/session-rows.ts';
import type { FreedAgent } from '../store/calls/claim.ts';
import type { Db } from '../store/database.ts';
import { ResourceRepository } from '../store/resources.ts';
import { selectedAgentOf } from './agent-selection.ts';
import { AgentSessionLeg } from './agent-session.ts';
import type { SessionAgentLeg } from './call-session.ts';

const users = new ResourceRepository<StoredUser>('users');

/** Lent to a call whose session leg is not on this node after all: it fails like a missed agent. */
const GONE: SessionAgentLeg = {
  get leg(): never {
    throw new Error('no session leg');
  },
  attach: () => false,
  bridged: () => undefined,
  release: async () => undefined,
};

/** Settings of the session keeper. */
export interface AgentSessionsOptions {
  agentRingSeconds: number;
  leaseSeconds: number;
  batchSize: number;
  /** Wrap-up seconds when a call's campaign sets none (PCONN_WRAP_UP_SECONDS). */
  wrapUpSeconds: number;
}

/**
 * This node's personal-connection sessions: takes sessions waiting for a node (and dials their
 * agents), passes DELETE's end requests to their legs, keeps their leases, and ends sessions
 * whose node was lost (a restart loses the SIP leg with the process).
 */
export class AgentSessions {
  private readonly legs = new Map<string, AgentSessionLeg>();
  private claimRequested = true;
  /** The earliest wrap-up timeout of this node's legs not swept yet (ms; Infinity: none). */
  private nextWrapUpEnd = Number.POSITIVE_INFINITY;

  constructor(
    private readonly deps: {
      db: Db;
      driver: TelephonyDriver;
      clock: Clock;
      owner: string;
      options: AgentSessionsOptions;
      onError: (error: unknown) => void;
      /** A session can take a call now (`freed`: agents whose wrap-up just ended, for their waiters). */
      onReady: (freed?: FreedAgent[]) => void;
      /** An agent state change was committed on this node (metrics). */
      onStateChanged?: (change: AgentStateChange) => void;
    },
  ) {}

  /** Sessions whose leg this node holds. */
  get size(): number {
    return this.legs.size;
  }

  /** The leg of a session this node holds (a stand-in that refuses the call otherwise). */
  legFor(sessionId: string): SessionAgentLeg {
    return this.legs.get(sessionId) ?? GONE;
  }

  /** A session was started or changed through the API: claim on the next tick, not at housekeeping. */
  requestClaim(): void {
    this.claimRequested = true;
  }

  /**
   * One round: end requests always; new sessions while `accepting` (when asked, or on
   * `housekeeping`); leases, lost sessions and users disabled meanwhile on `housekeeping`.
   */
  async tick(accepting: boolean, housekeeping: boolean): Promise<void> {
    const { db, owner, clock, options } = this.deps;
    if (housekeeping) {
      await extendSessionLeases(db, owner, [...this.legs.keys()], options.leaseSeconds, clock.now());
      await this.endLost();
      if (this.legs.size > 0)
        for (const id of await unavailableUserSessionIds(db, owner))
          this.legs
            .get(id)
            ?.requestEnd('user_unavailable', 'the user was disabled or deleted during the session');
    }
    if (this.legs.size > 0)
      for (const id of await endingSessionIds(db, owner)) this.legs.get(id)?.requestEnd();
    // Wrap-ups end when this node saw one fall due, and once a second for any it did not see.
    if (this.legs.size > 0 && (housekeeping || clock.now().getTime() >= this.nextWrapUpEnd))
      await this.endWrapUps();
    // Claiming on every tick cost the dialer ~1 ms of the store per call (ticks follow each new
    // call); sessions start rarely, so: when asked, and once a second for other nodes' requests.
    if (!accepting || !(housekeeping || this.claimRequested)) return;
    this.claimRequested = false;
    const claimed = await claimStartingSessions(
      db,
      owner,
      options.batchSize,
      options.leaseSeconds,
      clock.now(),
    );
    for (const row of claimed) await this.begin(row);
  }

  /** Ends every session of this node (their legs are hung up). */
  async stop(): Promise<void> {
    await Promise.all([...this.legs.values()].map((leg) => leg.stop()));
  }

  private async begin(row: SessionRow): Promise<void> {
    const user = await users.find(this.deps.db, row.tenant_id, row.user_id);
    const leg = new AgentSessionLeg(row, {
      db: this.deps.db,
      driver: this.deps.driver,
      clock: this.deps.clock,
      agentRingSeconds: this.deps.options.agentRingSeconds,
      onError: this.deps.onError,
      onReady: this.deps.onReady,
      onClosed: () => this.legs.delete(row.id),
      wrapUpSeconds: this.deps.options.wrapUpSeconds,
      onWrapUp: (until) => {
        this.nextWrapUpEnd = Math.min(this.nextWrapUpEnd, until.getTime());
      },
      onStateChanged: (change) => this.deps.onStateChanged?.(change),
    });
    this.legs.set(row.id, leg);
    leg.start(user?.data.status === 'active' ? selectedAgentOf(user)?.target : undefined);
  }

  /** Ends the wrap-ups of this node's agents that timed out (their instant is in the row). */
  private async endWrapUps(): Promise<void> {
    const now = this.deps.clock.now();
    this.nextWrapUpEnd = Number.POSITIVE_INFINITY;
    const freed: FreedAgent[] = [];
    const changes = await this.deps.db.transaction().execute(async (tx) => {
      const applied = [];
      for (const row of await lockExpiredWrapUps(tx, this.deps.owner, this.deps.options.batchSize, now)) {
        const ended = await endWrapUp(tx, row, { type: 'wrap_timeout' }, now);
        applied.push(ended);
        if (ended.row.agent_state === 'available')
          freed.push({
            tenantId: row.tenant_id,
            userId: row.user_id,
            campaignId: row.state_call_id
              ? await campaignIdOfCall(tx, row.tenant_id, row.state_call_id)
              : null,
          });
      }
      return applied;
    });
    for (const { change } of changes) this.deps.onStateChanged?.(change);
    // A full batch may have left more behind: look again on the next tick.
    if (changes.length === this.deps.options.batchSize) this.nextWrapUpEnd = now.getTime();
    if (freed.length > 0) this.deps.onReady(freed);
  }

  private async endLost(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      for (const row of await lockLostSessions(tx, this.deps.owner, this.deps.options.batchSize, now)) {
        await changeSession(
          tx,
          row,
          {
            status: 'ended',
            leg_state: 'ended',
            end_reason: 'node_lost',
            end_detail: 'the node holding the agent leg stopped renewing its lease (crash or restart)',
            current_call_id: null,
            ended_at: now,
          },
          now,
          { reason: 'node_lost' },
        );
      }
    });
  }
}
