import type { SessionEndReason } from '../domain/agent-session-status.ts';
import { type AgentStateChange, agentLoggedIn } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import type { LegEvent, LegHandle, LegTarget, TelephonyDriver } from '../domain/telephony.ts';
import { type AppliedAgentEvent, stateColumns } from '../service/agent-sessions/agent-state-changes.ts';
import {
  callEndedFor,
  callStartedFor,
  contactBridgedFor,
} from '../service/agent-sessions/call-agent-states.ts';
import { changeSession, type SessionEventExtra } from '../service/agent-sessions/session-events.ts';
import { lockSession, type SessionChanges, type SessionRow } from '../store/agent-sessions/session-rows.ts';
import type { Db, Executor } from '../store/database.ts';
import type { SessionAgentLeg } from './call-session.ts';

/** What a session's leg needs from the dialer. */
export interface AgentSessionDeps {
  db: Db;
  driver: TelephonyDriver;
  clock: Clock;
  agentRingSeconds: number;
  onError: (error: unknown) => void;
  /** The session became ready for a call (wake the dialer). */
  onReady: () => void;
  /** The session ended and its leg is down. */
  onClosed: () => void;
  /** Wrap-up seconds when the call's campaign sets none (PCONN_WRAP_UP_SECONDS). */
  wrapUpSeconds: number;
  /** The agent went into wrap-up until `until`: the keeper sweeps the timeout then. */
  onWrapUp: (until: Date) => void;
  /** An agent state change was committed (metrics). */
  onStateChanged: (change: AgentStateChange) => void;
}

type Ended = Extract<LegEvent, { type: 'ended' }>;

/**
 * The node-local half of a personal-connection session: the agent's one leg, dialled once,
 * lent to one call at a time (CallSession) and put on hold between calls. Every change is
 * written to agent_sessions (with its agent.session_changed event) through one promise chain,
 * so the row follows the leg in order; network I/O never runs inside a transaction.
 */
export class AgentSessionLeg implements SessionAgentLeg {
  private handle?: LegHandle;
  private answered = false;
  private legEnded = false;
  private closed = false;
  private callListener?: (event: LegEvent) => void;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: SessionRow,
    private readonly deps: AgentSessionDeps,
  ) {}

  /** The agent's leg (valid once `start` ran). */
  get leg(): LegHandle {
    if (!this.handle) throw new Error(`session ${this.session.id} has no leg yet`);
    return this.handle;
  }

  /** Dials the agent's device, or ends the session when the user can no longer take calls. */
  start(target: LegTarget | undefined): void {
    if (!target) {
      this.run(() => this.close('user_unavailable', 'the user was deleted or disabled', null));
      return;
    }
    this.handle = this.deps.driver.dial(
      {
        legId: `${this.session.id}/agent`,
        tenantId: this.session.tenant_id,
        target,
        callerId: null,
        ringTimeoutSeconds: this.deps.agentRingSeconds,
        persistent: true,
      },
      (event) => this.onLegEvent(event),
    );
  }

  attach(callId: string, onEvent: (event: LegEvent) => void): boolean {
    if (!this.answered || this.legEnded || this.closed || this.callListener) return false;
    this.callListener = onEvent;
    // DELETE may have landed since the routing read: the call still runs, the end follows it.
    this.run(() =>
      this.writeState(async (tx, row, now) => {
        const status = row.status === 'ending' ? 'ending' : 'on_call';
        const started = await changeSession(tx, row, { status, current_call_id: callId }, now, {
          reason: 'call_started',
          callId,
        });
        return callStartedFor(tx, started, callId, now);
      }),
    );
    return true;
  }

  bridged(): void {
    this.run(() =>
      this.writeState(async (tx, row, now) => {
        const bridged = await changeSession(tx, row, { leg_state: 'bridged' }, now);
        return contactBridgedFor(tx, bridged, now);
      }),
    );
  }

  release(): Promise<void> {
    this.callListener = undefined;
    return this.run(async () => {
      const handled = (row: SessionRow) => ({ calls_handled: row.calls_handled + 1, current_call_id: null });
      // Counted even when the leg already ended the session (the agent hung up on this call).
      const row = await this.write((current) => handled(current), { reason: 'call_ended' }, true);
      // Talked: wrap-up (its timeout in the row); never bridged: straight back to available.
      if (row && row.status !== 'ended')
        await this.writeState((tx, current, now) => callEndedFor(tx, current, now, this.deps.wrapUpSeconds));
      if (!row || row.status === 'ended' || this.legEnded || this.closed) return;
      if (row.status === 'ending')
        return this.close('ended_by_request', 'ended by request after the call', null);
      try {
        await this.deps.driver.hold(this.leg);
      } catch (error) {
        // A leg that ended meanwhile has its own end queued, with the right reason.
        if (this.legEnded) return;
        this.deps.onError(error);
        return this.close('agent_unreachable', `could not put the agent on hold: ${String(error)}`, null);
      }
      const after = await this.write((current) =>
        current.status === 'ending' ? undefined : { status: 'ready', leg_state: 'held' },
      );
      if (after?.status === 'ending')
        return this.close('ended_by_request', 'ended by request after the call', null);
      this.deps.onReady();
    });
  }

  /**
   * DELETE asked for the end (or the user can no longer take calls): now, or — while a call has
   * the leg — after it (the next round asks again once the leg is back on hold).
   */
  requestEnd(reason: SessionEndReason = 'ended_by_request', detail = 'ended by request'): void {
    if (this.callListener || this.closed) return;
    this.run(() => this.close(reason, detail, null));
  }

  /** The node is stopping: the leg cannot outlive it. */
  stop(): Promise<void> {
    return this.run(() => this.close('node_stopped', 'the node holding the leg shut down', null));
  }

  private onLegEvent(event: LegEvent): void {
    if (event.type === 'ended') {
      this.legEnded = true;
      // The call on the leg reacts first, as to any agent hang-up.
      this.callListener?.(event);
      this.run(() => this.close(...endOf(event, this.answered)));
    } else if (event.type === 'ringing') {
      this.run(() => this.write(() => ({ leg_state: 'ringing' })));
    } else if (event.type === 'answered') {
      this.answered = true;
      this.run(async () => {
        const now = this.deps.clock.now();
        const row = await this.write(
          (current) =>
            current.status === 'starting'
              ? // Logged in: available from now (longest-idle routing counts from here).
                {
                  status: 'ready',
                  leg_state: 'held',
                  ready_at: now,
                  // A pause asked for while the phone rang is kept.
                  ...(current.agent_state === 'available' ? stateColumns(agentLoggedIn(now.getTime())) : {}),
                }
              : { leg_state: 'held', ready_at: now },
          { reason: 'agent_answered' },
        );
        if (row?.status === 'ending') return this.close('ended_by_request', 'ended by request', null);
        this.deps.onReady();
      });
    }
  }

  /** Marks the session ended (first cause wins), then hangs up the leg if it is still up. */
  private async close(reason: SessionEndReason, detail: string, sipStatus: number | null): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const now = this.deps.clock.now();
    await this.write(
      () => ({
        status: 'ended',
        leg_state: 'ended',
        end_reason: reason,
        end_detail: detail,
        sip_status: sipStatus,
        ended_at: now,
      }),
      { reason },
    );
    if (this.handle && !this.legEnded) await this.deps.driver.hangup(this.handle);
    this.deps.onClosed();
  }

  /** Locks the row, applies what `decide` returns (nothing once ended, unless `ended`) and commits. */
  private write(
    decide: (row: SessionRow) => SessionChanges | undefined,
    extra: SessionEventExtra = {},
    ended = false,
  ): Promise<SessionRow | undefined> {
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await lockSession(tx, this.session.tenant_id, this.session.id);
      if (!row || (row.status === 'ended' && !ended)) return undefined;
      const changes = decide(row);
      return changes ? changeSession(tx, row, changes, this.deps.clock.now(), extra) : row;
    });
  }

  /**
   * Locks the row and runs `step` in one transaction (nothing once the session ended); the
   * agent state changes it applied are reported once committed.
   */
  private async writeState(
    step: (tx: Executor, row: SessionRow, now: Date) => Promise<AppliedAgentEvent[]>,
  ): Promise<void> {
    const applied = await this.deps.db.transaction().execute(async (tx) => {
      const row = await lockSession(tx, this.session.tenant_id, this.session.id);
      if (!row || row.status === 'ended') return [];
      return step(tx, row, this.deps.clock.now());
    });
    for (const { change } of applied) this.deps.onStateChanged(change);
    const last = applied.at(-1)?.row;
    if (last?.agent_state === 'wrap_up' && last.wrap_up_until)
      this.deps.onWrapUp(new Date(last.wrap_up_until));
  }

  private run(step: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(step).then(
      () => undefined,
      (error: unknown) => this.deps.onError(error),
    );
    this.chain = next;
    return next;
  }
}

/** Why the leg's end ended the session. */
function endOf(event: Ended, answered: boolean): [SessionEndReason, string, number] {
  const detail = `${event.status} ${event.reason}`;
  if (event.by === 'network') return ['agent_unreachable', detail, event.status];
  if (event.by === 'local') return ['ended_by_request', detail, event.status];
  if (answered) return ['agent_hung_up', detail, event.status];
  return ['agent_no_answer', detail, event.status];
}
