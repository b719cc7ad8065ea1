import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { decodeG711, encodeG711, type G711Codec } from '../../src/media/g711.ts';
import { parseRtcp, type RtcpCompound } from '../../src/telephony/rtp/rtcp-packet.ts';
import { parseRtp, type RtpPacket, serializeRtp } from '../../src/telephony/rtp/rtp-packet.ts';

/**
 * A small RTP peer for tests: a phone or carrier on the far side of a leg. It binds an RTP port
 * and the RTCP port above it on 127.0.0.1, sends PCM as 20 ms G.711 packets (its own pacing,
 * not the endpoint's FrameClock), sends RFC 4733 digits and raw datagrams, and records what it
 * receives so a test can decode and compare it. Later driven by sipp's signalling in e2e tests.
 */

/** A transport address. */
export interface PeerAddress {
  address: string;
  port: number;
}

/** One packet received, with when (performance.now) and from where. */
export interface ReceivedPacket {
  packet: RtpPacket;
  at: number;
  from: PeerAddress;
}

const SAMPLES = 160;

/** Binds a socket on 127.0.0.1:`port` (0: any); undefined when the port is taken. */
function bindUdp(port: number): Promise<Socket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** The test peer. */
export class RtpPeer {
  readonly received: ReceivedPacket[] = [];
  readonly rtcpReceived: RtcpCompound[] = [];
  readonly ssrc = randomInt(1, 2 ** 32 - 1);
  private sequence = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 2 ** 32);

  private constructor(
    readonly rtp: Socket,
    readonly rtcp: Socket,
    readonly codec: G711Codec,
  ) {
    rtp.on('message', (data, from) => {
      const parsed = parseRtp(Buffer.from(data));
      if (parsed.ok) this.received.push({ packet: parsed.packet, at: performance.now(), from });
    });
    rtcp.on('message', (data) => {
      const parsed = parseRtcp(data);
      if (parsed.ok) this.rtcpReceived.push(parsed.compound);
    });
  }

  /** Opens a peer on an even port pair of 127.0.0.1. */
  static async open(codec: G711Codec = 'PCMU'): Promise<RtpPeer> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = 2 * randomInt(20_000, 30_000);
      const rtp = await bindUdp(port);
      if (!rtp) continue;
      const rtcp = await bindUdp(port + 1);
      if (rtcp) return new RtpPeer(rtp, rtcp, codec);
      rtp.close();
    }
    throw new Error('no free port pair for the RTP test peer');
  }

  /** This peer's RTP address. */
  get address(): PeerAddress {
    return { address: '127.0.0.1', port: this.rtp.address().port };
  }

  /** The payload type of this peer's codec. */
  get payloadType(): number {
    return this.codec === 'PCMU' ? 0 : 8;
  }

  /** Builds the next audio packet of `frame` (advancing sequence and timestamp). */
  nextPacket(frame: Int16Array): Buffer {
    const packet = serializeRtp({
      payloadType: this.payloadType,
      sequence: this.sequence,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      payload: encodeG711(this.codec, frame),
    });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + frame.length) >>> 0;
    return packet;
  }

  /** Sends a raw datagram to `to`. */
  sendRaw(data: Uint8Array, to: PeerAddress, from: 'rtp' | 'rtcp' = 'rtp'): Promise<void> {
    const socket = from === 'rtp' ? this.rtp : this.rtcp;
    return new Promise((resolve, reject) =>
      socket.send(data, to.port, to.address, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Sends `pcm` to `to` as 20 ms packets, each due at start + k·`frameMs` (default 20: real
   * time; less sends faster, for analysis tests); `between` runs after each packet (fuzz tests
   * interleave garbage there).
   */
  async sendAudio(
    pcm: Int16Array,
    to: PeerAddress,
    between?: (k: number) => Promise<void>,
    frameMs = 20,
  ): Promise<number> {
    const start = performance.now();
    let k = 0;
    for (let offset = 0; offset < pcm.length; offset += SAMPLES, k++) {
      const frame = new Int16Array(SAMPLES);
      frame.set(pcm.subarray(offset, offset + SAMPLES));
      await this.sendRaw(this.nextPacket(frame), to);
      await between?.(k);
      const wait = start + (k + 1) * frameMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return k;
  }

  /**
   * Sends one RFC 4733 digit: packets every 50 ms with growing duration, then the end packet
   * three times (§2.5.1.4), all with the event's start timestamp.
   */
  async sendDigit(digit: string, to: PeerAddress, durationMs = 100, eventPayloadType = 101): Promise<void> {
    const event = '0123456789*#ABCD'.indexOf(digit);
    if (event < 0) throw new Error(`not a DTMF digit: ${digit}`);
    const start = this.timestamp;
    const packet = (duration: number, end: boolean, marker: boolean) => {
      const payload = Uint8Array.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
      const out = serializeRtp({
        payloadType: eventPayloadType,
        marker,
        sequence: this.sequence,
        timestamp: start,
        ssrc: this.ssrc,
        payload,
      });
      this.sequence = (this.sequence + 1) & 0xffff;
      return out;
    };
    for (let at = 0; at < durationMs; at += 50) {
      await this.sendRaw(packet(at * 8, false, at === 0), to);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let i = 0; i < 3; i++) await this.sendRaw(packet(durationMs * 8, true, false), to);
    this.timestamp = (this.timestamp + durationMs * 8) >>> 0;
  }

  /** Audio received so far, decoded in arrival order. */
  decoded(): Int16Array {
    const audio = this.received.filter((r) => r.packet.payloadType === 0 || r.packet.payloadType === 8);
    const out = new Int16Array(audio.reduce((n, r) => n + r.packet.payload.length, 0));
    let offset = 0;
    for (const { packet } of audio) {
      out.set(decodeG711(packet.payloadType === 0 ? 'PCMU' : 'PCMA', packet.payload), offset);
      offset += packet.payload.length;
    }
    return out;
  }

  /** Closes both sockets. */
  close(): Promise<void> {
    const shut = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));
    return Promise.all([shut(this.rtp), shut(this.rtcp)]).then(() => undefined);
  }
}

/**
 * A relay between two RTP addresses for injecting loss and reordering: datagrams from `a` go
 * to `b` through `decide` (by index), datagrams from `b` go to `a` unchanged. Each side sees
 * the relay as its peer, so symmetric latching works through it.
 */
export class RtpRelay {
  private forwarded = 0;
  private held: Buffer | undefined;

  private constructor(
    readonly socket: Socket,
    a: PeerAddress,
    b: PeerAddress,
    private readonly decide: (index: number) => 'pass' | 'drop' | 'hold' | 'duplicate',
  ) {
    socket.on('message', (data, from) => {
      if (from.port === b.port && from.address === b.address) {
        socket.send(data, a.port, a.address);
        return;
      }
      const action = this.decide(this.forwarded++);
      if (action === 'drop') return;
      if (action === 'hold') {
        // Sent after the next datagram: the two arrive swapped.
        this.held = data;
        return;
      }
      socket.send(data, b.port, b.address);
      if (action === 'duplicate') socket.send(data, b.port, b.address);
      if (this.held) {
        socket.send(this.held, b.port, b.address);
        this.held = undefined;
      }
    });
  }

  /** Opens a relay on any port of 127.0.0.1. */
  static async open(a: PeerAddress, b: PeerAddress, decide: RtpRelay['decide']): Promise<RtpRelay> {
    const socket = await bindUdp(0);
    if (!socket) throw new Error('could not bind the relay');
    return new RtpRelay(socket, a, b, decide);
  }

  /** The relay's address (what `a` sends to). */
  get address(): PeerAddress {
    return { address: '127.0.0.1', port: this.socket.address().port };
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
