import type { Registrar } from '../sip/registrar/index.ts';
import type { IncomingRequest } from '../sip/user-agent/index.ts';

// Fields createResponse copies from the request: the UA writes them itself.
const COPIED = new Set(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq', 'content-length', 'l']);

/**
 * Answers out-of-dialog requests to pconn's SIP address: REGISTER through the registrar,
 * OPTIONS with 200 (keep-alive and monitoring probes), anything else 405 (RFC 3261 §8.2.1).
 */
export function handleOutOfDialog(registrar: Registrar, onError: (error: unknown) => void) {
  return (request: IncomingRequest): void => {
    if (request.method !== 'REGISTER') {
      const status = request.method === 'OPTIONS' ? 200 : 405;
      request.respond(status, status === 200 ? 'OK' : 'Method Not Allowed', { headers: [['Allow', ALLOW]] });
      return;
    }
    registrar.handle(request.message, hostPort(request.source)).then(
      (response) => {
        const headers: Array<[string, string]> = [];
        for (const [name, value] of response.headers)
          if (!COPIED.has(name.toLowerCase())) headers.push([name, value]);
        request.respond(response.status, response.reason, { headers });
      },
      (error: unknown) => {
        onError(error);
        request.respond(500, 'Server Internal Error');
      },
    );
  };
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER';

/** `host:port`, with brackets around an IPv6 host. */
function hostPort(address: { host: string; port: number }): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
