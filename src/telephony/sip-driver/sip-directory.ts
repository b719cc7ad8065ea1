import type { RegistrarAccount } from '../sip/registrar/index.ts';

/** A SIP trunk as the driver uses it (PUT /v1/trunks/{id}). */
export interface TrunkRoute {
  id: string;
  /** `sip:host[:port][;transport=tcp]`: where phone-number legs are sent. */
  uri: string;
  username: string | null;
  password: string | null;
  maxConcurrent: number;
  cps: number;
  offerInInitialInvite: boolean;
}

/**
 * The configuration the SIP driver reads per leg. Implemented over the store in
 * record-directory.ts (over store queries main.ts wires); tests may pass a fixed one.
 */
export interface SipDirectory {
  /** The trunk phone-number legs of this tenant go through (undefined: none configured). */
  trunkFor(tenantId: string): Promise<TrunkRoute | undefined>;
  /** Every configured trunk, across tenants (OPTIONS keep-alive); absent: none are probed. */
  trunks?(): Promise<TrunkRoute[]>;
  /** Users whose registered device uses `username`, across tenants (the password tells them apart). */
  registeredAccounts(username: string): Promise<RegistrarAccount[]>;
}

/** The registrar binding key of a tenant's registered device. */
export function bindingKey(tenantId: string, username: string): string {
  return `${tenantId}/${username}`;
}
