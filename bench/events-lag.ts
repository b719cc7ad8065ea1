/**
 * events_lag_p99 (shared/bench.md): time from a call's state change (the event's timestamp) to
 * its signed webhook being received by a local receiver, at a steady 50 calls/s. pconn runs in
 * its own process (bench/servers/pconn-node.ts) so the receiver and the load generator do not
 * share its event loop; both clocks are the same machine's epoch time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServerProcess } from './support/server-process.ts';

const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 50);
// queued, dialing_user, dialing_contact, connected, completed: the sandbox number answers at once.
const EVENTS_PER_CALL = 5;

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

/** Runs the measure for `seconds` of load and returns the bench line. */
export async function eventsLag(seconds: number): Promise<string> {
  const lags: number[] = [];
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; timestamp: string };
      if (!seen.has(event.id)) {
        seen.add(event.id);
        lags.push(received - Date.parse(event.timestamp));
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const total = RATE * seconds;
  const node = await startServerProcess<PconnReady>('pconn-node', {
    PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
    BENCH_CONTACTS: String(total),
  });
  const { url, token, contactIds } = node.ready;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const hook = await fetch(`${url}/v1/webhooks/bench`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ url: hookUrl, events: ['call.*'] }),
  });
  if (hook.status >= 400) throw new Error(`webhook endpoint: ${hook.status} ${await hook.text()}`);
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      fetch(`${url}/v1/campaigns/bench/calls`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ contactId: contactIds[i % contactIds.length] }),
      }).then((res) => res.text()),
    );
  }
  await Promise.all(pending);
  // Let the last calls finish and their events arrive (bounded).
  const expected = total * EVENTS_PER_CALL;
  const deadline = Date.now() + 20_000;
  while (seen.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await node.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  lags.sort((a, b) => a - b);
  const pct = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? Number.NaN;
  return `events_lag_p99: ${pct(0.99)} ms (goal ≤ 250 ms; ${lags.length} of ${expected} call events received from ${total} calls at ${RATE}/s; p50 ${pct(0.5)} ms, max ${lags.at(-1) ?? Number.NaN} ms; server in its own process)`;
}
