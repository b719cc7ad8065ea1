import type { TObject } from '@sinclair/typebox';
import { CampaignInput } from '../../contract/campaigns.ts';
import { PhoneTypes } from '../../contract/contacts.ts';
import { CallerIdInput, TrunkInput, WebhookInput } from '../../contract/telephony-config.ts';
import { UserInput } from '../../contract/users.ts';

/** A kind of resource the config file declares, and how it maps to the API. */
export interface ResourceKind {
  /** Key in pconn.yaml. */
  key: string;
  /** Collection path of its idempotent `PUT /v1/<collection>/{id}`. */
  path: string;
  /** The contract schema each document is checked against before anything is sent. */
  schema: TObject;
}

/**
 * The declarable kinds, in apply order: what others refer to comes first (campaigns name users
 * and caller ids), and prune deletes in the reverse order.
 */
export const RESOURCE_KINDS: ResourceKind[] = [
  { key: 'callerIds', path: '/v1/caller-ids', schema: CallerIdInput },
  { key: 'users', path: '/v1/users', schema: UserInput },
  { key: 'trunks', path: '/v1/trunks', schema: TrunkInput },
  { key: 'webhooks', path: '/v1/webhooks', schema: WebhookInput },
  { key: 'campaigns', path: '/v1/campaigns', schema: CampaignInput },
];

/** The tenant's phone types: a singleton setting (`PUT /v1/settings/phone-types`). */
export const PHONE_TYPES = { key: 'phoneTypes', path: '/v1/settings/phone-types', schema: PhoneTypes };

/**
 * Input members that are actions, not state: never compared, never sent unless changed.
 * (`rotateSecret` issues a new webhook secret each time it is sent.)
 */
export const ACTION_FIELDS = new Set(['rotateSecret']);

/** Write-only members: the API answers `has<Name>` instead, so they are compared by presence. */
export const WRITE_ONLY_FIELDS = new Set(['password']);
