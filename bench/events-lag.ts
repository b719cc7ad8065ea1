/**
 * events_lag_p99 (shared/bench.md): time from a call's state change (the event's timestamp) to
 * its signed webhook being received by a local receiver, at a steady 50 calls/s. pconn runs in
 * its own process (bench/servers/pconn-node.ts) so the receiver and the load generator do not
 * share its event loop; both clocks are the same machine's epoch time. As dial_latency_p99 does,
 * the load runs WARM_UP_SECONDS at the same rate before the measured seconds, and those calls'
 * events are not counted: a fresh node's first calls wait for its statements' first plans, its
 * JIT and its first connections to the receiver (their events' lags were most of a run's 25
 * slowest: 250–320 ms in its first half second, against ~170 ms at worst after it). Their p99
 * is printed beside the figure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServerProcess } from './support/server-process.ts';

const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 50);
// queued, dialing_user, dialing_contact, connected, completed: the sandbox number answers at once.
const EVENTS_PER_CALL = 5;
/** Seconds of load before the measured ones, not counted (see above). */
const WARM_UP_SECONDS = 2;

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

/** Runs the measure for `seconds` of load and returns the bench line. */
export async function eventsLag(seconds: number): Promise<string> {
  /** Each event's call and lag, split once the run is over: a first event can beat its call's 202 here. */
  const arrivals: Array<{ callId: string; lag: number }> = [];
  /** The warm-up's calls, by id (from their 202s). */
  const warmUpCalls = new Set<string>();
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: string;
        timestamp: string;
        data: { call?: { id?: string } };
      };
      if (!seen.has(event.id)) {
        seen.add(event.id);
        arrivals.push({ callId: event.data.call?.id ?? '', lag: received - Date.parse(event.timestamp) });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const warmUp = RATE * WARM_UP_SECONDS;
  const total = warmUp + RATE * seconds;
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
      })
        .then((res) => res.json() as Promise<{ id?: string }>)
        .then((call) => {
          if (i < warmUp && call.id) warmUpCalls.add(call.id);
        }),
    );
  }
  await Promise.all(pending);
  // Let the last calls finish and their events arrive (bounded).
  const expected = total * EVENTS_PER_CALL;
  const deadline = Date.now() + 20_000;
  while (seen.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await node.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  const lagsOf = (warm: boolean) =>
    arrivals
      .filter((arrival) => warmUpCalls.has(arrival.callId) === warm)
      .map((arrival) => arrival.lag)
      .sort((a, b) => a - b);
  const lags = lagsOf(false);
  const pct = (sorted: number[], q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
  const measured = (total - warmUp) * EVENTS_PER_CALL;
  return `events_lag_p99: ${pct(lags, 0.99)} ms (goal ≤ 250 ms; ${lags.length} of ${measured} call events received from ${total - warmUp} calls at ${RATE}/s after ${WARM_UP_SECONDS} s of warm-up (its p99 ${pct(lagsOf(true), 0.99)} ms, not counted); p50 ${pct(lags, 0.5)} ms, max ${lags.at(-1) ?? Number.NaN} ms; server in its own process)`;
}
