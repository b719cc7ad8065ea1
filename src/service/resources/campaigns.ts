import type { Campaign, CampaignInput } from '../../contract/campaigns.ts';
import type { CampaignStatus } from '../../domain/campaign-status.ts';
import { ConflictError } from '../../domain/pconn-error.ts';
import {
  checkDialingSettings,
  type DialingSettings,
  dialingSettingsFrom,
  dialingSettingsOf,
} from './campaign-dialing.ts';
import type { ResourceKind } from './resource-kind.ts';

/** Retry choices per outcome, as stored (every outcome present). */
export interface RetryPolicy {
  busy: { retry: boolean; gapSeconds: number };
  no_answer: { retry: boolean; gapSeconds: number };
  network_error: { retry: boolean; gapSeconds: number };
  invalid_number: { retry: boolean; gapSeconds: number };
  rejected: { retry: boolean; gapSeconds: number };
  machine: { retry: boolean; gapSeconds: number };
  fax: { retry: boolean; gapSeconds: number };
  minRedialGapSeconds: number;
}

/** A campaign document as stored: its dialing settings (every one present) and the rest. */
export interface StoredCampaign extends DialingSettings {
  name: string;
  status: CampaignStatus;
  allowApiCalls: boolean;
  callerId: string | null;
  callingWindow: { start: string; end: string };
  timezone: string | null;
  retryPolicy: RetryPolicy;
  maxAttemptsPerContact: number;
  schedule: { startAt: string | null; endAt: string | null };
  agentIds: string[];
  metadata: Record<string, unknown>;
}

/**
 * Defaults of a campaign's retry policy: transient outcomes retry, final ones do not. A machine
 * is retried after an hour (a person may be home later; the attempt cap still bounds it); a fax
 * or a number the network says is invalid never holds a person, so they are not.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  busy: { retry: true, gapSeconds: 300 },
  no_answer: { retry: true, gapSeconds: 1800 },
  network_error: { retry: true, gapSeconds: 60 },
  invalid_number: { retry: false, gapSeconds: 0 },
  rejected: { retry: false, gapSeconds: 0 },
  machine: { retry: true, gapSeconds: 3600 },
  fax: { retry: false, gapSeconds: 0 },
  minRedialGapSeconds: 60,
};

const POLICY_OUTCOMES = [
  'busy',
  'no_answer',
  'network_error',
  'invalid_number',
  'rejected',
  'machine',
  'fax',
] as const;

function mergeRetryPolicy(input: CampaignInput['retryPolicy']): RetryPolicy {
  const policy = structuredClone(DEFAULT_RETRY_POLICY);
  if (!input) return policy;
  for (const outcome of POLICY_OUTCOMES) {
    const rule = input[outcome];
    if (rule)
      policy[outcome] = { retry: rule.retry, gapSeconds: rule.gapSeconds ?? policy[outcome].gapSeconds };
  }
  if (input.minRedialGapSeconds !== undefined) policy.minRedialGapSeconds = input.minRedialGapSeconds;
  return policy;
}

/** Campaigns: status changes only through the transition routes, never through PUT/PATCH. */
export const campaignKind: ResourceKind<CampaignInput, StoredCampaign, Campaign> = {
  name: 'campaign',
  table: 'campaigns',
  idKind: 'campaign',
  async toStored(ctx, input, existing, db) {
    const dialing = dialingSettingsFrom(input);
    await checkDialingSettings(db, ctx, dialing);
    return {
      name: input.name,
      status: existing?.status ?? 'draft',
      ...dialing,
      allowApiCalls: input.allowApiCalls ?? true,
      callerId: input.callerId ?? null,
      callingWindow: input.callingWindow ?? { start: '08:00', end: '21:00' },
      timezone: input.timezone ?? null,
      retryPolicy: mergeRetryPolicy(input.retryPolicy),
      maxAttemptsPerContact: input.maxAttemptsPerContact ?? 3,
      schedule: { startAt: input.schedule?.startAt ?? null, endAt: input.schedule?.endAt ?? null },
      agentIds: input.agentIds ?? [],
      metadata: input.metadata ?? {},
    };
  },
  toInput(stored) {
    const { status: _status, ...input } = stored;
    return {
      ...input,
      schedule: stripNulls(stored.schedule),
    } as CampaignInput;
  },
  present(row) {
    return {
      id: row.id,
      ...row.data,
      ...dialingSettingsOf(row.data),
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...row.data.retryPolicy },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
  beforeDelete(stored) {
    if (stored.status === 'running' || stored.status === 'scheduled' || stored.status === 'paused') {
      throw new ConflictError(
        'invalid_transition',
        `A ${stored.status} campaign cannot be deleted; stop it first.`,
        {
          extensions: { from: stored.status, to: 'deleted' },
        },
      );
    }
  },
};

function stripNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;
}
