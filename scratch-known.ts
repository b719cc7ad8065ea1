import { sql } from 'kysely';
import { STORE_KINDS } from './test/support/store-kinds.ts';
import { updateCallsForTransition } from './src/store/calls/transition-call.ts';
import { lockCalls } from './src/store/calls/attempt-batches.ts';
import type { CallRow } from './src/store/calls/call-rows.ts';
import { stopTestPostgres } from './test/support/postgres-server.ts';
const kindWanted = process.argv[2] ?? 'pglite';
const [, open] = STORE_KINDS.find(([k]) => k === kindWanted)!;
const { store, drop } = await open();
const db = store.db;
const now = new Date();
await sql`insert into tenants (id, name) values ('t', 'T')`.execute(db);
const N = 6000;
const decision = JSON.stringify({ allowed: true, rules: Array.from({ length: 6 }, (_, i) => ({ rule: `rule_${i}`, result: 'pass', detail: 'x'.repeat(60) })) });
await sql`insert into calls (tenant_id, id, kind, to_number, status, outside_window, next_attempt_at, metadata, attempts_made, lease_owner, leased_until, user_id, created_at, updated_at, trace_context, caller_id)
  select 't', 'call_' || lpad(g::text, 6, '0'), 'campaign', '+12125550100', 'dialing_user', 'reject', ${now}, '{"crm":"abc","ticket":12345,"note":"a note of some length here"}'::jsonb, 1, 'me', ${now}, 'agent', ${now}, ${now}, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '+14155550100' from generate_series(1, ${N}) g`.execute(db);
await sql`insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver)
  select 't', 'call_' || lpad(g::text, 6, '0'), 1, 'agent', ${now}, ${decision}::json, 'sip' from generate_series(1, ${N}) g`.execute(db);
await sql`analyze`.execute(db);
const B = 50;
const ids = Array.from({ length: N }, (_, i) => `call_${String(i + 1).padStart(6, '0')}`);
let copies = await db.transaction().execute((tx) => lockCalls(tx, ids.map((callId) => ({ tenantId: 't', callId }))));
const t = { whole: 0, known: 0 };
const steps: [string, string][] = [['dialing_contact', 'dialing_user'], ['connected', 'dialing_contact'], ['completed', 'connected']];
for (const [status, from] of steps) {
  const next = new Map<string, CallRow>();
  for (let b = 0; b < N; b += 2 * B) {
    for (const [label, part] of [['whole', ids.slice(b, b + B)], ['known', ids.slice(b + B, b + 2 * B)]] as const) {
      const s = performance.now();
      const answers = await db.transaction().execute((tx) => updateCallsForTransition(tx, part.map((id) => ({ tenantId: 't', id, status, changes: { waiting_for_agent: false }, from: [from], ...(label === 'known' ? { known: copies.get(`t/${id}`) } : {}) })), now));
      t[label] += performance.now() - s;
      answers.forEach((a) => { if (!a) throw new Error('missed'); next.set(`t/${a.row.id}`, a.row); });
    }
  }
  copies = next;
}
const rows = (N / 2) * steps.length;
console.log(kindWanted, `µs a row: whole ${(1000 * t.whole / rows).toFixed(1)}, known ${(1000 * t.known / rows).toFixed(1)}`);
await store.close(); await drop(); await stopTestPostgres();
