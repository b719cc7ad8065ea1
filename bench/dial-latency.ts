/**
 * dial_latency_p99 (shared/bench.md): time from the 202 to the telephony driver's dial, at a
 * steady 50 calls/s, each call for another contact of a running campaign. The server runs in
 * its own process and reports each dial's epoch time over IPC.
 */
import { startServerProcess } from './support/server-process.ts';

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

const epochNow = () => performance.timeOrigin + performance.now();

/** Runs the measure; returns its report line. */
export async function dialLatency(seconds: number, rate = 50): Promise<string> {
  const node = await startServerProcess<PconnReady>('pconn-node');
  const dialled = new Map<string, number>();
  node.onMessage((message) => {
    if (message.type === 'dial') dialled.set(String(message.callId), Number(message.at));
  });
  const { url, token, contactIds } = node.ready;
  const accepted = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const total = rate * seconds;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = epochNow();
    pending.push(
      fetch(`${url}/v1/campaigns/bench/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contactId: contactIds[i % contactIds.length] }),
      }).then(async (res) => {
        const json = (await res.json()) as { id?: string };
        if (res.status === 202 && json.id) {
          accepted.set(json.id, epochNow());
          sentAt.set(json.id, sent);
        }
      }),
    );
  }
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 2000));
  await node.stop();
  // A dial can start before the client has read its 202 (the dialer is woken by the commit): 0.
  const sorted = (from: Map<string, number>, clampAtZero: boolean) =>
    [...from]
      .flatMap(([id, at]) => {
        const dial = dialled.get(id);
        return dial === undefined ? [] : [clampAtZero ? Math.max(0, dial - at) : dial - at];
      })
      .sort((a, b) => a - b);
  const latencies = sorted(accepted, true);
  const fromRequest = sorted(sentAt, false);
  const pct = (values: number[], q: number) =>
    (values[Math.floor(values.length * q)] ?? Number.NaN).toFixed(1);
  return `dial_latency_p99: ${pct(latencies, 0.99)} ms (goal ≤ 50 ms; ${latencies.length} of ${total} calls dialled at ${rate}/s; from the request being sent: p50 ${pct(fromRequest, 0.5)} ms, p99 ${pct(fromRequest, 0.99)} ms)`;
}
