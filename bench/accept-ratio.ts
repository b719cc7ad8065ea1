/**
 * accept_ratio (shared/bench.md): accepted `POST /v1/campaigns/{id}/calls` per second — auth,
 * validation, Idempotency-Key, audit, durable insert on the embedded store — ÷ a bare Fastify
 * route answering 202, both servers in their own process and loaded the same way in one run.
 */
import autocannon from 'autocannon';
import { startServerProcess } from './support/server-process.ts';

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

async function load(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string>,
  body: (i: number) => string,
  extraHeaders: (i: number) => Record<string, string> = () => ({}),
): Promise<{ rps: number; errors: number; non2xx: number }> {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          return { ...req, headers: { ...req.headers, ...extraHeaders(i) }, body: body(i) };
        },
      },
    ],
  });
  return { rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

/** Runs the measure; returns its report line. */
export async function acceptRatio(seconds: number, connections = 50): Promise<string> {
  const bare = await startServerProcess<{ url: string }>('bare-fastify');
  const callBody = (contactId: string) => JSON.stringify({ contactId, reason: 'bench' });
  const baseline = await load(
    `${bare.ready.url}/v1/campaigns/bench/calls`,
    connections,
    seconds,
    { 'content-type': 'application/json' },
    () => callBody('contact_01m8dw437w5afy5nht3sdjsqy4'),
  );
  await bare.stop();
  const node = await startServerProcess<PconnReady>('pconn-node', { PCONN_DIALER: 'off' });
  const { url, token, contactIds } = node.ready;
  const ours = await load(
    `${url}/v1/campaigns/bench/calls`,
    connections,
    seconds,
    { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    (i) => callBody(contactIds[i % contactIds.length] ?? ''),
    (i) => ({ 'idempotency-key': `k-${process.pid}-${i}` }),
  );
  await node.stop();
  const ratio = ours.rps / baseline.rps;
  return `accept_ratio: ${ratio.toFixed(3)} (goal ≥ 0.25; pconn ${ours.rps.toFixed(0)} req/s with ${ours.non2xx} non-2xx and ${ours.errors} errors, bare Fastify ${baseline.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each, servers in their own processes)`;
}
