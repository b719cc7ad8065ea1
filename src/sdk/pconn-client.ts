import { PconnApiError, type Problem } from './pconn-api-error.ts';

/** How to reach and authenticate to a pconn server. */
export interface PconnClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to request (default: all the client holds). */
  scope?: string;
  fetch?: typeof fetch;
}

/**
 * A small typed client over the HTTP API: fetches and refreshes the access token, turns
 * problems into PconnApiError, and pages through lists.
 */
export class PconnClient {
  private token?: { value: string; expiresAt: number };
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: PconnClientOptions) {
    this.fetcher = options.fetch ?? fetch;
  }

  /** Sends a request and returns the parsed JSON body (undefined for 204). */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetcher(`${this.options.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) throw new PconnApiError(response.status, asProblem(response.status, parsed, text));
    return parsed as T;
  }

  /** Iterates every item of a list route, following nextCursor. */
  async *list<T>(path: string, pageSize = 200): AsyncGenerator<T> {
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const query: string = `${separator}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { data: T[]; nextCursor: string | null } = await this.request('GET', `${path}${query}`);
      yield* page.data;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** A valid access token, fetched or refreshed a minute before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope) form.set('scope', this.options.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    const response = await this.fetcher(`${this.options.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const json = (await response.json()) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !json.access_token) {
      throw new PconnApiError(response.status, {
        type: 'about:blank',
        title: 'Authentication failed',
        status: response.status,
        code: json.error ?? 'invalid_client',
        detail: json.error_description ?? 'The token endpoint refused the client credentials.',
      });
    }
    this.token = { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asProblem(status: number, body: unknown, text: string): Problem {
  if (body && typeof body === 'object' && 'code' in body) return body as Problem;
  return {
    type: 'about:blank',
    title: `HTTP ${status}`,
    status,
    code: 'http_error',
    detail: text.slice(0, 500),
  };
}
