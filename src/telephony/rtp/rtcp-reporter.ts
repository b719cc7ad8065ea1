import { randomInt } from 'node:crypto';
import { parseRtcp, type ReportBlock, serializeRtcp } from './rtcp-packet.ts';
import type { RtpReceiver } from './rtp-receiver.ts';
import type { RtpSender } from './rtp-sender.ts';

/**
 * RTCP of one leg (RFC 3550 §6): a compound SR (while we send) or RR every interval, randomised
 * over [0.5, 1.5] of it (§6.2) so many legs started together do not report in step; reports
 * received are parsed for the peer's view of our stream and the round-trip time (§6.4.1:
 * arrival − LSR − DLSR).
 */

/** Seconds between 1900 (NTP era 0) and 1970. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/** An NTP timestamp (seconds, 32-bit fraction) of a wall-clock instant in ms since 1970. */
export function ntpTime(wallMs: number): { seconds: number; fraction: number } {
  const seconds = Math.floor(wallMs / 1000);
  return {
    seconds: (seconds + NTP_EPOCH_OFFSET) >>> 0,
    fraction: Math.floor(((wallMs - seconds * 1000) / 1000) * 2 ** 32) >>> 0,
  };
}

/** The middle 32 bits of an NTP timestamp (the LSR/DLSR unit is 1/65536 s). */
function middle(ntp: { seconds: number; fraction: number }): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/** What the peer reported about our stream, from its latest SR/RR block for our SSRC. */
export interface RemoteReport {
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  /** Round trip from LSR/DLSR; absent until the peer echoes one of our SRs. */
  roundTripMs?: number;
}

/** RTCP counters of a leg. */
export interface RtcpSummary {
  sent: number;
  received: number;
  dropped: number;
  remote?: RemoteReport;
  /** The peer's CNAME (§6.5.1), once an SDES arrived. */
  remoteCname?: string;
  /** True once the peer sent BYE (§6.6). */
  bye: boolean;
}

/** What the reporter needs from its leg. */
export interface RtcpReporterOptions {
  sender: RtpSender;
  receiver: RtpReceiver;
  cname: string;
  intervalMs: number;
  wallClockMs: () => number;
  send: (packet: Buffer) => boolean;
  onBye?: () => void;
}

/** Sends and reads one leg's RTCP. */
export class RtcpReporter {
  private nextAt: number | undefined;
  private sent = 0;
  private received = 0;
  private dropped = 0;
  private remote: RemoteReport | undefined;
  private remoteCname: string | undefined;
  private bye = false;
  private lastSr: { middle: number; atMs: number } | undefined;

  constructor(private readonly options: RtcpReporterOptions) {}

  /** Sends a report when one is due. */
  tick(nowMs: number): void {
    if (this.nextAt === undefined) this.nextAt = nowMs + this.randomInterval();
    if (nowMs < this.nextAt) return;
    this.nextAt = nowMs + this.randomInterval();
    this.report(nowMs, false);
  }

  private randomInterval(): number {
    return (this.options.intervalMs * randomInt(500, 1501)) / 1000;
  }

  /** Sends one compound report now (with BYE when the leg closes). */
  report(nowMs: number, bye: boolean): void {
    const { sender, receiver } = this.options;
    const sent = sender.summary();
    const rtpTimestamp = sender.timestampAt(nowMs);
    const ntp = ntpTime(this.options.wallClockMs());
    const blocks: ReportBlock[] = [];
    const figures = receiver.reportFigures();
    const remoteSsrc = receiver.remoteSsrc;
    if (figures && remoteSsrc !== undefined) {
      blocks.push({
        ssrc: remoteSsrc,
        ...figures,
        lastSr: this.lastSr?.middle ?? 0,
        delaySinceLastSr: this.lastSr ? Math.round(((nowMs - this.lastSr.atMs) * 65536) / 1000) : 0,
      });
    }
    const packet = serializeRtcp({
      ssrc: sender.ssrc,
      sender:
        rtpTimestamp === undefined
          ? undefined
          : {
              ntpSeconds: ntp.seconds,
              ntpFraction: ntp.fraction,
              rtpTimestamp,
              packetCount: sent.packets,
              octetCount: sent.octets,
            },
      reports: blocks,
      cname: this.options.cname,
      bye,
    });
    if (this.options.send(packet)) this.sent++;
  }

  /** Handles one datagram that reached the RTCP port. */
  receive(data: Uint8Array, nowMs: number): boolean {
    const parsed = parseRtcp(data);
    if (!parsed.ok) {
      this.dropped++;
      return false;
    }
    this.received++;
    const compound = parsed.compound;
    if (compound.cname !== undefined) this.remoteCname = compound.cname;
    const ours = this.options.sender.ssrc;
    for (const report of compound.reports) {
      if (report.sender) {
        this.lastSr = {
          middle: middle({ seconds: report.sender.ntpSeconds, fraction: report.sender.ntpFraction }),
          atMs: nowMs,
        };
      }
      const block = report.reports.find((b) => b.ssrc === ours);
      if (!block) continue;
      const remote: RemoteReport = {
        fractionLost: block.fractionLost / 256,
        cumulativeLost: block.cumulativeLost,
        jitterMs: block.jitter / 8,
      };
      if (block.lastSr !== 0) {
        const arrival = middle(ntpTime(this.options.wallClockMs()));
        const units = (arrival - block.lastSr - block.delaySinceLastSr) >>> 0;
        // Below 0 (clock steps, a forged block) wraps to a huge value: keep only plausible ones.
        if (units < 65536 * 60) remote.roundTripMs = (units * 1000) / 65536;
      }
      this.remote = remote;
    }
    if (compound.bye.length > 0 && !this.bye) {
      this.bye = true;
      this.options.onBye?.();
    }
    return true;
  }

  /** Counters so far. */
  summary(): RtcpSummary {
    return {
      sent: this.sent,
      received: this.received,
      dropped: this.dropped,
      remote: this.remote && { ...this.remote },
      remoteCname: this.remoteCname,
      bye: this.bye,
    };
  }
}
