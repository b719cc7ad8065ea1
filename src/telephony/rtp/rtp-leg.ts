import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { G711Codec } from '../../media/g711.ts';
import type { FrameClock } from './frame-clock.ts';
import { RtcpReporter, type RtcpSummary } from './rtcp-reporter.ts';
import { type ReceiverSummary, RtpReceiver } from './rtp-receiver.ts';
import { RtpSender, type SendSummary } from './rtp-sender.ts';
import type { DtmfDigit } from './telephone-event.ts';

/**
 * One leg's media: an RTP and an RTCP socket, a sender on the shared FrameClock and a receiver.
 * RTP is symmetric (RFC 4961): we send to the address given by the peer's SDP until its first
 * acceptable packet arrives, then to wherever that packet came from (the "latch", which makes
 * NATed peers work), and from then on packets from any other address are counted and dropped.
 */

/** A transport address. */
export interface MediaAddress {
  address: string;
  port: number;
}

/** Quality figures of one leg, readable at any time and returned by `close`. */
export interface LegQuality {
  sent: SendSummary;
  received: ReceiverSummary;
  rtcp: RtcpSummary;
  /** Where media went at the end: the latched source, else the SDP address. */
  remote?: MediaAddress;
  latched: boolean;
  sendErrors: number;
}

/** Per-leg settings. */
export interface RtpLegOptions {
  /** Codec we send (the answer's first format); both G.711 types are always received. */
  codec?: G711Codec;
  /** Payload type we send and also decode as `codec`; 0 for PCMU, 8 for PCMA by default. */
  payloadType?: number;
  /** The telephone-event payload type (RFC 4733) negotiated, usually 101. */
  eventPayloadType?: number;
  /** The peer's RTP address from its SDP, if known yet (see `setRemote`). */
  remote?: MediaAddress;
  /**
   * Each 20 ms frame received: 160 samples of 16-bit PCM at 8 kHz. The frame is the listener's
   * to keep, but a view on a slab shared with other frames (like a small Buffer on Node's
   * pool): copy it (`frame.slice()`) before transferring its `buffer` to a worker.
   */
  onFrame?: (frame: Int16Array) => void;
  onDtmf?: (digit: DtmfDigit) => void;
  /** The peer said RTCP BYE. */
  onBye?: () => void;
  /** Each frame sent, with how late it left after its due instant (benchmarks). */
  onFrameSent?: (lateMs: number) => void;
  /** Send silence when nothing is playing (default true). */
  sendWhenIdle?: boolean;
  /** Our negotiated direction; default sendrecv (see `setDirection`). */
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** What the endpoint hands a new leg. */
export interface RtpLegParts {
  rtp: Socket;
  rtcp: Socket;
  clock: FrameClock;
  localAddress: string;
  cname: string;
  rtcpIntervalMs: number;
  wallClockMs: () => number;
  /** Called once when the leg closes (frees its ports). */
  release: () => void;
}

/** A live media leg. */
export class RtpLeg {
  /** The RTP port (even); RTCP is the port above it. */
  readonly localPort: number;
  /** The address to write in SDP. */
  readonly localAddress: string;
  private readonly sender: RtpSender;
  private readonly receiver: RtpReceiver;
  private readonly rtcp: RtcpReporter;
  private sdpRemote: MediaAddress | undefined;
  private latched: MediaAddress | undefined;
  private rtcpSource: MediaAddress | undefined;
  private sendErrors = 0;
  private readonly stopTicking: () => void;
  private closed: Promise<LegQuality> | undefined;
  /** Settles once the latest RTCP packet has left (close waits for its BYE). */
  private rtcpInFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly parts: RtpLegParts,
    options: RtpLegOptions,
  ) {
    this.localPort = parts.rtp.address().port;
    this.localAddress = parts.localAddress;
    this.sdpRemote = options.remote;
    const codec = options.codec ?? 'PCMU';
    this.sender = new RtpSender({
      codec,
      payloadType: options.payloadType ?? (codec === 'PCMU' ? 0 : 8),
      ssrc: randomInt(1, 2 ** 32 - 1),
      send: (packet) => this.sendTo(parts.rtp, this.rtpTarget(), packet),
      sendWhenIdle: options.sendWhenIdle ?? true,
      onFrameSent: options.onFrameSent,
    });
    this.receiver = new RtpReceiver({
      audioPayloadType:
        options.payloadType === undefined ? undefined : { payloadType: options.payloadType, codec },
      eventPayloadType: options.eventPayloadType,
      onFrame: options.onFrame,
      onDtmf: options.onDtmf,
    });
    this.rtcp = new RtcpReporter({
      sender: this.sender,
      receiver: this.receiver,
      cname: parts.cname,
      intervalMs: parts.rtcpIntervalMs,
      wallClockMs: parts.wallClockMs,
      send: (packet) => this.sendRtcp(packet),
      onBye: options.onBye,
    });
    parts.rtp.on('message', (data, from) => this.onRtp(data, from));
    parts.rtcp.on('message', (data, from) => this.onRtcp(data, from));
    // A send to an unreachable port can surface as a socket error (ICMP): count, never crash.
    parts.rtp.on('error', () => this.sendErrors++);
    parts.rtcp.on('error', () => this.sendErrors++);
    if (options.direction) this.setDirection(options.direction);
    this.stopTicking = parts.clock.add((dueMs, nowMs) => this.tick(dueMs, nowMs));
  }

  /** Sets (or changes, after a re-INVITE) the peer's address from its SDP; forgets the latch. */
  setRemote(remote: MediaAddress): void {
    this.sdpRemote = remote;
    this.latched = undefined;
    this.rtcpSource = undefined;
  }

  /** Switches the codec we send (the negotiated one); its payload type is decoded too. */
  setCodec(codec: G711Codec, payloadType = codec === 'PCMU' ? 0 : 8): void {
    this.sender.setCodec(codec, payloadType);
    this.receiver.acceptPayloadType(payloadType, codec);
  }

  /**
   * Applies the negotiated direction (RFC 3264 §6.1, ours): `recvonly` and `inactive` stop
   * sending (playback waits), `sendrecv` and `sendonly` send. Receiving is never refused.
   */
  setDirection(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): void {
    this.sender.paused = direction === 'recvonly' || direction === 'inactive';
  }

  /** Plays 8 kHz 16-bit PCM; resolves true when sent, false when stopped or closed first. */
  play(pcm: Int16Array): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.sender.play(pcm);
  }

  /** Stops what is playing. */
  stopPlayback(): void {
    this.sender.stopPlayback();
  }

  /** Quality figures so far. */
  quality(): LegQuality {
    return {
      sent: this.sender.summary(),
      received: this.receiver.summary(),
      rtcp: this.rtcp.summary(),
      remote: this.rtpTarget(),
      latched: this.latched !== undefined,
      sendErrors: this.sendErrors,
    };
  }

  /** Sends RTCP BYE, closes both sockets, frees the ports; resolves with the final figures. */
  close(): Promise<LegQuality> {
    if (this.closed) return this.closed;
    this.stopTicking();
    this.sender.stopPlayback();
    this.rtcp.report(performance.now(), true);
    // The BYE must leave before its socket closes: a send only starts on a later turn.
    const byeSent = this.rtcpInFlight;
    const shut = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));
    this.closed = byeSent.then(async () => {
      const quality = this.quality();
      await Promise.all([shut(this.parts.rtp), shut(this.parts.rtcp)]);
      this.parts.release();
      return quality;
    });
    return this.closed;
  }

  private tick(dueMs: number, nowMs: number): void {
    this.sender.tick(dueMs, this.parts.clock.periodMs);
    this.receiver.tick(nowMs);
    this.rtcp.tick(nowMs);
  }

  private onRtp(data: Buffer, from: { address: string; port: number }): void {
    const latched = this.latched;
    if (latched && (latched.address !== from.address || latched.port !== from.port)) {
      this.receiver.drop('foreign-source');
      return;
    }
    const accepted = this.receiver.receive(data, performance.now());
    if (accepted && !latched) this.latched = { address: from.address, port: from.port };
  }

  private onRtcp(data: Buffer, from: { address: string; port: number }): void {
    // RTCP comes from the latched peer's address (any port: some peers send it from RTP + 1,
    // symmetric ones from the port they receive it on).
    const peer = this.latched ?? this.sdpRemote;
    if (peer && peer.address !== from.address) {
      this.receiver.drop('foreign-rtcp');
      return;
    }
    if (this.rtcp.receive(data, performance.now()) && !this.rtcpSource) {
      this.rtcpSource = { address: from.address, port: from.port };
    }
  }

  private rtpTarget(): MediaAddress | undefined {
    return this.latched ?? this.sdpRemote;
  }

  /** Symmetric RTCP when the peer's reports arrived, else its RTP port + 1 (RFC 3550 §11). */
  private rtcpTarget(): MediaAddress | undefined {
    if (this.rtcpSource) return this.rtcpSource;
    const rtp = this.rtpTarget();
    return rtp && { address: rtp.address, port: rtp.port + 1 };
  }

  private sendTo(socket: Socket, target: MediaAddress | undefined, packet: Buffer): boolean {
    if (!target || this.closed) return false;
    try {
      // One callback for every send (not a closure per packet, 50 a second per leg); without
      // one, Node drops a synchronous failure (ENETUNREACH, EPERM) unseen.
      socket.send(packet, target.port, target.address, this.countSendError);
      return true;
    } catch {
      this.sendErrors++;
      return false;
    }
  }

  private readonly countSendError = (error: Error | null) => {
    if (error) this.sendErrors++;
  };

  private sendRtcp(packet: Buffer): boolean {
    const target = this.rtcpTarget();
    if (!target || this.closed) return false;
    this.rtcpInFlight = new Promise((resolve) => {
      try {
        this.parts.rtcp.send(packet, target.port, target.address, (error) => {
          if (error) this.sendErrors++;
          resolve();
        });
      } catch {
        this.sendErrors++;
        resolve();
      }
    });
    return true;
  }
}
