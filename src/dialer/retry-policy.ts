import type { CallOutcome } from '../domain/call-status.ts';
import type { RetryPolicy } from '../service/resources/campaigns.ts';

/** What happens to a call after an attempt ended without a conversation. */
export type RetryChoice = { retry: true; delaySeconds: number; why: string } | { retry: false; why: string };

// An agent who does not pick up says nothing about the contact: try again soon, with any agent,
// and without spending the contact's attempts — but not forever.
const AGENT_RETRY_SECONDS = 15;
const MAX_AGENT_MISSES = 5;

/**
 * The retry decision for an attempt's outcome, as data from the campaign's policy: busy,
 * no_answer and network_error retry after their gap while attempts remain; invalid_number and
 * rejected never retry unless the policy says so. Direct calls (no policy) never retry.
 */
export function chooseRetry(
  outcome: CallOutcome,
  policy: RetryPolicy | null,
  contactAttempts: number,
  maxAttempts: number,
  agentMisses: number,
): RetryChoice {
  if (outcome === 'answered' || outcome === 'canceled') return { retry: false, why: outcome };
  if (outcome === 'abandoned')
    return { retry: false, why: 'the contact answered and was never connected to an agent (abandoned)' };
  if (outcome === 'agent_no_answer') {
    return agentMisses < MAX_AGENT_MISSES
      ? {
          retry: true,
          delaySeconds: AGENT_RETRY_SECONDS,
          why: 'the agent did not answer; the call goes back to the queue',
        }
      : { retry: false, why: `no agent answered in ${MAX_AGENT_MISSES} tries` };
  }
  if (!policy) return { retry: false, why: 'direct calls are not retried' };
  const rule = policy[outcome];
  if (!rule.retry) return { retry: false, why: `the campaign does not retry ${outcome}` };
  if (contactAttempts >= maxAttempts)
    return { retry: false, why: `the contact has had ${contactAttempts} of ${maxAttempts} attempts` };
  return {
    retry: true,
    delaySeconds: Math.max(rule.gapSeconds, policy.minRedialGapSeconds),
    why: `${outcome}: retry in ${rule.gapSeconds} s`,
  };
}
