import { randomInt } from 'node:crypto';
import { parseSdp, type SessionDescription, serializeSdp } from './session-description.ts';

/**
 * Our side of one SDP session towards one peer. A third-party controller relays descriptions
 * that originate elsewhere, but towards each peer it must look like one consistent session:
 * same o= username and session id, version incremented on every new description (RFC 3264 §8,
 * RFC 3725 §4: the controller "re-writes" the origin of what it forwards).
 */
export class SdpSession {
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = randomInt(1, 2 ** 31);

  constructor(private readonly address = '0.0.0.0') {}

  /** `sdp` with our origin and the next version: what this peer should receive from us. */
  stamp(sdp: SessionDescription): string {
    this.version += 1;
    const addrType = this.address.includes(':') ? 'IP6' : 'IP4';
    return serializeSdp({
      ...sdp,
      origin: {
        username: 'pconn',
        sessionId: this.sessionId,
        version: String(this.version),
        netType: 'IN',
        addrType,
        address: this.address,
      },
    });
  }

  /** Like `stamp`, from a body received from the other peer; undefined when it is not SDP. */
  relay(body: string | Uint8Array): string | undefined {
    const parsed = parseSdp(body);
    return parsed && this.stamp(parsed);
  }
}
