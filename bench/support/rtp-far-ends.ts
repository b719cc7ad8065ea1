/**
 * The far ends of media_legs, made cheap so the bench measures the node rather than itself: one
 * plain UDP socket per node leg (so each node leg latches its own peer, as in a call), audio
 * encoded once beforehand, each 20 ms packet a header written over a copy of the next encoded
 * frame, and what comes back only counted. They share the RTP library's FrameClock (4 slots),
 * so they send in bursts a quarter of the legs wide, as the node's own far ends did.
 */
import { createSocket, type Socket } from 'node:dgram';
import { encodeG711 } from '../../src/media/g711.ts';
import { FrameClock } from '../../src/telephony/rtp/frame-clock.ts';

const FRAME = 160;
const HEADER = 12;

/** One far end: its socket, where it sends, and its place in the shared audio. */
interface FarEnd {
  socket: Socket;
  target: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Index of the next frame of the audio it sends. */
  frame: number;
}

/** N far ends sending `audio` (8 kHz PCM, looped) as PCMU to node ports on 127.0.0.1. */
export class RtpFarEnds {
  readonly clock = new FrameClock(20, () => performance.now(), 20);
  private readonly ends: FarEnd[] = [];
  private readonly encoded: Uint8Array;
  private readonly frames: number;
  private stopTicking: Array<() => void> = [];
  /** Datagrams that came back from the node. */
  received = 0;
  sent = 0;
  sendErrors = 0;

  constructor(audio: Int16Array) {
    this.frames = Math.floor(audio.length / FRAME);
    this.encoded = encodeG711('PCMU', audio.subarray(0, this.frames * FRAME));
  }

  /** Binds `count` sockets (any free port); returns their ports. */
  async open(count: number): Promise<number[]> {
    const countReceived = () => {
      this.received++;
    };
    for (let i = 0; i < count; i++) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      socket.on('message', countReceived);
      socket.on('error', () => this.sendErrors++);
      this.ends.push({
        socket,
        target: 0,
        sequence: (i * 7919) & 0xffff,
        timestamp: i * 104729,
        ssrc: 0x10000 + i,
        // Each far end starts at another point of the audio, so verdicts do not fall on one tick.
        frame: (i * 797) % this.frames,
      });
    }
    return this.ends.map((end) => end.socket.address().port);
  }

  /** Starts sending, far end i to node port ports[i], one frame per 20 ms. */
  start(ports: number[]): void {
    this.ends.forEach((end, i) => {
      end.target = ports[i] as number;
      this.stopTicking.push(this.clock.add(() => this.send(end)));
    });
  }

  private send(end: FarEnd): void {
    const packet = Buffer.allocUnsafe(HEADER + FRAME);
    packet[0] = 0x80;
    packet[1] = 0; // PCMU
    packet.writeUInt16BE(end.sequence, 2);
    packet.writeUInt32BE(end.timestamp, 4);
    packet.writeUInt32BE(end.ssrc, 8);
    packet.set(this.encoded.subarray(end.frame * FRAME, end.frame * FRAME + FRAME), HEADER);
    end.sequence = (end.sequence + 1) & 0xffff;
    end.timestamp = (end.timestamp + FRAME) >>> 0;
    end.frame = (end.frame + 1) % this.frames;
    // No callback: a failed send surfaces as the socket's 'error', counted above.
    end.socket.send(packet, end.target, '127.0.0.1');
    this.sent++;
  }

  /** Stops sending and closes every socket. */
  async close(): Promise<void> {
    for (const stop of this.stopTicking) stop();
    this.stopTicking = [];
    await Promise.all(
      this.ends.splice(0).map((end) => new Promise<void>((resolve) => end.socket.close(() => resolve()))),
    );
  }
}
