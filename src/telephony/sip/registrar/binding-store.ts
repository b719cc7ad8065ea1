/** One registered contact of an address-of-record (RFC 3261 §10.3 step 7). */
export interface Binding {
  /** The Contact URI, as registered (where requests for the AOR go). */
  contact: string;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** Call-ID and CSeq of the REGISTER that last wrote it, to drop reordered requests. */
  callId: string;
  cseq: number;
  /** q value (preference), default 1. */
  q: number;
  /** When it was last refreshed; the newest wins among equal q. */
  updatedAt: number;
}

/** A change one REGISTER asks for: a contact with its granted expiry (0 = remove). */
export interface BindingChange {
  contact: string;
  expiresSeconds: number;
  q: number;
}

/**
 * What one accepted REGISTER left for an AOR, refreshes included: the bindings it added or
 * refreshed (as now stored) and the contacts it removed. The registrar's owner mirrors it
 * where other nodes can see who holds the phone.
 */
export interface BindingsWritten {
  aor: string;
  saved: Binding[];
  removed: string[];
  /** `Contact: *` with Expires 0 (every binding of the AOR goes). */
  removedAll: boolean;
  /** The phone's `host:port`, when the caller said. */
  source?: string;
}

/**
 * In-memory location service: AOR → contact → binding. Expired bindings are dropped lazily on
 * every read (RFC 3261 §10.3: a binding "ceases to exist" at its expiry), so no timer is needed.
 */
export class BindingStore {
  private readonly aors = new Map<string, Map<string, Binding>>();

  /** `now`: the clock in ms (tests pass a fake one). */
  constructor(readonly now: () => number = Date.now) {}

  /** The live bindings of an AOR, best first (highest q, then most recently refreshed). */
  current(aor: string): Binding[] {
    const bindings = this.aors.get(aor);
    if (!bindings) return [];
    const now = this.now();
    for (const [contact, binding] of bindings) if (binding.expiresAt <= now) bindings.delete(contact);
    if (bindings.size === 0) this.aors.delete(aor);
    return [...bindings.values()].sort((a, b) => b.q - a.q || b.updatedAt - a.updatedAt);
  }

  /**
   * Applies the changes of one REGISTER (RFC 3261 §10.3 step 7): for a contact already bound,
   * a request with the same Call-ID and a CSeq not higher than the stored one is out of order
   * and ignored; otherwise the binding is replaced, or removed when its expiry is 0. Returns
   * the contacts that were not bound before and the ones removed (refreshes are neither).
   */
  apply(
    aor: string,
    callId: string,
    cseq: number,
    changes: readonly BindingChange[],
  ): { added: string[]; removed: string[] } {
    const now = this.now();
    const added: string[] = [];
    const removed: string[] = [];
    this.current(aor); // drops lapsed bindings first, so a contact back after expiry counts as added
    let bindings = this.aors.get(aor);
    if (!bindings) {
      bindings = new Map();
      this.aors.set(aor, bindings);
    }
    for (const change of changes) {
      const existing = bindings.get(change.contact);
      if (existing && existing.callId === callId && cseq <= existing.cseq) continue;
      if (change.expiresSeconds === 0) {
        if (bindings.delete(change.contact)) removed.push(change.contact);
      } else {
        if (!existing) added.push(change.contact);
        bindings.set(change.contact, {
          contact: change.contact,
          expiresAt: now + change.expiresSeconds * 1000,
          callId,
          cseq,
          q: change.q,
          updatedAt: now,
        });
      }
    }
    if (bindings.size === 0) this.aors.delete(aor);
    return { added, removed };
  }

  /** Removes every binding of an AOR (`Contact: *` with Expires 0, RFC 3261 §10.2.2); returns their contacts. */
  removeAll(aor: string): string[] {
    const removed = this.current(aor).map((binding) => binding.contact);
    this.aors.delete(aor);
    return removed;
  }

  /** Number of AORs with at least one binding (metrics, tests). */
  get size(): number {
    return this.aors.size;
  }
}
