// A first pconn call with the typed SDK (`pconn/sdk`):
//   PCONN_URL=http://127.0.0.1:8080 PCONN_CLIENT_ID=… PCONN_CLIENT_SECRET=… npx tsx examples/typescript/first-call.ts
// Optional: PCONN_CAMPAIGN (default sandbox-demo) and PCONN_TO (default +12125550100).
// Outside this repository, import from 'pconn/sdk'.
import { PconnApiError, PconnClient } from '../../src/sdk/index.ts';

const client = new PconnClient({
  baseUrl: process.env.PCONN_URL ?? 'http://127.0.0.1:8080',
  clientId: process.env.PCONN_CLIENT_ID ?? '',
  clientSecret: process.env.PCONN_CLIENT_SECRET ?? '',
});

try {
  // The SDK fetches (and refreshes) the token and adds an Idempotency-Key to the POST.
  const call = await client.calls.createForCampaign(process.env.PCONN_CAMPAIGN ?? 'sandbox-demo', {
    contact: {
      externalId: 'example-typescript',
      phoneNumbers: [{ phoneType: 'mobile', number: process.env.PCONN_TO ?? '+12125550100' }],
    },
    reason: 'first call (typescript)',
  });
  console.log(`call ${call.id} queued`);
  const done = await client.calls.waitUntilTerminal(call.id, {
    intervalMs: 200,
    onChange: (c) => console.log(`status: ${c.status}`),
  });
  process.exitCode = done.status === 'completed' ? 0 : 1;
} catch (error) {
  if (!(error instanceof PconnApiError)) throw error;
  // Problems carry everything needed to fix the request.
  console.error(`${error.title} (${error.code}): ${error.detail}`);
  for (const e of error.errors) console.error(`  ${e.pointer}: ${e.detail}${e.hint ? ` — ${e.hint}` : ''}`);
  process.exitCode = 1;
}
