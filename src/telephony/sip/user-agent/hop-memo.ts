import type { DialogState } from '../dialog/dialog-state.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';

/**
 * Where a dialog's URIs lead (the UA's nextHop, which parses the URI), remembered per URI: a
 * dialog asks for its remote target and first route hop for every message it sends or checks,
 * and they change only on a target refresh. Holds a few URIs at most.
 */
export class HopMemo {
  readonly #hops = new Map<string, RemoteAddress | undefined>();

  constructor(private readonly resolve: (uri: string) => RemoteAddress | undefined) {}

  /** Where `uri` leads (RFC 3261 §8.1.2); the returned address is shared: read-only. */
  hop(uri: string): RemoteAddress | undefined {
    if (this.#hops.has(uri)) return this.#hops.get(uri);
    if (this.#hops.size >= 4) this.#hops.clear();
    const hop = this.resolve(uri);
    this.#hops.set(uri, hop);
    return hop;
  }

  /** Where the dialog's next request goes: its first route, else its remote target (§12.2.1.1). */
  nextHop(state: DialogState): RemoteAddress | undefined {
    return this.hop(state.route().nextHop);
  }
}
