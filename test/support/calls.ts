import type { TestServer } from './test-server.ts';

/** Polls GET /v1/calls/{id} until the call reaches one of `statuses` (throws with the last state after `timeoutMs`). */
export async function waitForCallStatus(
  server: TestServer,
  id: string,
  statuses: string[],
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.request<Record<string, unknown>>('GET', `/v1/calls/${id}`);
    if (statuses.includes(res.body.status as string)) return res.body;
    if (Date.now() > deadline) throw new Error(`call ${id} stuck in ${String(res.body.status)}: ${res.text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
