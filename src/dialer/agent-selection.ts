import type { LegTarget } from '../domain/telephony.ts';
import type { StoredUser } from '../service/resources/users.ts';

/** The agent picked for a call and where to ring them. */
export interface SelectedAgent {
  userId: string;
  target: LegTarget;
  /** The agent's personal-connection session whose leg (up, on hold) takes the call. */
  sessionId?: string;
}

/**
 * Where to ring the agent the pre-dial read picked (store/calls/load-dial-facts.ts: the
 * requested user when active and free, else the first active, free agent of the campaign in
 * agentIds order): a SIP URI, a number through the trunk, or a registered softphone.
 * Undefined for a user without a device (a supervisor or admin): nobody to ring.
 */
export function selectedAgentOf(user: {
  id: string;
  data: unknown;
  sessionId?: string | null;
}): SelectedAgent | undefined {
  const device = (user.data as StoredUser).device;
  if (!device) return undefined;
  const target: LegTarget =
    device.type === 'sip'
      ? { kind: 'sip', uri: device.uri }
      : device.type === 'phone'
        ? { kind: 'phone', number: device.number }
        : { kind: 'registered', username: device.username ?? user.id };
  return { userId: user.id, target, ...(user.sessionId ? { sessionId: user.sessionId } : {}) };
}
