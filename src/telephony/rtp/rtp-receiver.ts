import { decodeG711, type G711Codec } from '../../media/g711.ts';
import { ReceiveStatistics, type ReceiveSummary } from './receive-statistics.ts';
import { ReorderBuffer } from './reorder-buffer.ts';
import { parseRtp } from './rtp-packet.ts';
import { FRAME_SAMPLES } from './rtp-sender.ts';
import { pooledSamples } from './sample-pool.ts';
import { type DtmfDigit, TelephoneEventReceiver } from './telephone-event.ts';

/**
 * The receiving half of a leg: parse, account (RFC 3550 §A.1/A.3/A.8), reorder, decode and
 * hand the listener exact 20 ms frames of 16-bit PCM; telephone-events become digits. Anything
 * that is not audio of the current source is counted by reason and dropped.
 */

/** Static G.711 payload types (RFC 3551 Table 4). */
const STATIC_CODECS = new Map<number, G711Codec>([
  [0, 'PCMU'],
  [8, 'PCMA'],
]);

/** A frame of decoded audio, or a lost packet's worth of samples (the reorder buffer's gap). */
type Entry = { kind: 'audio'; codec: G711Codec; payload: Uint8Array } | { kind: 'event' };

/** Listeners of the receiving half. */
export interface RtpReceiverOptions {
  /** A dynamic payload type negotiated for a G.711 codec (the static 0 and 8 always count). */
  audioPayloadType?: { payloadType: number; codec: G711Codec };
  /** The payload type negotiated for telephone-event (RFC 4733), if any. */
  eventPayloadType?: number;
  /**
   * Each 20 ms frame (160 samples), in order, lost packets concealed with silence; a view on a
   * shared slab (sample-pool.ts): slice it before transferring its buffer.
   */
  onFrame?: (frame: Int16Array) => void;
  onDtmf?: (digit: DtmfDigit) => void;
}

/** What the receiving half counted. */
export interface ReceiverSummary extends ReceiveSummary {
  /** Frames of silence delivered in place of lost packets. */
  concealedFrames: number;
  /** Packets dropped, by reason. */
  dropped: Record<string, number>;
  dtmfDigits: number;
}

/** Receives one leg's RTP. */
export class RtpReceiver {
  private readonly statistics = new ReceiveStatistics();
  private readonly reorder: ReorderBuffer<Entry>;
  private readonly events: TelephoneEventReceiver;
  private readonly dropped: Record<string, number> = {};
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;
  private lastPacketSamples = FRAME_SAMPLES;
  private concealed = 0;
  private digits = 0;
  private source: number | undefined;
  private candidate: { ssrc: number; sequence: number } | undefined;

  private readonly codecs = new Map(STATIC_CODECS);

  constructor(private readonly options: RtpReceiverOptions) {
    if (options.audioPayloadType)
      this.acceptPayloadType(options.audioPayloadType.payloadType, options.audioPayloadType.codec);
    this.reorder = new ReorderBuffer<Entry>((entry) => this.play(entry));
    this.events = new TelephoneEventReceiver((digit) => {
      this.digits++;
      this.options.onDtmf?.(digit);
    });
  }

  /** Decodes `payloadType` as `codec` from now on (a dynamic type from the SDP). */
  acceptPayloadType(payloadType: number, codec: G711Codec): void {
    if (payloadType !== this.options.eventPayloadType) this.codecs.set(payloadType, codec);
  }

  /** Counts a drop by reason. */
  drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  /**
   * Handles one datagram that reached the RTP port at `nowMs`; true when it was RTP of a
   * payload type this leg accepts (the leg latches its peer's address on such a packet).
   */
  receive(data: Uint8Array, nowMs: number): boolean {
    const parsed = parseRtp(data);
    if (!parsed.ok) {
      this.drop(parsed.reason);
      return false;
    }
    const packet = parsed.packet;
    const codec = this.codecs.get(packet.payloadType);
    const isEvent = packet.payloadType === this.options.eventPayloadType;
    if (!codec && !isEvent) {
      this.drop('unknown-payload-type');
      return false;
    }
    if (this.source !== packet.ssrc && !this.switchSource(packet.ssrc, packet.sequence)) {
      this.drop('ssrc-probation');
      return false;
    }
    const record = this.statistics.record(packet.sequence, packet.timestamp, nowMs, !isEvent);
    if (record.verdict === 'duplicate') return true;
    if (record.verdict !== 'new') {
      this.drop(record.verdict);
      return true;
    }
    if (isEvent) {
      if (!this.events.receive(packet.timestamp, packet.payload, nowMs)) this.drop('bad-event');
      this.reorder.push(record.extended, { kind: 'event' }, nowMs);
      return true;
    }
    // The payload is a view into the datagram, which stays alive while the entry waits.
    const pushed = this.reorder.push(
      record.extended,
      { kind: 'audio', codec: codec as G711Codec, payload: packet.payload },
      nowMs,
    );
    if (pushed === 'too-late') this.drop('too-late');
    return true;
  }

  /**
   * Whether a packet of another SSRC starts a new source (§8.2: its numbers start afresh). The
   * first source is taken at once; a change only after two packets in sequence (the probation
   * of §A.1), so one stray or corrupted packet cannot reset the leg's statistics and buffer.
   */
  private switchSource(ssrc: number, sequence: number): boolean {
    const candidate = this.candidate;
    if (
      this.source !== undefined &&
      (candidate?.ssrc !== ssrc || ((candidate.sequence + 1) & 0xffff) !== sequence)
    ) {
      this.candidate = { ssrc, sequence };
      return false;
    }
    this.candidate = undefined;
    if (this.source !== undefined) this.reorder.reset();
    this.source = ssrc;
    this.statistics.restart(sequence);
    return true;
  }

  /** Periodic work: give up on missing packets, report DTMF whose end never came. */
  tick(nowMs: number): void {
    this.reorder.flush(nowMs);
    this.events.flush(nowMs);
  }

  /** SSRC of the source being received, once one has been. */
  get remoteSsrc(): number | undefined {
    return this.source;
  }

  /** The loss and jitter figures for a reception report block. */
  reportFigures(): ReturnType<ReceiveStatistics['report']> | undefined {
    return this.statistics.active ? this.statistics.report() : undefined;
  }

  /** Counters so far. */
  summary(): ReceiverSummary {
    return {
      ...this.statistics.summary(),
      concealedFrames: this.concealed,
      dropped: { ...this.dropped },
      dtmfDigits: this.digits,
    };
  }

  private play(entry: Entry | undefined): void {
    if (entry?.kind === 'event') return;
    if (!entry) {
      this.concealed++;
      this.push(pooledSamples(this.lastPacketSamples));
      return;
    }
    this.lastPacketSamples = entry.payload.length;
    if (this.options.onFrame)
      this.push(decodeG711(entry.codec, entry.payload, pooledSamples(entry.payload.length)));
  }

  /** Re-cuts decoded samples into exact 160-sample frames for the listener. */
  private push(samples: Int16Array): void {
    const onFrame = this.options.onFrame;
    if (!onFrame) return;
    // The usual case: a fresh 20 ms packet and nothing pending goes out as it is.
    if (this.pendingLength === 0 && samples.length === FRAME_SAMPLES) {
      onFrame(samples);
      return;
    }
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, samples.length - offset);
      if (take === FRAME_SAMPLES) {
        onFrame(samples.slice(offset, offset + take));
      } else {
        this.pending.set(samples.subarray(offset, offset + take), this.pendingLength);
        this.pendingLength += take;
        if (this.pendingLength === FRAME_SAMPLES) {
          onFrame(this.pending.slice());
          this.pendingLength = 0;
        }
      }
      offset += take;
    }
  }
}
