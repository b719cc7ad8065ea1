// A webhook receiver for pconn events that verifies Standard Webhooks signatures
// (webhook-id, webhook-timestamp, webhook-signature; HMAC-SHA256 over "id.timestamp.body").
//   PCONN_WEBHOOK_SECRET=whsec_… PORT=3000 npx tsx examples/webhook-receiver/receiver.ts
// Register it: PUT /v1/webhooks/crm {"url":"https://your-host/pconn","events":["call.*"]} — the
// answer carries the secret once.
import { createServer, type Server } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The event body pconn sends (same as the SSE `data`). */
export interface PconnWebhookEvent {
  id: string;
  type: string;
  timestamp: string;
  sequence: number;
  data: Record<string, unknown>;
}

/**
 * An HTTP server that accepts POSTs whose signature verifies against `secret` (answering 204)
 * and refuses the rest with 401 — a forged, altered or replayed (older than 5 minutes) event
 * never reaches `onEvent`. Delivery ids repeat on retries: dedupe on `event.id`.
 */
export function createReceiver(secret: string, onEvent: (event: PconnWebhookEvent) => void): Server {
  const verifier = new Webhook(secret);
  const seen = new Set<string>();
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST') {
        response.writeHead(request.method === 'HEAD' ? 200 : 405).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let event: PconnWebhookEvent;
      try {
        // Verify the raw body as received: re-serialised JSON would not match the signature.
        event = verifier.verify(body, request.headers as Record<string, string>) as PconnWebhookEvent;
      } catch (error) {
        const reason = error instanceof WebhookVerificationError ? error.message : 'unreadable payload';
        response.writeHead(401, { 'content-type': 'text/plain' }).end(`signature rejected: ${reason}`);
        return;
      }
      if (!seen.has(event.id)) {
        seen.add(event.id);
        onEvent(event);
      }
      response.writeHead(204).end();
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.PCONN_WEBHOOK_SECRET;
  if (!secret) {
    console.error('set PCONN_WEBHOOK_SECRET to the whsec_… secret pconn returned for the endpoint');
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 3000);
  createReceiver(secret, (event) => console.log(`${event.timestamp} ${event.type} ${event.id}`)).listen(
    port,
    () => console.log(`listening on :${port}`),
  );
}
