import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { FrameClock } from './frame-clock.ts';
import { type PortRange, RtpPortAllocator, RtpPortsExhaustedError } from './port-allocator.ts';
import { RtpLeg, type RtpLegOptions } from './rtp-leg.ts';

/**
 * The media side of a node: a port range, the address written into SDP and one FrameClock for
 * every leg. `openLeg` binds a port pair and returns the leg; closing the leg frees the pair.
 */

/** Endpoint settings: the port range and the address to announce (the embedding service maps its settings onto them). */
export interface RtpEndpointOptions {
  /** Default 20000–29999. */
  ports?: PortRange;
  /** Address the sockets bind to; default 0.0.0.0. */
  bindAddress?: string;
  /**
   * Address written into SDP (behind NAT, the public one). Defaults
   * to the bind address, so it must be given when binding 0.0.0.0: 0.0.0.0 in SDP means hold.
   */
  publicAddress?: string;
  /** RTCP report interval (RFC 3550 §6.2 recommends 5 s minimum); default 5000 ms. */
  rtcpIntervalMs?: number;
  /** Wall clock for RTCP NTP timestamps (ms since 1970). */
  wallClockMs?: () => number;
  /** Shared tick; one per endpoint by default. */
  clock?: FrameClock;
}

/** The default port range: 5,000 even/odd pairs. */
export const DEFAULT_RTP_PORTS: PortRange = { min: 20000, max: 29999 };

/** Attempts at binding a pair another process holds before giving up. */
const BIND_ATTEMPTS = 16;

/** Opens media legs on a node. */
export class RtpEndpoint {
  readonly ports: RtpPortAllocator;
  readonly clock: FrameClock;
  private readonly bindAddress: string;
  private readonly publicAddress: string;
  private readonly cnamePrefix = randomBytes(6).toString('hex');
  private readonly legs = new Set<RtpLeg>();
  private counter = 0;

  constructor(private readonly options: RtpEndpointOptions = {}) {
    this.ports = new RtpPortAllocator(options.ports ?? DEFAULT_RTP_PORTS);
    this.clock = options.clock ?? new FrameClock(20);
    this.bindAddress = options.bindAddress ?? '0.0.0.0';
    this.publicAddress = options.publicAddress ?? this.bindAddress;
  }

  /** Legs open now. */
  get openLegs(): number {
    return this.legs.size;
  }

  /**
   * Binds a free port pair and starts a leg on it. Rejects with RtpPortsExhaustedError when
   * the range is used up (pairs held by other processes are skipped).
   */
  async openLeg(options: RtpLegOptions = {}): Promise<RtpLeg> {
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const port = this.ports.allocate();
      const sockets = await this.bindPair(port);
      if (!sockets) {
        this.ports.release(port);
        continue;
      }
      const leg: RtpLeg = new RtpLeg(
        {
          rtp: sockets[0],
          rtcp: sockets[1],
          clock: this.clock,
          localAddress: this.publicAddress,
          cname: `pconn-${this.cnamePrefix}-${++this.counter}`,
          rtcpIntervalMs: this.options.rtcpIntervalMs ?? 5000,
          wallClockMs: this.options.wallClockMs ?? (() => performance.timeOrigin + performance.now()),
          release: () => {
            this.legs.delete(leg);
            this.ports.release(port);
          },
        },
        options,
      );
      this.legs.add(leg);
      return leg;
    }
    throw new RtpPortsExhaustedError(this.ports.range, this.ports.inUse);
  }

  /** Closes every leg. */
  async close(): Promise<void> {
    await Promise.all([...this.legs].map((leg) => leg.close()));
  }

  /** Both sockets of a pair, or undefined when either port is taken by someone else. */
  private async bindPair(port: number): Promise<[Socket, Socket] | undefined> {
    const rtp = await this.bind(port);
    if (!rtp) return undefined;
    const rtcp = await this.bind(port + 1);
    if (!rtcp) {
      rtp.close();
      return undefined;
    }
    return [rtp, rtcp];
  }

  private bind(port: number): Promise<Socket | undefined> {
    const socket = createSocket({ type: this.bindAddress.includes(':') ? 'udp6' : 'udp4' });
    return new Promise((resolve) => {
      socket.once('error', () => {
        socket.close();
        resolve(undefined);
      });
      socket.bind({ port, address: this.bindAddress, exclusive: true }, () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });
  }
}
