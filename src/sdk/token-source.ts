import { PconnApiError, problemFrom } from './pconn-api-error.ts';

/** An access token and the instant (ms since epoch) it expires. */
export interface CachedToken {
  accessToken: string;
  expiresAt: number;
  /** When to fetch a new one (before expiresAt). */
  refreshAt: number;
  scope?: string;
}

/** How TokenSource reaches the token endpoint. */
export interface TokenSourceOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  fetch: typeof fetch;
  /** A token from an earlier run (e.g. the CLI's profile cache), used while still fresh. */
  initialToken?: CachedToken;
  /** Called with every newly fetched token, so callers can cache it. */
  onToken?: (token: CachedToken) => void;
  now?: () => number;
}

/**
 * Client-credentials tokens (RFC 6749 §4.4) from POST /oauth/token: fetched on first use and
 * refreshed before they expire — 60 s early, or a tenth of the lifetime for short-lived tokens —
 * so a request never leaves with a token about to lapse. Concurrent callers share one fetch.
 */
export class TokenSource {
  private token: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TokenSourceOptions) {
    this.token = options.initialToken;
    this.now = options.now ?? Date.now;
  }

  /** A token valid for at least the refresh margin. */
  async get(): Promise<string> {
    if (this.token && !this.isStale(this.token)) return this.token.accessToken;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).accessToken;
  }

  /** Forgets the cached token (after a 401: the token was revoked or the keys rotated). */
  invalidate(): void {
    this.token = undefined;
  }

  private isStale(token: CachedToken): boolean {
    return this.now() >= token.refreshAt;
  }

  private async fetchToken(): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope) form.set('scope', this.options.scope);
    // RFC 6749 §2.3.1: the credentials are form-urlencoded before Basic encoding.
    // btoa, not Buffer: the SDK also runs in browsers, and the encoded text is ASCII.
    const basic = btoa(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    );
    const response = await this.options.fetch(`${this.options.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const text = await response.text();
    let json: { access_token?: string; expires_in?: number; scope?: string } | undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok || !json?.access_token) {
      throw new PconnApiError(
        response.status,
        problemFrom(response.status, json, text, response.headers.get('x-request-id') ?? undefined),
      );
    }
    const lifetime = (json.expires_in ?? 3600) * 1000;
    // Short-lived tokens refresh at 90% of their life instead of 60 s before the end.
    const margin = Math.min(60_000, lifetime / 10);
    const token: CachedToken = {
      accessToken: json.access_token,
      expiresAt: this.now() + lifetime,
      refreshAt: this.now() + lifetime - margin,
      ...(json.scope ? { scope: json.scope } : {}),
    };
    this.token = token;
    this.options.onToken?.(token);
    return token;
  }
}
