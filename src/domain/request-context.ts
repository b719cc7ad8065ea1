/** Who is calling: resolved from the access token by the API before any use case runs. */
export interface Principal {
  tenantId: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  /** `pconn` for our own tokens, else the external issuer's `iss`. */
  issuer: string;
  /** A console user's token: the signed-in user (an agent acts on their own session with it). */
  userId?: string;
}

/** A tenant's settings as use cases need them. */
export interface TenantSettings {
  id: string;
  defaultRegion: string;
  phoneTypes: readonly string[];
}

/** What every use case receives: the caller and its tenant's settings. */
export interface RequestContext {
  principal: Principal;
  tenant: TenantSettings;
  requestId: string;
  now: Date;
  /** W3C traceparent to store with what the request creates (set only when tracing is on). */
  traceContext?: string;
}
