import { type Clock, systemClock } from '../../domain/clock.ts';
import type { OutOfDialogRequestOptions, RequestResult } from '../sip/user-agent/index.ts';
import type { TrunkRoute } from './sip-directory.ts';

/** What the last OPTIONS probe of a trunk told (RFC 3261 §11). */
export interface TrunkHealth {
  trunkId: string;
  uri: string;
  /** Any final response proves the trunk alive, even 401/404/405; a timeout does not. */
  reachable: boolean;
  /** Final status of the last probe (408/503 when it timed out or could not be sent). */
  status: number;
  reason: string;
  /** Round-trip time of the last answered probe, ms. */
  rttMs?: number;
  /** When the last probe ended (epoch ms). */
  checkedAt: number;
}

/** What the keep-alive needs from the driver. */
export interface TrunkKeepaliveDeps {
  /** Sends an out-of-dialog request (the user agent's `request`). */
  request: (options: OutOfDialogRequestOptions) => Promise<RequestResult>;
  /** Every configured trunk, across tenants. */
  trunks: () => Promise<TrunkRoute[]>;
  intervalMs: number;
  /** Called when a trunk's reachability changes, including its first probe. */
  onChange: (health: TrunkHealth) => void;
  onError: (error: unknown) => void;
  /** Stamps `checkedAt`; the system clock when absent. */
  clock?: Clock;
}

/**
 * Probes every configured trunk with OPTIONS every `intervalMs` (RFC 3261 §11; DESIGN.md
 * "OPTIONS keepalive") and keeps each one's reachability and round-trip time, so that a trunk
 * that stopped answering is noticed before calls fail on it. One probe per trunk at a time: a
 * silent trunk holds its probe for Timer F (64·T1), not one more per interval.
 */
export class TrunkKeepalive {
  readonly #deps: TrunkKeepaliveDeps;
  readonly #health = new Map<string, TrunkHealth>();
  readonly #probing = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: TrunkKeepaliveDeps) {
    this.#deps = deps;
  }

  /** Probes now, then every interval. */
  start(): void {
    this.#tick();
  }

  /** Stops probing (probes in flight end with the user agent). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** The last known health of every probed trunk. */
  health(): TrunkHealth[] {
    return [...this.#health.values()];
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#deps.trunks().then(
      (trunks) => {
        for (const trunk of trunks) if (!this.#probing.has(trunk.id)) void this.#probe(trunk);
        // Trunks deleted since the last round are forgotten.
        const ids = new Set(trunks.map((trunk) => trunk.id));
        for (const id of this.#health.keys()) if (!ids.has(id)) this.#health.delete(id);
      },
      (error: unknown) => this.#deps.onError(error),
    );
    if (!this.#stopped) this.#timer = setTimeout(() => this.#tick(), this.#deps.intervalMs).unref();
  }

  async #probe(trunk: TrunkRoute): Promise<void> {
    this.#probing.add(trunk.id);
    try {
      const result = await this.#deps.request({
        method: 'OPTIONS',
        target: trunk.uri,
        ...(trunk.username && trunk.password
          ? { credentials: { username: trunk.username, password: trunk.password } }
          : {}),
      });
      if (this.#stopped) return;
      const reachable = !result.timeout && !result.transportError;
      const health: TrunkHealth = {
        trunkId: trunk.id,
        uri: trunk.uri,
        reachable,
        status: result.status,
        reason: result.reason,
        ...(reachable ? { rttMs: result.rttMs } : {}),
        checkedAt: (this.#deps.clock ?? systemClock).now().getTime(),
      };
      const before = this.#health.get(trunk.id);
      this.#health.set(trunk.id, health);
      if (before?.reachable !== reachable || before.uri !== trunk.uri) this.#deps.onChange(health);
    } catch (error) {
      this.#deps.onError(error);
    } finally {
      this.#probing.delete(trunk.id);
    }
  }
}
