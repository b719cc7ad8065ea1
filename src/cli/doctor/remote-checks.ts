import { PconnApiError, type PconnClient, type Trunk, type Webhook } from '../../sdk/index.ts';
import { isUnreachable } from '../output.ts';
import type { CheckResult } from './check-result.ts';
import { probeSipOptions } from './sip-options-probe.ts';

/** Clock skew above this fails the check: JWT `iat`/`exp` and signature timestamps stop matching. */
const MAX_SKEW_MS = 30_000;

/** Server reachable (GET /healthz) and the clock skew against its Date header. */
export async function checkServer(baseUrl: string): Promise<CheckResult[]> {
  const sent = Date.now();
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return [
      {
        name: 'server',
        status: 'fail',
        detail: `cannot reach ${baseUrl} (${code})`,
        fix: 'check --url / the profile, and that pconn is running',
      },
    ];
  }
  const received = Date.now();
  await response.body?.cancel();
  const results: CheckResult[] = [
    {
      name: 'server',
      status: response.ok ? 'ok' : 'fail',
      detail: `${baseUrl} answered ${response.status} in ${received - sent} ms`,
    },
  ];
  const date = response.headers.get('date');
  if (date) {
    // Date has one-second resolution: compare with the middle of the round trip.
    const skew = Date.parse(date) - (sent + received) / 2;
    const ok = Math.abs(skew) <= MAX_SKEW_MS;
    results.push({
      name: 'clock',
      status: ok ? (Math.abs(skew) > 2000 ? 'warn' : 'ok') : 'fail',
      detail: `skew vs server ${skew >= 0 ? '+' : ''}${(skew / 1000).toFixed(1)} s`,
      ...(ok ? {} : { fix: 'sync this machine or the server with NTP' }),
    });
  }
  return results;
}

/** A token is issued and accepted (an authenticated request succeeds). */
export async function checkToken(client: PconnClient): Promise<CheckResult> {
  try {
    await client.accessToken();
    await client.campaigns.page({ limit: 1 });
    return { name: 'token', status: 'ok', detail: 'client credentials accepted, token valid' };
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 403) {
      return { name: 'token', status: 'ok', detail: 'token valid (this client may not read campaigns)' };
    }
    const detail =
      error instanceof PconnApiError
        ? `${error.title}: ${error.detail}`
        : isUnreachable(error)
          ? 'server unreachable'
          : String(error);
    return {
      name: 'token',
      status: 'fail',
      detail,
      fix: 'run pconn login with a valid client id and secret',
    };
  }
}

async function listAll<T>(iterator: AsyncGenerator<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

/** Every trunk answers a SIP OPTIONS within the timeout. */
export async function checkTrunks(client: PconnClient, timeoutMs: number): Promise<CheckResult[]> {
  let trunks: Trunk[];
  try {
    trunks = await listAll(client.trunks.list());
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 403) {
      return [{ name: 'trunks', status: 'skip', detail: 'listing trunks needs the admin scope' }];
    }
    throw error;
  }
  if (trunks.length === 0) return [{ name: 'trunks', status: 'skip', detail: 'no trunks configured' }];
  return Promise.all(
    trunks.map(async (trunk): Promise<CheckResult> => {
      const probe = await probeSipOptions(trunk.uri, timeoutMs);
      return probe.reachable
        ? {
            name: `trunk ${trunk.id}`,
            status: 'ok',
            detail: `${trunk.uri} answered OPTIONS ${probe.status} ${probe.reason} in ${probe.rttMs} ms`,
          }
        : {
            name: `trunk ${trunk.id}`,
            status: 'fail',
            detail: `${trunk.uri} unreachable: ${probe.error}`,
            fix: 'check the trunk URI (host, port), firewalls, and that the carrier/PBX accepts OPTIONS from this host',
          };
    }),
  );
}

/** Every webhook endpoint answers HTTP (HEAD, or POST when HEAD is not allowed). */
export async function checkWebhooks(client: PconnClient, timeoutMs: number): Promise<CheckResult[]> {
  let hooks: Webhook[];
  try {
    hooks = await listAll(client.webhooks.list());
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 403) {
      return [{ name: 'webhooks', status: 'skip', detail: 'listing webhooks needs webhooks:read' }];
    }
    throw error;
  }
  if (hooks.length === 0) return [{ name: 'webhooks', status: 'skip', detail: 'no webhook endpoints' }];
  return Promise.all(
    hooks.map(async (hook): Promise<CheckResult> => {
      const name = `webhook ${hook.id}`;
      try {
        let response = await fetch(hook.url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
        if (response.status === 405 || response.status === 501) {
          // An unsigned POST is refused by a correct receiver (401) — which proves it is up.
          response = await fetch(hook.url, {
            method: 'POST',
            body: '{}',
            signal: AbortSignal.timeout(timeoutMs),
          });
        }
        await response.body?.cancel();
        const ok = response.status < 500;
        return {
          name,
          status: ok ? 'ok' : 'fail',
          detail: `${hook.url} answered ${response.status}`,
          ...(ok ? {} : { fix: 'the receiver is up but failing: check its logs' }),
        };
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        return {
          name,
          status: 'fail',
          detail: `${hook.url} unreachable (${code})`,
          fix: 'check the URL and that the receiver is running',
        };
      }
    }),
  );
}
