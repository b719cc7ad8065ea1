import type { User, UserInput } from '../../contract/users.ts';
import type { ConsoleRole } from '../../domain/console-roles.ts';
import type { NetworkAllowList } from '../../domain/sip-destination.ts';
import { FieldErrors } from '../field-errors.ts';
import type { ResourceKind } from './resource-kind.ts';
import { checkSipDestination } from './sip-destination-check.ts';

/** Where an agent is rung, as stored (the registered device's SIP password included). */
export type StoredDevice =
  | { type: 'sip'; uri: string }
  | { type: 'phone'; number: string }
  | { type: 'registered'; username?: string; password?: string };

/** A user document as stored. */
export interface StoredUser {
  name: string;
  status: 'active' | 'disabled';
  /** Absent on documents written before roles existed: those users are agents. */
  role?: ConsoleRole;
  /** Null for supervisors and admins who take no calls. */
  device: StoredDevice | null;
  email: string | null;
  /** Set when an admin gave the user a console password (the hash lives in console_passwords). */
  hasConsolePassword?: boolean;
}

/** The user's role; documents from before roles existed are agents. */
export function roleOf(user: StoredUser): ConsoleRole {
  return user.role ?? 'agent';
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
    const errors = new FieldErrors();
    const role = input.role ?? 'agent';
    if (!input.device && role === 'agent')
      errors.add(
        '/device',
        'required',
        'An agent needs a device: where pconn rings them.',
        'Add "device": {"type": "registered"} for a softphone, or set "role" to "supervisor" or "admin" for a user who takes no calls.',
      );
    if (input.device?.type === 'sip') {
      const previous = existing?.device?.type === 'sip' ? existing.device.uri : undefined;
      checkSipDestination(errors, '/device/uri', input.device.uri, previous, options.allowedNetworks);
    }
    errors.throwIfAny('The user has invalid fields.');
    let device: StoredDevice | null = input.device ?? null;
    if (
      device?.type === 'registered' &&
      device.password === undefined &&
      existing?.device?.type === 'registered'
    ) {
      device = { ...device, ...(existing.device.password ? { password: existing.device.password } : {}) };
    }
    return {
      name: input.name,
      status: input.status ?? 'active',
      role,
      device,
      email: input.email ?? null,
      ...(existing?.hasConsolePassword ? { hasConsolePassword: true } : {}),
    };
  },
  toInput(stored) {
    return {
      name: stored.name,
      status: stored.status,
      role: roleOf(stored),
      ...(stored.device ? { device: stored.device } : {}),
      ...(stored.email ? { email: stored.email } : {}),
    };
  },
  present(row) {
    const { device, hasConsolePassword, ...rest } = row.data;
    const shown =
      device?.type === 'registered'
        ? {
            type: 'registered',
            username: device.username ?? row.id,
            hasPassword: device.password !== undefined,
          }
        : (device ?? null);
    return {
      id: row.id,
      ...rest,
      role: roleOf(row.data),
      hasConsolePassword: hasConsolePassword === true,
      device: shown,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
});
