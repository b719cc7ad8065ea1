import { type NetworkAllowList, sipDestinationRefusal } from '../../domain/sip-destination.ts';
import type { FieldErrors } from '../field-errors.ts';

/**
 * Refuses a trunk's or device's SIP URI that points at an internal address (loopback, link-local
 * and cloud metadata, the other special-purpose blocks) outside PCONN_SIP_ALLOW_DESTINATIONS:
 * pconn would otherwise send INVITEs, REGISTER-less OPTIONS probes and media wherever a client
 * with `users:write` or `admin` scope tells it to. Only a new or changed URI is checked, so a
 * resource saved before a stricter rule can still be edited.
 */
export function checkSipDestination(
  errors: FieldErrors,
  pointer: string,
  uri: string,
  previousUri: string | undefined,
  allowed: NetworkAllowList,
): void {
  if (uri === previousUri) return;
  const refusal = sipDestinationRefusal(uri, allowed);
  if (!refusal) return;
  errors.add(
    pointer,
    'format',
    `SIP URIs may not point at internal addresses: ${refusal}.`,
    `Use the PBX's or carrier's routable address, or add its network to PCONN_SIP_ALLOW_DESTINATIONS on the server (a CIDR list, now: ${allowed.cidrs.join(',') || 'none'}).`,
  );
}
