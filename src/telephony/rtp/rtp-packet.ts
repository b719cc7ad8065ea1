/**
 * The RTP fixed header (RFC 3550 §5.1) read from and written to datagrams. Parsing never
 * throws: whatever arrives on a media port — short, huge, another version, lying lengths —
 * comes back as a reason the session counts and drops, so one bad peer cannot disturb a leg.
 */

/** One RTP packet; `payload` is a view into the datagram (no copy). */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Contributing sources (mixers only; RFC 3550 §5.1 CC); shared and frozen when empty. */
  csrcs: readonly number[];
  payload: Uint8Array;
}

/** Why a datagram is not an RTP packet we accept. */
export type RtpDropReason =
  | 'short'
  | 'too-large'
  | 'version'
  | 'bad-length'
  | 'bad-padding'
  | 'rtcp-on-rtp-port';

/** The outcome of parsing one datagram. */
export type RtpParse = { ok: true; packet: RtpPacket } | { ok: false; reason: RtpDropReason };

/** The fixed header's size in octets. */
export const RTP_HEADER_SIZE = 12;

/**
 * Larger datagrams are refused before looking inside: G.711 at 20 ms is 172 octets, and nothing
 * this endpoint negotiates comes near an Ethernet MTU.
 */
export const RTP_MAX_PACKET = 1500;

const NO_CSRCS: readonly number[] = Object.freeze([]);

/** Parses one datagram as RTP; never throws. */
export function parseRtp(data: Uint8Array): RtpParse {
  if (data.length < RTP_HEADER_SIZE) return { ok: false, reason: 'short' };
  if (data.length > RTP_MAX_PACKET) return { ok: false, reason: 'too-large' };
  const b0 = data[0] ?? 0;
  const b1 = data[1] ?? 0;
  if (b0 >> 6 !== 2) return { ok: false, reason: 'version' };
  // RTCP packet types 200–204 land in 72–76 with the marker set (RFC 5761 §4): a peer that
  // multiplexes RTCP on the RTP port, or a misrouted report. Not audio.
  if (b1 >= 200 && b1 <= 204) return { ok: false, reason: 'rtcp-on-rtp-port' };
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + csrcCount * 4;
  if (offset > data.length) return { ok: false, reason: 'bad-length' };
  // Only mixers send CSRCs: the usual packet shares one frozen empty list (no array per packet).
  let csrcs = NO_CSRCS;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readUint32(data, RTP_HEADER_SIZE + i * 4));
    csrcs = list;
  }
  if (b0 & 0x10) {
    // Header extension (§5.3.1): 16-bit profile data, 16-bit length in 32-bit words.
    if (offset + 4 > data.length) return { ok: false, reason: 'bad-length' };
    offset += 4 + readUint16(data, offset + 2) * 4;
    if (offset > data.length) return { ok: false, reason: 'bad-length' };
  }
  let end = data.length;
  if (b0 & 0x20) {
    const padding = data[data.length - 1] ?? 0;
    if (padding === 0 || offset + padding > data.length) return { ok: false, reason: 'bad-padding' };
    end -= padding;
  }
  return {
    ok: true,
    packet: {
      payloadType: b1 & 0x7f,
      marker: (b1 & 0x80) !== 0,
      sequence: readUint16(data, 2),
      timestamp: readUint32(data, 4),
      ssrc: readUint32(data, 8),
      csrcs,
      payload: data.subarray(offset, end),
    },
  };
}

/** Big-endian reads without a DataView per datagram (the receiver parses 25,000 a second). */
function readUint16(data: Uint8Array, at: number): number {
  return (((data[at] as number) << 8) | (data[at + 1] as number)) >>> 0;
}

function readUint32(data: Uint8Array, at: number): number {
  return (
    ((data[at] as number) * 0x1000000 +
      (((data[at + 1] as number) << 16) | ((data[at + 2] as number) << 8) | (data[at + 3] as number))) >>>
    0
  );
}

/** What `serializeRtp` writes: a packet without CSRCs, extension or padding. */
export interface RtpPacketInit {
  payloadType: number;
  marker?: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

/** Serializes a packet (version 2, no padding, extension or CSRCs) into a new buffer. */
export function serializeRtp(packet: RtpPacketInit): Buffer {
  const out = Buffer.allocUnsafe(RTP_HEADER_SIZE + packet.payload.length);
  writeRtpHeader(out, packet);
  out.set(packet.payload, RTP_HEADER_SIZE);
  return out;
}

/**
 * Writes the 12-octet header into `out` (the payload follows from offset 12): the sender keeps
 * one buffer per leg and fills it in place each tick.
 */
export function writeRtpHeader(out: Uint8Array, packet: Omit<RtpPacketInit, 'payload'>): void {
  out[0] = 0x80;
  out[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  out[2] = (packet.sequence >> 8) & 0xff;
  out[3] = packet.sequence & 0xff;
  writeUint32(out, 4, packet.timestamp);
  writeUint32(out, 8, packet.ssrc);
}

/** Big-endian, without a DataView per packet (the sender writes 25,000 headers a second). */
function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 24) & 0xff;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}
