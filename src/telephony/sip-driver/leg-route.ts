import type { LegRequest } from '../../domain/telephony.ts';
import type { BindingStore } from '../sip/registrar/index.ts';
import type { SipCredentials } from '../sip/user-agent/index.ts';
import { bindingKey, type SipDirectory, type TrunkRoute } from './sip-directory.ts';

/** Where and how to send a leg's INVITE. */
export interface LegRoute {
  /** Request-URI. */
  target: string;
  /** From URI (the caller id as user part, when there is one). */
  from: string;
  credentials?: SipCredentials;
  trunk?: TrunkRoute;
}

/** Why a leg cannot be placed at all: ends like a final response with this status. */
export interface LegUnroutable {
  status: number;
  reason: string;
}

/**
 * Resolves a leg's target: a SIP URI is dialled as is; a phone number goes through the tenant's
 * trunk (`sip:<number>@<trunk host>` with the trunk's parameters and credentials); a registered
 * device is called at its newest binding. A device that is not registered ends with 480
 * Temporarily Unavailable (RFC 3261 §21.4.18: "currently unavailable (e.g., is not logged
 * in)"); a tenant without a trunk ends with 503.
 */
export async function routeLeg(
  request: LegRequest,
  directory: SipDirectory,
  bindings: BindingStore,
  localHost: string,
): Promise<LegRoute | LegUnroutable> {
  const user = request.callerId ?? 'pconn';
  const target = request.target;
  if (target.kind === 'sip') return { target: target.uri, from: `sip:${user}@${localHost}` };
  const tenantId = request.tenantId ?? 'default';
  if (target.kind === 'registered') {
    const binding = bindings.current(bindingKey(tenantId, target.username))[0];
    if (!binding) return { status: 480, reason: 'Temporarily Unavailable (device not registered)' };
    return { target: binding.contact, from: `sip:${user}@${localHost}` };
  }
  const trunk = await directory.trunkFor(tenantId);
  if (!trunk) return { status: 503, reason: 'No trunk configured for this tenant' };
  const match = /^(sips?):(?:[^@;?]*@)?([^;?]+)(.*)$/.exec(trunk.uri);
  if (!match) return { status: 503, reason: `Trunk ${trunk.id} has an unusable URI` };
  const [, scheme, hostPort, params] = match;
  const hostOnly = (hostPort ?? '').replace(/:\d+$/, '');
  return {
    target: `${scheme}:${target.number}@${hostPort}${params}`,
    from: `sip:${user}@${hostOnly}`,
    ...(trunk.username && trunk.password
      ? { credentials: { username: trunk.username, password: trunk.password } }
      : {}),
    trunk,
  };
}
