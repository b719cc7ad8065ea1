import { AgentSessionsApi } from './agent-sessions-api.ts';
import { CallsApi } from './calls-api.ts';
import { CampaignsApi } from './campaigns-api.ts';
import type { AccessTokenSource } from './console-session-tokens.ts';
import { ContactsApi } from './contacts-api.ts';
import { type EventStreamOptions, streamEvents } from './event-stream.ts';
import { AuditApi, ClientsApi, SettingsApi } from './misc-apis.ts';
import { PconnApiError, problemFrom } from './pconn-api-error.ts';
import { type ApiAnswer, type Query, queryString, type RequestOptions } from './request-options.ts';
import { ResourceApi } from './resource-api.ts';
import { RETRYABLE_STATUSES, retryDelayMs, sleep } from './retry-after.ts';
import { type CachedToken, TokenSource } from './token-source.ts';
import { UsersApi } from './users-api.ts';

/** Re-exported: the request shapes live in request-options.ts. */
export type { ApiAnswer, Query, RequestOptions } from './request-options.ts';
/** Re-exported for callers that build URLs. */
export { queryString } from './request-options.ts';

import type {
  CallerId,
  CallerIdInput,
  Page,
  PconnEvent,
  Trunk,
  TrunkInput,
  Webhook,
  WebhookInput,
} from './types.ts';

/** How to reach and authenticate to a pconn server. */
export interface PconnClientOptions {
  baseUrl: string;
  /** Client credentials; not needed when `tokens` is given. */
  clientId?: string;
  clientSecret?: string;
  /** Where tokens come from instead of client credentials (e.g. a ConsoleSessionTokens). */
  tokens?: AccessTokenSource;
  /** Scopes to request (default: all the client holds). */
  scope?: string;
  fetch?: typeof fetch;
  /** Retries of a 429/503 answer (default 3); each waits for its Retry-After. */
  maxRetries?: number;
  /** Longest single wait between retries (default 30 s). */
  maxRetryDelayMs?: number;
  /** A cached token to start with (the CLI keeps one per profile). */
  token?: CachedToken;
  /** Called with every new token. */
  onToken?: (token: CachedToken) => void;
}

/**
 * The transport under every typed call: bearer tokens (fetched and refreshed by TokenSource),
 * an automatic `Idempotency-Key` on POST creates (the same key on every retry, so a retried
 * create is never made twice), bounded retries honouring `Retry-After` on 429/503 only — other
 * errors are the caller's to handle — and PconnApiError for every non-2xx answer.
 */
export class PconnClient {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly tokens: AccessTokenSource;
  /** Campaigns, their status transitions, membership and imports. */
  readonly campaigns: CampaignsApi;
  /** Contacts (tenant-wide). */
  readonly contacts: ContactsApi;
  /** Users (agents, supervisors, admins) and their console passwords. */
  readonly users: UsersApi;
  /** Personal-connection sessions of users, by user id. */
  readonly sessions: AgentSessionsApi;
  /** Caller ids, addressed by their E.164 number. */
  readonly callerIds: ResourceApi<CallerIdInput, CallerId>;
  /** SIP trunks (admin scope). */
  readonly trunks: ResourceApi<TrunkInput, Trunk>;
  /** Webhook endpoints. */
  readonly webhooks: ResourceApi<WebhookInput, Webhook>;
  /** Calls. */
  readonly calls: CallsApi;
  /** The audit trail. */
  readonly audit: AuditApi;
  /** OAuth clients. */
  readonly clients: ClientsApi;
  /** Tenant settings (phone types). */
  readonly settings: SettingsApi;

  constructor(private readonly options: PconnClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound, so that a browser's window.fetch is never called with another `this`.
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.tokens =
      options.tokens ?? this.clientCredentials(options.clientId ?? '', options.clientSecret ?? '');
    this.campaigns = new CampaignsApi(this, '/v1/campaigns');
    this.contacts = new ContactsApi(this, '/v1/contacts');
    this.users = new UsersApi(this, '/v1/users');
    this.sessions = new AgentSessionsApi(this);
    this.callerIds = new ResourceApi(this, '/v1/caller-ids');
    this.trunks = new ResourceApi(this, '/v1/trunks');
    this.webhooks = new ResourceApi(this, '/v1/webhooks');
    this.calls = new CallsApi(this);
    this.audit = new AuditApi(this);
    this.clients = new ClientsApi(this);
    this.settings = new SettingsApi(this);
  }

  private clientCredentials(clientId: string, clientSecret: string): TokenSource {
    if (!clientId) throw new TypeError('PconnClient needs clientId and clientSecret, or tokens');
    const options = this.options;
    return new TokenSource({
      baseUrl: this.baseUrl,
      clientId,
      clientSecret,
      fetch: this.fetcher,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.token ? { initialToken: options.token } : {}),
      ...(options.onToken ? { onToken: options.onToken } : {}),
    });
  }

  /** The live event stream (SSE), resumed with Last-Event-ID after a dropped connection. */
  events(options: EventStreamOptions = {}): AsyncGenerator<PconnEvent> {
    return streamEvents(this, options);
  }

  /** A valid access token (fetched or refreshed as needed). */
  accessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** Sends a request and returns the parsed JSON body (undefined for 204). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  /** Sends a request and returns status, headers and parsed body; throws PconnApiError otherwise. */
  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const response = await this.fetchRaw(method, path, options);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const requestId = response.headers.get('x-request-id') ?? undefined;
      throw new PconnApiError(response.status, problemFrom(response.status, parsed, text, requestId));
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** The raw Response (any status) after auth and retries; used for streams such as SSE. */
  async fetchRaw(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    } else if (options.rawBody !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    }
    if (method === 'POST' && options.idempotencyKey !== false) {
      headers['idempotency-key'] = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    }
    const replayable = !(body instanceof ReadableStream);
    const maxRetries = replayable ? (this.options.maxRetries ?? 3) : 0;
    let refreshedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      const response = await this.fetcher(url, {
        method,
        headers: { ...headers, authorization: `Bearer ${await this.tokens.get()}` },
        ...(body !== undefined ? { body, ...(replayable ? {} : { duplex: 'half' }) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      } as RequestInit);
      // A cached token can be revoked or signed by a retired key: fetch a new one once.
      if (response.status === 401 && !refreshedAfter401 && replayable) {
        refreshedAfter401 = true;
        this.tokens.invalidate();
        await response.body?.cancel();
        attempt--;
        continue;
      }
      if (!RETRYABLE_STATUSES.has(response.status) || attempt >= maxRetries) return response;
      await response.body?.cancel();
      const delay = retryDelayMs(
        response.headers.get('retry-after'),
        attempt,
        this.options.maxRetryDelayMs ?? 30_000,
      );
      await sleep(delay, options.signal);
    }
  }

  /** Iterates every item of a list route, following `nextCursor`. */
  async *paginate<T>(path: string, query: Query = {}, pageSize = 200): AsyncGenerator<T> {
    let cursor: string | null = null;
    do {
      const page: Page<T> = await this.request<Page<T>>('GET', path, {
        query: { ...query, limit: pageSize, ...(cursor ? { cursor } : {}) },
      });
      yield* page.data;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Iterates a list route (kept for older callers; same as paginate). */
  list<T>(path: string, pageSize = 200): AsyncGenerator<T> {
    return this.paginate<T>(path, {}, pageSize);
  }
}
