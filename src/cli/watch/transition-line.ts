import type { Call, PconnEvent } from '../../sdk/index.ts';

/** What a call event carries besides the call (attempt-steps.ts and new-call.ts write these). */
interface TransitionData {
  call?: Call;
  attempt?: number;
  sipStatus?: number | null;
  sipReason?: string | null;
  /** Set on a requeue: why the call is retried. */
  retry?: string;
  nextAttemptAt?: string;
  /** Set on a final failure: why no retry follows. */
  reason?: string;
  decision?: { rules?: Array<{ rule: string; result: string; detail: string }> };
}

/** Facts about the call's campaign that the events do not carry. */
export interface TransitionContext {
  /** The campaign's maxAttemptsPerContact, when it could be read. */
  maxAttempts?: number;
}

/** `14:02:10Z` of an RFC 3339 instant (the date too when it is not today, UTC). */
export function shortTime(iso: string, now = new Date()): string {
  const time = `${iso.slice(11, 19)}Z`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

function sipOf(data: TransitionData, call: Call | undefined): string {
  const last = call?.attempts.at(-1);
  const status = data.sipStatus ?? last?.sipStatus ?? null;
  return status ? ` (SIP ${status})` : '';
}

// Deferring rules in plain words; the rule's own detail follows for the numbers.
const DEFER_WORDS: Record<string, string> = {
  calling_window: 'outside the calling window',
  redial_gap: 'waiting for the redial gap',
};

function deferredBecause(data: TransitionData): string {
  const rules = (data.decision?.rules ?? []).filter((r) => r.result === 'defer');
  if (rules.length === 0) return 'requested for later (notBefore)';
  return rules.map((r) => DEFER_WORDS[r.rule] ?? r.rule.replaceAll('_', ' ')).join(', ');
}

/**
 * What one transition of a call means, in one line after its status: the outcome and SIP status
 * of the attempt that ended, which retry comes next and when, why the call waits (calling
 * window, redial gap) or was blocked — e.g. `queued — retry: attempt 2 of 3 after busy
 * (SIP 486), next attempt at 14:02:10Z`.
 */
export function describeTransition(event: PconnEvent, context: TransitionContext = {}): string {
  const data = (event.data ?? {}) as TransitionData;
  const call = data.call;
  const status = call?.status ?? event.type.replace(/^call\./, '');
  const next = data.nextAttemptAt ?? call?.scheduledFor ?? null;
  const at = next ? `, next attempt at ${shortTime(next)}` : '';
  const made = call?.attempts.length ?? 0;
  switch (status) {
    case 'queued': {
      if (made === 0 || !call?.outcome) return 'queued — waiting for an agent';
      if (call.outcome === 'agent_no_answer')
        return `queued — the agent did not answer${sipOf(data, call)}; back in the queue${at}`;
      const of = context.maxAttempts ? ` of ${context.maxAttempts}` : '';
      return `queued — retry: attempt ${made + 1}${of} after ${call.outcome}${sipOf(data, call)}${at}`;
    }
    case 'scheduled':
      return `scheduled — ${deferredBecause(data)}${at}`;
    case 'dialing_user':
      return `dialing_user — attempt ${data.attempt ?? made}: ringing agent ${call?.userId ?? ''}`.trimEnd();
    case 'dialing_contact':
      return `dialing_contact — attempt ${data.attempt ?? made}: ringing ${call?.to ?? 'the contact'}`;
    case 'connected':
      return 'connected — agent and contact are talking';
    case 'completed':
      return `completed — ${call?.outcome ?? 'answered'}`;
    case 'failed': {
      const why = data.reason ? `: ${data.reason}` : '';
      return `failed — ${call?.outcome ?? 'failed'}${sipOf(data, call)}${why}`;
    }
    case 'blocked': {
      const failed = (data.decision?.rules ?? []).filter((r) => r.result === 'fail');
      return `blocked — ${failed.map((r) => r.detail).join(' ') || 'refused by the compliance rules'}`;
    }
    case 'canceled':
      return 'canceled';
    default:
      return status;
  }
}

/** The watch line of one transition: time, call id, then what it means. */
export function transitionLine(event: PconnEvent, context: TransitionContext = {}): string {
  const data = (event.data ?? {}) as TransitionData;
  return `${event.timestamp.slice(11, 19)}  ${data.call?.id ?? ''}  ${describeTransition(event, context)}`;
}
