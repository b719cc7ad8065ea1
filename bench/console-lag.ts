/**
 * console_lag_p99 (issue 18): time from a call event (its `timestamp`, written when the call's
 * state changed) to the web console's dashboard showing it in its DOM, in Chromium, at a steady
 * 50 calls/s on the sandbox; goal ≤ 1 s. pconn runs in its own process (bench/servers/
 * pconn-node.ts). The dashboard counts the events it applied (`data-events-seen`); a
 * MutationObserver in the page notes when each count reached the DOM, and this process reads
 * the same stream (GET /v1/events, same order) for each event's timestamp: event k's lag is
 * when the count first reached k minus its timestamp. All clocks are this machine's epoch time.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { buildConsole } from '../bin/build-console.js';
import { PconnClient } from '../src/sdk/index.ts';
import { BenchUnavailable } from './support/bench-unavailable.ts';
import { startServerProcess } from './support/server-process.ts';

const RATE = Number(process.env.BENCH_CONSOLE_RATE ?? 50);
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'bench-console-password';

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

// Runs in the page (through the DevTools protocol, which the console's CSP does not govern).
const OBSERVE = `(() => {
  const el = document.querySelector('[data-events-seen]');
  window.__seen = [];
  new MutationObserver(() => {
    window.__seen.push([Number(el.getAttribute('data-events-seen')), Date.now()]);
  }).observe(el, { attributes: true, attributeFilter: ['data-events-seen'] });
})()`;

/** Runs the measure for `seconds` of load and returns the bench line. */
export async function consoleLag(seconds: number): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new BenchUnavailable(`console_lag_p99: not measured (no ${CHROMIUM})`);
  await buildConsole();
  const total = RATE * seconds;
  const node = await startServerProcess<PconnReady>('pconn-node', { BENCH_CONTACTS: String(total + 1) });
  const { url, token, contactIds } = node.ready;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const set = await api('POST', '/v1/users/admin/password', { password: PASSWORD });
  if (set.status !== 204) throw new Error(`console password: ${set.status} ${await set.text()}`);

  // This process's own copy of the stream: the timestamps, in the order the page sees them.
  const stop = new AbortController();
  const stamps: number[] = [];
  const client = new PconnClient({ baseUrl: url, tokens: { get: async () => token, invalidate: () => {} } });
  const streaming = (async () => {
    try {
      for await (const event of client.events({ signal: stop.signal }))
        stamps.push(Date.parse(event.timestamp));
    } catch {
      // aborted at the end
    }
  })();

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/console/`);
    await page.getByLabel('User', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-events-seen]').waitFor({ timeout: 30_000 });
    await page.evaluate(OBSERVE);
    // One call first: once the page counted its first event, both streams are open.
    const call = (i: number) =>
      api('POST', '/v1/campaigns/bench/calls', { contactId: contactIds[i % contactIds.length] }).then((r) =>
        r.text(),
      );
    await call(total);
    await page.waitForFunction(
      () => ((globalThis as unknown as { __seen: unknown[] }).__seen.length ?? 0) > 0,
      undefined,
      { timeout: 30_000 },
    );
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(call(i));
    }
    await Promise.all(pending);
    // Let the last calls finish and their events reach the page (bounded).
    const deadline = Date.now() + 20_000;
    let seen: Array<[number, number]> = [];
    while (Date.now() < deadline) {
      seen = (await page.evaluate('window.__seen')) as Array<[number, number]>;
      const shown = seen.at(-1)?.[0] ?? 0;
      if (shown >= stamps.length && stamps.length >= (total + 1) * 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const lags: number[] = [];
    let cursor = 0;
    for (let k = 1; k <= stamps.length; k++) {
      while (cursor < seen.length && (seen[cursor]?.[0] ?? 0) < k) cursor++;
      const at = seen[cursor]?.[1];
      if (at !== undefined) lags.push(at - (stamps[k - 1] ?? at));
    }
    lags.sort((a, b) => a - b);
    const pct = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? Number.NaN;
    return `console_lag_p99: ${pct(0.99)} ms (goal ≤ 1000 ms; ${lags.length} of ${stamps.length} events shown by the dashboard from ${total} calls at ${RATE}/s; p50 ${pct(0.5)} ms, max ${lags.at(-1) ?? Number.NaN} ms; Chromium, server in its own process)`;
  } finally {
    stop.abort();
    await browser.close();
    await streaming;
    await node.stop();
  }
}
