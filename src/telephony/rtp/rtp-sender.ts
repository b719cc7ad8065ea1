import { randomInt } from 'node:crypto';
import { encodeG711, type G711Codec, g711Silence } from '../../media/g711.ts';
import { RTP_HEADER_SIZE, writeRtpHeader } from './rtp-packet.ts';

/**
 * The sending half of a leg: a queue of PCM to play, cut into 20 ms frames, encoded and sent
 * one per tick of the shared FrameClock. The frame schedule is the clock's grid: each frame has
 * a due instant, so a late tick sends the frames it owes (up to a short burst) and a long stall
 * skips frames — the RTP timestamp still advances by them (RFC 3550 §5.1), the sequence does not.
 */

/** Samples per 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;
/** Frames sent at once to catch up after a late tick; further behind, frames are skipped. */
const MAX_BURST = 3;

interface Playback {
  pcm: Int16Array;
  offset: number;
  done: (completed: boolean) => void;
}

/** What the sender needs from its leg. */
export interface RtpSenderOptions {
  codec: G711Codec;
  payloadType: number;
  ssrc: number;
  /** Sends one packet; false when there is nowhere to send yet (no remote address). */
  send: (packet: Buffer) => boolean;
  /** Send silence when nothing is queued (keeps NAT bindings and the peer's latch alive). */
  sendWhenIdle: boolean;
  /** Called for each frame sent with how late it left (ms after its due instant). */
  onFrameSent?: (lateMs: number) => void;
}

/** Counters of what was sent. */
export interface SendSummary {
  packets: number;
  /** Payload octets (RFC 3550 §6.4.1 sender's octet count). */
  octets: number;
  skippedFrames: number;
}

/** Paces and packetizes one leg's outgoing audio. */
export class RtpSender {
  private sequence = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 2 ** 32);
  private nextDue: number | undefined;
  private readonly queue: Playback[] = [];
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private talkspurt = true;
  private packets = 0;
  private octets = 0;
  private skipped = 0;
  /** Due instant of the last frame sent and its timestamp: the SR maps wall time onto it. */
  // (Two numbers, NaN before the first, not an object or undefined: they are set per packet
  // sent, and a field that only ever holds numbers stores them without allocating.)
  private lastSentDueMs = Number.NaN;
  private lastSentTimestamp = 0;

  constructor(private options: RtpSenderOptions) {}

  /** Switches codec (after an SDP answer) without restarting sequence or timestamp. */
  setCodec(codec: G711Codec, payloadType: number): void {
    this.options = { ...this.options, codec, payloadType };
  }

  /** While paused (the SDP direction forbids sending) the clock runs on and nothing leaves. */
  paused = false;

  /** Queues `pcm` (8 kHz, 16-bit mono); resolves true once sent, false if stopped first. */
  play(pcm: Int16Array): Promise<boolean> {
    return new Promise((done) => this.queue.push({ pcm, offset: 0, done }));
  }

  /** Drops everything queued; pending plays resolve false. */
  stopPlayback(): void {
    for (const playback of this.queue.splice(0)) playback.done(false);
  }

  /** Sends the frames due by `dueMs` (a tick of the shared clock). */
  tick(dueMs: number, periodMs: number): void {
    if (this.nextDue === undefined) this.nextDue = dueMs;
    const behind = Math.floor((dueMs - this.nextDue) / periodMs) + 1;
    if (behind > MAX_BURST) {
      const skip = behind - MAX_BURST;
      this.timestamp = (this.timestamp + skip * FRAME_SAMPLES) >>> 0;
      this.nextDue += skip * periodMs;
      this.skipped += skip;
      this.talkspurt = true;
    }
    while (this.nextDue <= dueMs) {
      this.sendFrame(this.nextDue);
      this.nextDue += periodMs;
    }
  }

  private sendFrame(dueMs: number): void {
    if (this.paused) {
      this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
      this.talkspurt = true;
      return;
    }
    const playing = this.fillFrame();
    if (playing || this.options.sendWhenIdle) {
      const packet = Buffer.allocUnsafe(RTP_HEADER_SIZE + FRAME_SAMPLES);
      writeRtpHeader(packet, {
        payloadType: this.options.payloadType,
        marker: this.talkspurt,
        sequence: this.sequence,
        timestamp: this.timestamp,
        ssrc: this.options.ssrc,
      });
      if (playing) encodeG711(this.options.codec, this.frame, packet.subarray(RTP_HEADER_SIZE));
      else packet.fill(g711Silence(this.options.codec), RTP_HEADER_SIZE);
      if (this.options.send(packet)) {
        this.sequence = (this.sequence + 1) & 0xffff;
        this.packets++;
        this.octets += FRAME_SAMPLES;
        this.talkspurt = false;
        this.lastSentDueMs = dueMs;
        this.lastSentTimestamp = this.timestamp;
        this.options.onFrameSent?.(performance.now() - dueMs);
      }
    }
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
  }

  /** Fills `frame` from the queue (zero-padded at the end of a playback); false when idle. */
  private fillFrame(): boolean {
    if (this.queue.length === 0) return false;
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.queue.length > 0) {
      const head = this.queue[0] as Playback;
      const take = Math.min(FRAME_SAMPLES - filled, head.pcm.length - head.offset);
      this.frame.set(head.pcm.subarray(head.offset, head.offset + take), filled);
      filled += take;
      head.offset += take;
      if (head.offset >= head.pcm.length) {
        this.queue.shift();
        head.done(true);
      }
    }
    this.frame.fill(0, filled);
    return true;
  }

  /** Counters so far. */
  summary(): SendSummary {
    return { packets: this.packets, octets: this.octets, skippedFrames: this.skipped };
  }

  /** The RTP timestamp matching monotonic instant `nowMs` (for an SR), if anything was sent. */
  timestampAt(nowMs: number): number | undefined {
    if (Number.isNaN(this.lastSentDueMs)) return undefined;
    return (this.lastSentTimestamp + Math.round(((nowMs - this.lastSentDueMs) * 8000) / 1000)) >>> 0;
  }

  /** The SSRC of this sender. */
  get ssrc(): number {
    return this.options.ssrc;
  }
}
