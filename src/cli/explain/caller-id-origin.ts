import type { FieldError, Problem } from '../../sdk/index.ts';

/** Where the caller id of a refused call came from. */
export type CallerIdSource = 'request' | 'campaign' | 'tenant';

/** The audited facts of a `caller_id_not_verified` refusal. */
export interface CallerIdRefusal {
  route: string;
  path: string;
  body: unknown;
  problem: Problem | undefined;
}

/** What explain says about a refused caller id: where it came from, and the error to show. */
export interface CallerIdExplanation {
  source: CallerIdSource;
  callerId: string | null;
  error: FieldError;
}

/**
 * Explains `caller_id_not_verified` by where the caller id came from. A call request may leave
 * `callerId` out: a campaign call then presents the campaign's callerId, a direct call (or a
 * campaign without one) the tenant's first verified caller id. Reading only the body would call
 * a campaign's unverified default "missing"; the refusal's `callerId` extension names the
 * number the server actually checked.
 */
export function explainCallerId(refusal: CallerIdRefusal): CallerIdExplanation {
  const sent = (refusal.body as { callerId?: unknown } | null)?.callerId;
  const code = 'caller_id_not_verified';
  if (typeof sent === 'string') {
    return {
      source: 'request',
      callerId: sent,
      error: {
        pointer: '/callerId',
        code,
        detail: `callerId '${sent}' (sent in this request) is not a verified caller id of this tenant.`,
        hint: `Verify it with PUT /v1/caller-ids/${sent} {"verified": true} (admin scope), or send one of your verified caller ids.`,
      },
    };
  }
  const checked = (refusal.problem as { callerId?: unknown } | undefined)?.callerId;
  const campaignId = /^\/v1\/campaigns\/([^/]+)\/calls/.exec(refusal.path)?.[1];
  const campaign = campaignId ? decodeURIComponent(campaignId) : undefined;
  if (campaign && typeof checked === 'string') {
    return {
      source: 'campaign',
      callerId: checked,
      error: {
        pointer: '',
        code,
        detail: `The request sent no callerId, so campaign '${campaign}''s callerId ${checked} was used, and it is not a verified caller id of this tenant.`,
        hint: `Verify it with PUT /v1/caller-ids/${checked} {"verified": true} (admin scope), or give the campaign a verified one: PATCH /v1/campaigns/${campaign} {"callerId": "+…"}.`,
      },
    };
  }
  const where = campaign ? `campaign '${campaign}' names none` : 'a direct call uses the tenant default';
  return {
    source: 'tenant',
    callerId: null,
    error: {
      pointer: '',
      code,
      detail: `The request sent no callerId and ${where}, so the tenant's first verified caller id is used, but the tenant has no verified caller id.`,
      hint: 'Verify one with PUT /v1/caller-ids/{e164} {"verified": true} (admin scope).',
    },
  };
}
