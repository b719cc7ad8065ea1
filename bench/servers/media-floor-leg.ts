/**
 * The floor of media_legs (media_legs_floor): what a leg costs in Node at the least — a plain
 * UDP socket that sends one 172-octet packet per tick of the same FrameClock and counts what it
 * receives by sequence number, with no parsing, jitter buffer, decoding, analysis or RTCP.
 * The distance from this to the real leg is what pconn's code adds.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { FrameClock } from '../../src/telephony/rtp/frame-clock.ts';

/** Shaped like the part of RtpLeg the bench node reads. */
export class FloorLeg {
  readonly localPort: number;
  private first: number | undefined;
  private extended = 0;
  private packets = 0;
  private sequence = 0;
  private readonly stop: () => void;

  private constructor(
    private readonly socket: Socket,
    clock: FrameClock,
    private readonly port: number,
    onFrameSent: (lateMs: number) => void,
  ) {
    this.localPort = socket.address().port;
    socket.on('message', (data: Buffer) => this.count(data));
    socket.on('error', () => {});
    this.stop = clock.add((dueMs) => {
      const packet = Buffer.allocUnsafe(172);
      packet[0] = 0x80;
      packet[1] = 0;
      packet.writeUInt16BE(this.sequence, 2);
      this.sequence = (this.sequence + 1) & 0xffff;
      this.socket.send(packet, this.port, '127.0.0.1');
      onFrameSent(performance.now() - dueMs);
    });
  }

  static async open(
    clock: FrameClock,
    port: number,
    onFrameSent: (lateMs: number) => void,
  ): Promise<FloorLeg> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new FloorLeg(socket, clock, port, onFrameSent);
  }

  /** Received and expected packets, from the highest sequence number seen (wraps extended). */
  private count(data: Buffer): void {
    if (data.length < 12) return;
    const sequence = data.readUInt16BE(2);
    this.packets++;
    if (this.first === undefined) {
      this.first = sequence;
      this.extended = sequence;
      return;
    }
    const delta = (sequence - (this.extended & 0xffff) + 0x10000) & 0xffff;
    if (delta < 0x8000) this.extended += delta;
  }

  quality(): { received: { lost: number; expected: number; packets: number } } {
    const expected = this.first === undefined ? 0 : this.extended - this.first + 1;
    return { received: { lost: Math.max(0, expected - this.packets), expected, packets: this.packets } };
  }

  close(): Promise<void> {
    this.stop();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
