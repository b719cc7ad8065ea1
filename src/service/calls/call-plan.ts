import type { CallingWindowSpec } from './decide.ts';

/** Everything needed to decide on and create one call, gathered from the request and the store. */
export interface CallPlan {
  kind: 'campaign' | 'direct';
  campaignId: string | null;
  campaignStatus: string | null;
  contactId: string | null;
  toNumber: string;
  phoneType: string | null;
  requestedUserId: string | null;
  callerId: string | null;
  reason: string | null;
  metadata: Record<string, unknown>;
  notBefore: Date | null;
  outsideWindow: 'schedule' | 'reject';
  window: CallingWindowSpec;
  contactTimezone: string | null;
  fallbackTimezone: string | null;
  consent: { status: 'granted' | 'revoked'; source: string | null; at: string } | null;
  maxAttempts: number;
  minRedialGapSeconds: number;
  /**
   * Campaign calls that wait for the campaign's next agent: how many of its agentIds are active
   * users. Null where no agent rule applies (a requested user, a direct call, the dialer).
   */
  activeAgents: number | null;
}
