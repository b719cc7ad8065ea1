import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPrivateHost } from '../domain/private-host.ts';

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
}

/**
 * POSTs one signed payload with a bounded timeout; 2xx is success, anything else (status,
 * timeout, connection error, a target that resolves to a private address) is a failed attempt
 * described in `error`. The body of the answer is not read: only the status matters.
 */
export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): SendResult => ({
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error,
    durationMs: performance.now() - started,
  });
  try {
    if (!request.allowPrivate) {
      const refusal = await privateTargetRefusal(new URL(request.url).hostname);
      if (refusal) return done(null, refusal);
    }
    const statusCode = await post(new URL(request.url), request);
    const ok = statusCode >= 200 && statusCode < 300;
    return done(statusCode, ok ? null : `HTTP ${statusCode}`);
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return done(null, `timeout after ${request.timeoutMs} ms`);
    if ('code' in err && typeof err.code === 'string') return done(null, err.code);
    return done(null, err.cause?.code ?? err.cause?.message ?? err.message);
  }
}

/** Why a target is refused at delivery time (its name may resolve to a private address), if it is. */
async function privateTargetRefusal(hostname: string): Promise<string | null> {
  if (isPrivateHost(hostname)) return `refused: ${hostname} is a private or loopback address`;
  if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return null;
  const addresses = await lookup(hostname, { all: true });
  const internal = addresses.find((a) => isPrivateHost(a.address));
  return internal ? `refused: ${hostname} resolves to private address ${internal.address}` : null;
}

// node:http with keep-alive rather than fetch: a delivery is one small POST, and at a few hundred
// a second the reused connections and the lighter client are measurably cheaper on the event loop.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** One POST; resolves with the status code once the answer's head arrived (its body is dropped). */
function post(url: URL, request: SendRequest): Promise<number> {
  const client = url.protocol === 'https:' ? https : http;
  const body = Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: agents[url.protocol as 'http:' | 'https:'],
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'pconn-webhooks/1',
          ...request.headers,
        },
        // Bounds the whole exchange (connect, send, answer head), not only socket inactivity.
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
