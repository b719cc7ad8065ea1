import { ConflictError } from './pconn-error.ts';

/** Campaign lifecycle states (shared/api-contract.md "Campaign"). */
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'stopped'] as const;
/** A campaign lifecycle state. */
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** The transition routes: POST /v1/campaigns/{id}/<action>. */
export const CAMPAIGN_ACTIONS = ['start', 'pause', 'resume', 'stop'] as const;
/** A campaign transition action. */
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

// The transition table as data: action → from-state → to-state. `start` picks between
// running and scheduled at run time (schedule.startAt in the future), so it maps to a marker.
const TRANSITIONS: Record<
  CampaignAction,
  Partial<Record<CampaignStatus, CampaignStatus | 'running_or_scheduled'>>
> = {
  start: { draft: 'running_or_scheduled' },
  pause: { running: 'paused', scheduled: 'paused' },
  resume: { paused: 'running_or_scheduled' },
  stop: { draft: 'stopped', scheduled: 'stopped', running: 'stopped', paused: 'stopped' },
};

/** States in which campaign calls may be created. */
export const DIALABLE_STATUSES: ReadonlySet<CampaignStatus> = new Set(['running', 'scheduled']);

/**
 * The status a campaign moves to when `action` is applied, or a 409 `invalid_transition`.
 * `startsInFuture` tells whether `schedule.startAt` lies ahead of now.
 */
export function nextCampaignStatus(
  from: CampaignStatus,
  action: CampaignAction,
  startsInFuture: boolean,
): CampaignStatus {
  const to = TRANSITIONS[action][from];
  if (to === undefined) {
    const target =
      action === 'start' || action === 'resume' ? 'running' : action === 'pause' ? 'paused' : 'stopped';
    throw new ConflictError('invalid_transition', `A ${from} campaign cannot be ${pastTense(action)}.`, {
      extensions: { from, to: target, allowedActions: allowedActions(from) },
    });
  }
  if (to === 'running_or_scheduled') return startsInFuture ? 'scheduled' : 'running';
  return to;
}

/** The actions that are legal from `status`. */
export function allowedActions(status: CampaignStatus): CampaignAction[] {
  return CAMPAIGN_ACTIONS.filter((action) => TRANSITIONS[action][status] !== undefined);
}

function pastTense(action: CampaignAction): string {
  return { start: 'started', pause: 'paused', resume: 'resumed', stop: 'stopped' }[action];
}
