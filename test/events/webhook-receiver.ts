import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/** One request the receiver got, with what it answered. */
export interface ReceivedRequest {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; sequence: number; timestamp: string; data: Record<string, unknown> };
  answered: number;
  /** Secrets whose signature verified (by index in `secrets`). */
  verifiedWith: number[];
}

/**
 * A real webhook receiver on 127.0.0.1: verifies every request's Standard Webhooks signature
 * against the known secrets with the `standardwebhooks` package, records it, and answers what
 * `respond` says (default 204). `stop()`/`resume()` close and reopen the port (receiver down).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Secrets to verify with; a request no secret verifies is recorded in `unverified`. */
  secrets: string[] = [];
  readonly unverified: string[] = [];
  respond: (request: ReceivedRequest) => number = () => 204;
  /** Delay before answering (a slow receiver keeps deliveries in flight). */
  delayMs = 0;
  private server?: Server;
  port = 0;

  /** Starts listening (on the same port after a stop). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
        );
        const verifiedWith: number[] = [];
        this.secrets.forEach((secret, index) => {
          try {
            new StandardWebhook(secret).verify(body, headers);
            verifiedWith.push(index);
          } catch {
            // not this secret
          }
        });
        const record: ReceivedRequest = {
          webhookId: String(req.headers['webhook-id']),
          headers: req.headers,
          body,
          event: JSON.parse(body) as ReceivedRequest['event'],
          answered: 0,
          verifiedWith,
        };
        if (verifiedWith.length === 0) this.unverified.push(record.webhookId);
        record.answered = this.respond(record);
        this.requests.push(record);
        if (this.delayMs > 0) setTimeout(() => res.writeHead(record.answered).end(), this.delayMs);
        else res.writeHead(record.answered).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The URL to register. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Closes the port: deliveries now fail with a connection error. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests answered 2xx. */
  acknowledged(): ReceivedRequest[] {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  /** Waits until `check` holds (polling), or throws with `describe()` after `timeoutMs`. */
  async waitFor(check: () => boolean, timeoutMs: number, describe: () => string = () => ''): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
