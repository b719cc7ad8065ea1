/**
 * RTCP compound packets (RFC 3550 §6): the sender report (SR, §6.4.1) and receiver report (RR,
 * §6.4.2) with their report blocks, the SDES CNAME every compound packet carries (§6.5) and BYE
 * (§6.6). Parsing checks the compound rules of §A.2 and never throws.
 */

/** One reception report block: what the reporter knows of one source. */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, in 1/256 (0–255). */
  fractionLost: number;
  /** Cumulative packets lost (24-bit signed: duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles in the upper 16 bits). */
  highestSequence: number;
  /** Interarrival jitter in timestamp units (§6.4.1, §A.8). */
  jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received from that source; 0 if none. */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSr: number;
}

/** The sender information of an SR. */
export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

/** One SR or RR. */
export interface RtcpReport {
  ssrc: number;
  /** Present on a sender report. */
  sender?: SenderInfo;
  reports: ReportBlock[];
}

/** What one compound packet said. */
export interface RtcpCompound {
  reports: RtcpReport[];
  /** The CNAME of the first SDES chunk, when present. */
  cname?: string;
  /** SSRCs that said goodbye (§6.6). */
  bye: number[];
}

/** Why a datagram is not an RTCP compound packet we accept. */
export type RtcpDropReason = 'short' | 'too-large' | 'version' | 'not-compound' | 'bad-length';

/** The outcome of parsing one datagram as RTCP. */
export type RtcpParse = { ok: true; compound: RtcpCompound } | { ok: false; reason: RtcpDropReason };

const SR = 200;
const RR = 201;
const SDES = 202;
const BYE = 203;
const MAX_RTCP = 1500;

/** Parses one datagram as an RTCP compound packet; never throws. */
export function parseRtcp(data: Uint8Array): RtcpParse {
  if (data.length < 8) return { ok: false, reason: 'short' };
  if (data.length > MAX_RTCP) return { ok: false, reason: 'too-large' };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const compound: RtcpCompound = { reports: [], bye: [] };
  let offset = 0;
  let first = true;
  while (offset < data.length) {
    if (offset + 4 > data.length) return { ok: false, reason: 'bad-length' };
    const b0 = view.getUint8(offset);
    const type = view.getUint8(offset + 1);
    const end = offset + (view.getUint16(offset + 2) + 1) * 4;
    if (b0 >> 6 !== 2) return { ok: false, reason: 'version' };
    if (end > data.length) return { ok: false, reason: 'bad-length' };
    // §A.2: the first packet is an SR or RR and, with padding only allowed on the last one.
    if (first && type !== SR && type !== RR) return { ok: false, reason: 'not-compound' };
    if (b0 & 0x20 && end !== data.length) return { ok: false, reason: 'not-compound' };
    first = false;
    const count = b0 & 0x1f;
    if (type === SR || type === RR) {
      const report = readReport(view, offset, end, type === SR, count);
      if (!report) return { ok: false, reason: 'bad-length' };
      compound.reports.push(report);
    } else if (type === SDES && compound.cname === undefined) {
      compound.cname = readCname(data, offset + 4, end);
    } else if (type === BYE) {
      for (let i = 0; i < count && offset + 8 + i * 4 <= end; i++)
        compound.bye.push(view.getUint32(offset + 4 + i * 4));
    }
    offset = end;
  }
  return { ok: true, compound };
}

/** One SR or RR between `offset` and `end`; undefined when its blocks overrun it. */
function readReport(
  view: DataView,
  offset: number,
  end: number,
  isSender: boolean,
  count: number,
): RtcpReport | undefined {
  const blocksAt = offset + (isSender ? 28 : 8);
  if (blocksAt + count * 24 > end) return undefined;
  const report: RtcpReport = { ssrc: view.getUint32(offset + 4), reports: [] };
  if (isSender) {
    report.sender = {
      ntpSeconds: view.getUint32(offset + 8),
      ntpFraction: view.getUint32(offset + 12),
      rtpTimestamp: view.getUint32(offset + 16),
      packetCount: view.getUint32(offset + 20),
      octetCount: view.getUint32(offset + 24),
    };
  }
  for (let i = 0; i < count; i++) {
    const at = blocksAt + i * 24;
    const lost = view.getUint32(at + 4) & 0xffffff;
    report.reports.push({
      ssrc: view.getUint32(at),
      fractionLost: view.getUint8(at + 4),
      cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
      highestSequence: view.getUint32(at + 8),
      jitter: view.getUint32(at + 12),
      lastSr: view.getUint32(at + 16),
      delaySinceLastSr: view.getUint32(at + 20),
    });
  }
  return report;
}

/** The CNAME item (type 1) of the first SDES chunk, if it fits. */
function readCname(data: Uint8Array, chunkAt: number, end: number): string | undefined {
  let at = chunkAt + 4;
  while (at + 2 <= end && data[at] !== 0) {
    const length = data[at + 1] ?? 0;
    if (at + 2 + length > end) return undefined;
    if (data[at] === 1) return Buffer.from(data.subarray(at + 2, at + 2 + length)).toString('utf8');
    at += 2 + length;
  }
  return undefined;
}

/** What `serializeRtcp` writes: one SR (with `sender`) or RR, an SDES CNAME, optionally BYE. */
export interface RtcpCompoundInit {
  ssrc: number;
  sender?: SenderInfo;
  /** At most 31 blocks (the 5-bit count). */
  reports: ReportBlock[];
  cname: string;
  bye?: boolean;
}

/** Serializes a compound packet: SR or RR, SDES CNAME, and BYE when asked. */
export function serializeRtcp(init: RtcpCompoundInit): Buffer {
  const blocks = init.reports.slice(0, 31);
  const reportSize = (init.sender ? 28 : 8) + blocks.length * 24;
  const cname = Buffer.from(init.cname, 'utf8').subarray(0, 255);
  // Chunk: SSRC, item (type, length, text), at least one null octet, padded to 32 bits.
  const sdesSize = 4 + Math.ceil((4 + 2 + cname.length + 1) / 4) * 4;
  const byeSize = init.bye ? 8 : 0;
  const out = Buffer.alloc(reportSize + sdesSize + byeSize);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(0, 0x80 | blocks.length);
  view.setUint8(1, init.sender ? SR : RR);
  view.setUint16(2, reportSize / 4 - 1);
  view.setUint32(4, init.ssrc >>> 0);
  if (init.sender) {
    view.setUint32(8, init.sender.ntpSeconds >>> 0);
    view.setUint32(12, init.sender.ntpFraction >>> 0);
    view.setUint32(16, init.sender.rtpTimestamp >>> 0);
    view.setUint32(20, init.sender.packetCount >>> 0);
    view.setUint32(24, init.sender.octetCount >>> 0);
  }
  blocks.forEach((block, i) => {
    const at = (init.sender ? 28 : 8) + i * 24;
    view.setUint32(at, block.ssrc >>> 0);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, block.cumulativeLost)) & 0xffffff;
    view.setUint32(at + 4, ((block.fractionLost & 0xff) << 24) | lost);
    view.setUint32(at + 8, block.highestSequence >>> 0);
    view.setUint32(at + 12, block.jitter >>> 0);
    view.setUint32(at + 16, block.lastSr >>> 0);
    view.setUint32(at + 20, block.delaySinceLastSr >>> 0);
  });
  let at = reportSize;
  view.setUint8(at, 0x81);
  view.setUint8(at + 1, SDES);
  view.setUint16(at + 2, sdesSize / 4 - 1);
  view.setUint32(at + 4, init.ssrc >>> 0);
  view.setUint8(at + 8, 1);
  view.setUint8(at + 9, cname.length);
  out.set(cname, at + 10);
  if (init.bye) {
    at += sdesSize;
    view.setUint8(at, 0x81);
    view.setUint8(at + 1, BYE);
    view.setUint16(at + 2, 1);
    view.setUint32(at + 4, init.ssrc >>> 0);
  }
  return out;
}
