/** Query parameters; undefined members are left out. */
export type Query = Record<string, string | number | boolean | undefined | null>;

/** Options of one request. */
export interface RequestOptions {
  /** JSON body. */
  body?: unknown;
  /** A body sent as is (CSV, NDJSON) with `contentType`. Streams are never retried. */
  rawBody?: string | Uint8Array | ReadableStream<Uint8Array>;
  contentType?: string;
  query?: Query;
  headers?: Record<string, string>;
  /** Idempotency-Key for POST: generated when omitted, `false` sends none. */
  idempotencyKey?: string | false;
  signal?: AbortSignal;
}

/** A parsed answer with its status and headers. */
export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** `?a=1&b=x` from the defined members of `query` ('' when none). */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
