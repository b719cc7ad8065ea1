import type { Trunk, TrunkInput } from '../../contract/telephony-config.ts';
import type { ResourceKind } from './resource-kind.ts';

/** A trunk document as stored (with its password, which is never shown). */
export interface StoredTrunk {
  uri: string;
  username: string | null;
  password: string | null;
  maxConcurrent: number;
  cps: number;
  offerInInitialInvite: boolean;
}

/** SIP trunks. The password is write-only: omitting it on PUT/PATCH keeps the current one. */
export const trunkKind: ResourceKind<TrunkInput, StoredTrunk, Trunk> = {
  name: 'trunk',
  table: 'trunks',
  idKind: 'trunk',
  toStored(_ctx, input, existing) {
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
};
