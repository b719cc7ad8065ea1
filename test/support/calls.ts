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

// Sandbox magic numbers match on their last digits (555-01xx), so the same magic suffix can be
// dialled in zones spread around the globe; together they cover every UTC hour.
const MAGIC_NUMBER_PREFIXES = [
  { prefix: '+1212555', zone: 'America/New_York' },
  { prefix: '+44203555', zone: 'Europe/London' },
  { prefix: '+8135555', zone: 'Asia/Tokyo' },
];

/**
 * A sandbox magic number ending in `suffix` (e.g. '0106') whose zone is now well inside the default
 * 08:00–21:00 calling window (09:00–19:59 local), so a direct call placed by a test is dialled
 * whatever the hour the suite runs at.
 */
export function magicNumberInWindowNow(suffix: string, now = new Date()): string {
  for (const { prefix, zone } of MAGIC_NUMBER_PREFIXES) {
    const hour = Number(
      new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(now),
    );
    if (hour >= 9 && hour < 20) return `${prefix}${suffix}`;
  }
  throw new Error(`no magic number prefix is inside its calling window at ${now.toISOString()}`);
}
