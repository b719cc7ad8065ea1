import type { AuditSearchQuery } from '../contract/audit.ts';
import type { PconnClient, Query } from './pconn-client.ts';
import type { AuditEvent, AuditHead, CreatedClient, OAuthClient, PhoneTypes } from './types.ts';

/** Which audit chain to read: the tenant's, or that of requests with no usable token. */
/** Which audit chain: the tenant's, or requests that had no usable token (system scope). */
export type AuditChain = NonNullable<AuditSearchQuery['chain']>;

/** The audit trail: every request, accepted or rejected. */
export class AuditApi {
  constructor(private readonly client: PconnClient) {}

  /**
   * Entries matching the filters, in chain order: the tenant's chain, or with
   * `chain: 'unauthenticated'` (needs the `system` scope) the requests that had no usable token.
   * `requestId` is the id pconn answered with; `clientRequestId` the X-Request-Id you sent.
   */
  search(filter: Omit<AuditSearchQuery, 'limit' | 'cursor'> & Query = {}): AsyncGenerator<AuditEvent> {
    return this.client.paginate<AuditEvent>('/v1/audit-events', filter);
  }

  /**
   * The entry of one request (by the X-Request-Id pconn answered with), or undefined when there
   * is none (yet). A 401's entry is in the unauthenticated chain (`system` scope).
   */
  async byRequestId(requestId: string, chain: AuditChain = 'tenant'): Promise<AuditEvent | undefined> {
    const page = await this.client.request<{ data: AuditEvent[] }>('GET', '/v1/audit-events', {
      query: chain === 'tenant' ? { requestId } : { requestId, chain },
    });
    return page.data[0];
  }

  /** The newest link of the tenant's chain (or of the unauthenticated one, `system` scope). */
  head(chain: AuditChain = 'tenant'): Promise<AuditHead> {
    return this.client.request<AuditHead>('GET', '/v1/audit-events/head', {
      query: chain === 'tenant' ? {} : { chain },
    });
  }
}

/** OAuth clients of the caller's tenant (admin scope). */
export class ClientsApi {
  constructor(private readonly client: PconnClient) {}

  /** Creates a client; its secret is in this answer only. */
  create(input: { name: string; scopes: string[] }): Promise<CreatedClient> {
    return this.client.request<CreatedClient>('POST', '/v1/clients', { body: input });
  }

  /** The tenant's clients. */
  list(): AsyncGenerator<OAuthClient> {
    return this.client.paginate<OAuthClient>('/v1/clients');
  }

  /** Revokes a client. */
  revoke(clientId: string): Promise<OAuthClient> {
    return this.client.request<OAuthClient>('POST', `/v1/clients/${encodeURIComponent(clientId)}/revoke`, {
      idempotencyKey: false,
    });
  }
}

/** Tenant settings. */
export class SettingsApi {
  constructor(private readonly client: PconnClient) {}

  /** The tenant's phone types. */
  phoneTypes(): Promise<PhoneTypes> {
    return this.client.request<PhoneTypes>('GET', '/v1/settings/phone-types');
  }

  /** Replaces the tenant's phone types. */
  putPhoneTypes(input: PhoneTypes): Promise<PhoneTypes> {
    return this.client.request<PhoneTypes>('PUT', '/v1/settings/phone-types', { body: input });
  }
}
