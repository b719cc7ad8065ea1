import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveWebhookTarget, systemLookup, type WebhookLookup } from './webhook-target.ts';

/** How one HTTP attempt went. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One webhook POST to make. */
export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** PCONN_WEBHOOK_ALLOW_PRIVATE: allow private and loopback targets. */
  allowPrivate: boolean;
  /** Resolver of the URL's host name (default: the system's); called once per attempt. */
  lookup?: WebhookLookup;
}

/**
 * POSTs one signed payload with a bounded timeout; 2xx is success, anything else (status,
 * timeout, connection error, a target that is or resolves to a special-purpose address) is a
 * failed attempt described in `error`. The host is resolved once and the connection made to the
 * address that was checked; redirects are never followed (a 3xx is a failure naming where it
 * pointed). The body of the answer is not read: only the status matters.
 */
export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): SendResult => ({
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error,
    durationMs: performance.now() - started,
  });
  // Bounds the whole exchange (resolve, connect, send, answer head), not only socket inactivity.
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const url = new URL(request.url);
    const target = await resolveWebhookTarget(url, {
      allowPrivate: request.allowPrivate,
      lookup: request.lookup ?? systemLookup,
      signal,
    });
    if ('refused' in target) return done(null, target.refused);
    const answer = await post(url, request, pinnedLookup(target.addresses), signal);
    if (answer.statusCode >= 200 && answer.statusCode < 300) return done(answer.statusCode, null);
    return done(answer.statusCode, statusError(answer.statusCode, answer.location));
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return done(null, `timeout after ${request.timeoutMs} ms`);
    if ('code' in err && typeof err.code === 'string') return done(null, err.code);
    return done(null, err.cause?.code ?? err.cause?.message ?? err.message);
  }
}

/**
 * The failure text of a non-2xx answer. A redirect is not followed — its target was never
 * checked, and a receiver (or whoever took over its name) could point it at an internal service —
 * so the text says where it led (origin only: paths and queries may carry tokens).
 */
function statusError(statusCode: number, location: string | undefined): string {
  if (statusCode < 300 || statusCode >= 400) return `HTTP ${statusCode}`;
  let to = '';
  try {
    if (location) to = ` to ${new URL(location).origin}`;
  } catch {
    to = '';
  }
  return `HTTP ${statusCode}: redirect${to} not followed (set the endpoint URL to the final address)`;
}

/**
 * A `lookup` for node's socket that answers with the already checked addresses only, so the
 * connection goes there while the URL keeps its name (Host header, TLS SNI and certificate check).
 */
function pinnedLookup(addresses: ReadonlyArray<{ address: string; family: 4 | 6 }>): LookupFunction {
  return (_hostname, options, callback) => {
    // With autoSelectFamily (node ≥ 20 default) net asks for every address at once.
    if (options.all) callback(null, [...addresses]);
    else {
      const [first] = addresses;
      if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
    }
  };
}

// node:http with keep-alive rather than fetch: a delivery is one small POST, and at a few hundred
// a second the reused connections and the lighter client are measurably cheaper on the event loop.
// A pooled socket is reused only for the same host and port, and was connected to an address
// that had been checked when it was opened.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** One POST; resolves with the status code (and any Location) once the answer's head arrived. */
function post(
  url: URL,
  request: SendRequest,
  lookup: LookupFunction,
  signal: AbortSignal,
): Promise<{ statusCode: number; location: string | undefined }> {
  const client = url.protocol === 'https:' ? https : http;
  const body = Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'pconn-webhooks/1',
          ...request.headers,
        },
        signal,
      },
      (res) => {
        res.resume();
        resolve({ statusCode: res.statusCode ?? 0, location: res.headers.location });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
