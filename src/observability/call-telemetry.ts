import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { TERMINAL_STATUSES } from '../domain/call-status.ts';
import type { LegEvent } from '../domain/telephony.ts';
import type { PconnMetrics } from './metrics.ts';
import type { Tracing } from './tracing.ts';

/** The fields of a call row telemetry reads (a store CallRow fits). */
export interface ObservedCall {
  id: string;
  tenant_id: string;
  campaign_id: string | null;
  status: string;
  outcome: string | null;
  created_at: Date;
  attempts_made: number;
  trace_context: string | null;
}

/** How an attempt ended, as the dialer records it. */
export interface ObservedResult {
  outcome: string;
  sipStatus: number | null;
  sipReason: string | null;
}

/** Which party a leg rings. */
export type LegRole = 'agent' | 'contact';

/** The spans of one attempt: the attempt itself and a `dial` span per leg. */
export interface AttemptTrace {
  /** A leg started ringing. */
  legStarted(leg: LegRole): void;
  /** The driver reported progress on a leg; `ended` closes the leg's span. */
  legEvent(leg: LegRole, event: LegEvent): void;
}

const NO_TRACE: AttemptTrace = { legStarted() {}, legEvent() {} };

/**
 * What the dialer reports, turned into metrics (always), spans (when tracing is on; the attempt
 * continues the trace of the request that created the call) and log lines for failures. A
 * failed or blocked call carries the error code and the campaign's status at that moment so
 * failures can be lined up with campaign state changes.
 */
export class CallTelemetry {
  constructor(private readonly deps: { metrics: PconnMetrics; tracing: Tracing; logger: Logger }) {}

  /** A committed status change (metrics: transitions, terminal outcomes, latencies). */
  callTransitioned(call: ObservedCall): void {
    const { metrics } = this.deps;
    const terminal = TERMINAL_STATUSES.has(call.status as never);
    metrics.callTransitioned(call.status, call.outcome, terminal);
    const sinceAccepted = (Date.now() - call.created_at.getTime()) / 1000;
    if (call.status === 'dialing_user' && call.attempts_made === 1) metrics.firstDialed(sinceAccepted);
    else if (call.status === 'connected') metrics.connected(sinceAccepted);
  }

  /** Attempt n began (its row is written and the call is dialing_user): opens its span. */
  attemptStarted(call: ObservedCall, n: number): AttemptTrace {
    this.callTransitioned(call);
    if (!this.deps.tracing.enabled) return NO_TRACE;
    return new AttemptSpans(this.deps.tracing, call, n);
  }

  /**
   * Attempt settled: `before` is the call's status while it ran, `after` the row once settled.
   * A failed call is logged and marked on the attempt span with the campaign's status, which is
   * only looked up then (`campaignStatus`), never on the success path.
   */
  async attemptEnded(
    trace: AttemptTrace | undefined,
    result: ObservedResult,
    before: string,
    after: ObservedCall | undefined,
    campaignStatus: () => Promise<string | null>,
  ): Promise<void> {
    this.deps.metrics.attemptEnded(result.outcome);
    const spans = trace instanceof AttemptSpans ? trace : undefined;
    if (after && after.status !== before) {
      this.callTransitioned(after);
      if (after.status === 'failed') {
        const status = await campaignStatus().catch(() => null);
        this.logFailure(after, 'call_failed', status, result);
        spans?.fail('call_failed', status, result);
      }
      spans?.settled(after);
    }
    spans?.end(result);
  }

  /** The dialer changed a waiting call without dialling (scheduled, blocked) — committed. */
  async callSettledBeforeDial(
    after: ObservedCall,
    campaignStatus: () => Promise<string | null>,
  ): Promise<void> {
    this.callTransitioned(after);
    if (after.status !== 'blocked') return;
    const status = await campaignStatus().catch(() => null);
    this.logFailure(after, 'call_blocked', status, undefined);
    if (!this.deps.tracing.enabled) return;
    const tracing = this.deps.tracing;
    const span = tracing.start(
      'call.blocked',
      SpanKind.INTERNAL,
      callAttributes(after),
      tracing.contextFromTraceparent(after.trace_context),
    );
    markFailure(span, 'call_blocked', status, undefined);
    span.end();
  }

  private logFailure(
    call: ObservedCall,
    code: string,
    campaignStatus: string | null,
    result?: ObservedResult,
  ) {
    this.deps.logger.warn(
      {
        event: code === 'call_blocked' ? 'call.blocked' : 'call.failed',
        code,
        callId: call.id,
        tenant: call.tenant_id,
        campaignId: call.campaign_id,
        campaignStatus,
        outcome: call.outcome,
        attempts: call.attempts_made,
        sipStatus: result?.sipStatus ?? null,
        sipReason: result?.sipReason ?? null,
      },
      code === 'call_blocked' ? 'call blocked at dial time' : 'call failed',
    );
  }
}

function callAttributes(call: ObservedCall) {
  return {
    'pconn.call.id': call.id,
    'pconn.tenant.id': call.tenant_id,
    ...(call.campaign_id ? { 'pconn.campaign.id': call.campaign_id } : {}),
  };
}

function markFailure(span: Span, code: string, campaignStatus: string | null, result?: ObservedResult): void {
  const attributes = {
    'pconn.error.code': code,
    ...(campaignStatus ? { 'pconn.campaign.status': campaignStatus } : {}),
    ...(result ? { 'pconn.call.outcome': result.outcome } : {}),
    ...(result?.sipStatus ? { 'pconn.sip.status': result.sipStatus } : {}),
  };
  span.setAttributes(attributes);
  span.addEvent(code === 'call_blocked' ? 'pconn.call.blocked' : 'pconn.call.failed', attributes);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** The attempt span (child of the creating request's trace) and its legs' `dial` spans. */
class AttemptSpans implements AttemptTrace {
  private readonly attempt: Span;
  private readonly legs: Partial<Record<LegRole, Span>> = {};

  constructor(
    private readonly tracing: Tracing,
    private readonly call: ObservedCall,
    private readonly n: number,
  ) {
    this.attempt = tracing.start(
      'call.attempt',
      SpanKind.INTERNAL,
      { ...callAttributes(call), 'pconn.attempt': n },
      tracing.contextFromTraceparent(call.trace_context),
    );
  }

  legStarted(leg: LegRole): void {
    this.legs[leg] = this.tracing.start(
      'dial',
      SpanKind.CLIENT,
      { 'pconn.leg': leg, 'pconn.call.id': this.call.id, 'pconn.attempt': this.n },
      this.attempt,
    );
  }

  legEvent(leg: LegRole, event: LegEvent): void {
    const span = this.legs[leg];
    if (!span) return;
    if (event.type !== 'ended') {
      span.addEvent(event.type);
      return;
    }
    span.setAttributes({
      'pconn.sip.status': event.status,
      'pconn.sip.reason': event.reason,
      'pconn.leg.ended_by': event.by,
    });
    if (event.by === 'network') span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason });
    span.end();
    delete this.legs[leg];
  }

  fail(code: string, campaignStatus: string | null, result: ObservedResult): void {
    markFailure(this.attempt, code, campaignStatus, result);
  }

  settled(after: ObservedCall): void {
    this.attempt.setAttribute('pconn.call.status', after.status);
  }

  end(result: ObservedResult): void {
    // Legs hung up by us may never report `ended` once the attempt is over: close them here.
    for (const span of Object.values(this.legs)) {
      span.setAttribute('pconn.leg.ended_by', 'attempt_end');
      span.end();
    }
    this.attempt.setAttribute('pconn.call.outcome', result.outcome);
    if (result.sipStatus !== null) this.attempt.setAttribute('pconn.sip.status', result.sipStatus);
    this.attempt.end();
  }
}
