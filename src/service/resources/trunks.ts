import type { Trunk, TrunkInput } from '../../contract/telephony-config.ts';
import type { NetworkAllowList } from '../../domain/sip-destination.ts';
import { FieldErrors } from '../field-errors.ts';
import type { ResourceKind } from './resource-kind.ts';
import { checkSipDestination } from './sip-destination-check.ts';

/** A trunk document as stored (with its password, which is never shown). */
export interface StoredTrunk {
  uri: string;
  username: string | null;
  password: string | null;
  maxConcurrent: number;
  cps: number;
  offerInInitialInvite: boolean;
}

/**
 * SIP trunks. The password is write-only: omitting it on PUT/PATCH keeps the current one. The
 * URI may not point at an internal address outside `allowedNetworks` (PCONN_SIP_ALLOW_DESTINATIONS).
 */
export const trunkKind = (options: {
  allowedNetworks: NetworkAllowList;
}): ResourceKind<TrunkInput, StoredTrunk, Trunk> => ({
  name: 'trunk',
  table: 'trunks',
  idKind: 'trunk',
  toStored(_ctx, input, existing) {
    const errors = new FieldErrors();
    checkSipDestination(errors, '/uri', input.uri, existing?.uri, options.allowedNetworks);
    errors.throwIfAny('The trunk has invalid fields.');
    return {
      uri: input.uri,
      username: input.username ?? null,
      password: input.password ?? existing?.password ?? null,
      maxConcurrent: input.maxConcurrent ?? 30,
      cps: input.cps ?? 10,
      offerInInitialInvite: input.offerInInitialInvite ?? false,
    };
  },
  toInput(stored) {
    const { password: _password, username, ...rest } = stored;
    return { ...rest, ...(username !== null ? { username } : {}) };
  },
  present(row) {
    const { password, ...rest } = row.data;
    return {
      id: row.id,
      ...rest,
      hasPassword: password !== null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
});
