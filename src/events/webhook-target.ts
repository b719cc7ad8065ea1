import { lookup } from 'node:dns/promises';
import { addressRefusal, hostRefusal, webhookHostOf } from '../domain/webhook-destination.ts';

/** One address a name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests need no DNS. */
export type WebhookLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address in the resolver's order. */
export const systemLookup: WebhookLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Where one delivery may connect: the addresses that were checked (in order), or why none may be used. */
export type WebhookTarget = { addresses: Array<{ address: string; family: 4 | 6 }> } | { refused: string };

/**
 * Picks the addresses a delivery to `url` may connect to. The name is resolved exactly once and
 * the request is then pinned to the addresses returned here, so a second answer (DNS rebinding:
 * public when checked, loopback when connecting) never gets a say. Unless `allowPrivate`, every
 * resolved address must be public: one private answer refuses the name, since resolvers rotate.
 */
export async function resolveWebhookTarget(
  url: URL,
  options: { allowPrivate: boolean; lookup: WebhookLookup; signal: AbortSignal },
): Promise<WebhookTarget> {
  const host = webhookHostOf(url);
  const hostname = host.kind === 'address' ? host.address : host.name;
  if (!options.allowPrivate) {
    const refusal = hostRefusal(host);
    if (refusal) return { refused: `refused: ${refusal}` };
  }
  if (host.kind === 'address') return { addresses: [{ address: host.address, family: host.family }] };
  const addresses = await abortable(options.lookup(hostname), options.signal);
  if (addresses.length === 0) return { refused: `refused: ${hostname} resolves to no address` };
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const refusal = addressRefusal(address);
      if (refusal)
        return { refused: `refused: ${hostname} resolves to a special-purpose address: ${refusal}` };
    }
  }
  // All of them, not only the first: node's happy eyeballs (autoSelectFamily) may then still fall
  // back from a broken IPv6 route to IPv4, as it would with its own lookup.
  return {
    addresses: addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 })),
  };
}

/** `promise`, or a rejection with the signal's reason once it aborts (a lookup cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
