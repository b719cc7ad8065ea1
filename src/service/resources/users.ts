import type { User, UserInput } from '../../contract/users.ts';
import type { NetworkAllowList } from '../../domain/sip-destination.ts';
import { FieldErrors } from '../field-errors.ts';
import type { ResourceKind } from './resource-kind.ts';
import { checkSipDestination } from './sip-destination-check.ts';

/** Where an agent is rung, as stored (the registered device's SIP password included). */
export type StoredDevice =
  | { type: 'sip'; uri: string }
  | { type: 'phone'; number: string }
  | { type: 'registered'; username?: string; password?: string };

/** A user (agent) document as stored. */
export interface StoredUser {
  name: string;
  status: 'active' | 'disabled';
  device: StoredDevice;
  email: string | null;
}

/**
 * Users (agents). A registered device's password is write-only: omitting it on PUT keeps it. A
 * SIP device's URI may not point at an internal address outside `allowedNetworks`
 * (PCONN_SIP_ALLOW_DESTINATIONS).
 */
export const userKind = (options: {
  allowedNetworks: NetworkAllowList;
}): ResourceKind<UserInput, StoredUser, User> => ({
  name: 'user',
  table: 'users',
  idKind: 'user',
  toStored(_ctx, input, existing) {
    if (input.device.type === 'sip') {
      const errors = new FieldErrors();
      const previous = existing?.device.type === 'sip' ? existing.device.uri : undefined;
      checkSipDestination(errors, '/device/uri', input.device.uri, previous, options.allowedNetworks);
      errors.throwIfAny('The user has invalid fields.');
    }
    let device: StoredDevice = input.device;
    if (
      device.type === 'registered' &&
      device.password === undefined &&
      existing?.device.type === 'registered'
    ) {
      device = { ...device, ...(existing.device.password ? { password: existing.device.password } : {}) };
    }
    return { name: input.name, status: input.status ?? 'active', device, email: input.email ?? null };
  },
  toInput(stored) {
    return {
      name: stored.name,
      status: stored.status,
      device: stored.device,
      ...(stored.email ? { email: stored.email } : {}),
    };
  },
  present(row) {
    const { device, ...rest } = row.data;
    const shown =
      device.type === 'registered'
        ? {
            type: 'registered',
            username: device.username ?? row.id,
            hasPassword: device.password !== undefined,
          }
        : device;
    return {
      id: row.id,
      ...rest,
      device: shown,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
});
