import { dialingSettingsOf } from '../service/resources/campaign-dialing.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import type { SessionAgentLeg } from './call-session.ts';

/*
 * Which attempts ring the contact first (issue 17). Progressive contact-first reserves a session
 * agent before the dial; predictive reserves none and finds the agent at the live answer — unless
 * its ledger is restricted, when it dials like progressive contact-first (never abandons).
 * Both need personal-connection session agents: their leg is up, so a live answer is bridged at
 * once; an agent who would have to be rung first cannot answer within the 2-second window.
 */

/** `unreserved`: predictive (agent found at the answer); `reserved`: a session agent held for the dial. */
export type ContactFirst = 'unreserved' | 'reserved';

/** How a campaign's attempts dial; undefined for agent first (today's flow, and preview). */
export function contactFirstOf(
  campaign: StoredCampaign | null | undefined,
  restricted: boolean,
): ContactFirst | undefined {
  if (!campaign) return undefined;
  const settings = dialingSettingsOf(campaign);
  if (settings.dialingMode === 'predictive') return restricted ? 'reserved' : 'unreserved';
  if (settings.dialingMode === 'progressive' && !settings.agentFirst) return 'reserved';
  return undefined;
}

/** A session agent given to a live answer (predictive), its leg on this node. */
export interface AnswerAgent {
  userId: string;
  leg: SessionAgentLeg;
}

/**
 * Finds the agent for a live answer of a contact-first call with no agent reserved (predictive):
 * waits at most the connect window (2 s) for one; undefined when none came free in time.
 */
/** Finds the agent for a live answer, waiting at most `waitMs` (the rest of the connect window). */
export type AgentForAnswer = (
  call: CallRow,
  attempt: number,
  waitMs: number,
) => Promise<AnswerAgent | undefined>;

/** Where a contact-first attempt is, for pacing: ringing, answered and waiting, or past both. */
export type ContactFirstPhase = 'ringing' | 'waiting' | 'other';

/**
 * How long after the end of the person's greeting (47 CFR 64.1200(a)(7): "within two seconds
 * of the called person's completed greeting") an agent may still be found: the last 300 ms of
 * the 2 s are for starting the abandon prompt.
 */
export const CONNECT_WINDOW_MS = 1700;

/**
 * What is left of the connect window at `now`. With answer detection the verdict came
 * `silenceAtVerdictMs` after the greeting ended (the silence that made it a person); without it
 * the answer itself is the greeting's end.
 */
export function connectWindowLeftMs(
  facts: { analysis?: { features: object }; contactAnsweredAt?: Date },
  now: Date,
): number {
  const spent = facts.analysis
    ? ((facts.analysis.features as { silenceAtVerdictMs?: number }).silenceAtVerdictMs ?? 0)
    : now.getTime() - (facts.contactAnsweredAt?.getTime() ?? now.getTime());
  return Math.max(0, CONNECT_WINDOW_MS - spent);
}
