/**
 * Bounds on what one inbound message may cost before it is parsed in full.
 *
 * Why: parsing keeps every header as a string and a server transaction keeps the request and
 * its answer for Timer J (64·T1 = 32 s on UDP). A flood of 49 KB OPTIONS with 800 Vias each at
 * ~370/s took the server from 0.94 to 4.2 GB without any login. A cheap scan of the raw bytes
 * (size, header lines, Vias) refuses such messages before any string is built.
 */

/**
 * Largest UDP datagram accepted. RFC 3261 §18.1.1 sends any request over 1300 bytes by TCP
 * when it can, and pjsip's default PJSIP_MAX_PKT_LEN is 4000 bytes, so 16 KiB leaves a wide
 * margin for large SDP (video, ICE candidates) while capping what a spoofable source makes us
 * hold per transaction at a quarter of a 64 KiB datagram. Stream transports keep their own
 * StreamFramer bound (64 KiB): their source completed a handshake.
 */
export const MAX_DATAGRAM_BYTES = 16 * 1024;

/**
 * Most Via values one message may carry. Max-Forwards starts at 70 (RFC 3261 §8.1.1.6), so a
 * request that went through more proxies than that would have been refused on the way; a
 * legitimate message never comes close (pconn talks to phones and trunks directly).
 */
export const MAX_VIAS = 70;

/**
 * Most header lines (fields and continuation lines) in one message: 70 Vias, as many
 * Record-Routes and a hundred other fields, several times what real phones and trunks send
 * (typically 10–25 lines).
 */
export const MAX_HEADER_LINES = 256;

/** Why a message was refused by {@link prescanMessage}: bounded, usable as a metrics label. */
export type PrescanRefusal = 'too_large' | 'too_many_headers' | 'too_many_vias';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const COLON = 58;
const COMMA = 44;

/** True when `data[at..]` starts a Via header line (`Via` or compact `v`, then WSP* ":"). */
function isViaLine(data: Uint8Array, at: number, end: number): boolean {
  let i = at;
  const first = data[i]! | 0x20;
  if (first !== 0x76) return false; // 'v'
  i++;
  if (i + 1 < end && (data[i]! | 0x20) === 0x69 && (data[i + 1]! | 0x20) === 0x61) i += 2; // 'ia'
  while (i < end && (data[i] === SPACE || data[i] === TAB)) i++;
  return data[i] === COLON;
}

/**
 * Scans the raw bytes of one message (no string is built): its size when `maxBytes` is given,
 * its header lines up to the empty line, and its Via values (Via lines plus the commas in them,
 * which may overcount a comma inside a quoted parameter — harmless at these bounds). Answers
 * the first bound exceeded, or undefined.
 */
export function prescanMessage(data: Uint8Array, maxBytes?: number): PrescanRefusal | undefined {
  if (maxBytes !== undefined && data.length > maxBytes) return 'too_large';
  let lines = 0;
  let vias = 0;
  let inVia = false;
  // Skip the start line; a header line begins after each LF until an empty line.
  let at = data.indexOf(LF);
  if (at === -1) return undefined;
  at++;
  const end = data.length;
  while (at < end) {
    const byte = data[at]!;
    if (byte === CR || byte === LF) return undefined; // the empty line: headers are over
    let next = data.indexOf(LF, at);
    if (next === -1) next = end;
    lines++;
    if (lines > MAX_HEADER_LINES) return 'too_many_headers';
    const continuation = byte === SPACE || byte === TAB;
    if (!continuation) inVia = isViaLine(data, at, next);
    if (inVia) {
      if (!continuation) vias++;
      for (let i = at; i < next; i++) if (data[i] === COMMA) vias++;
      if (vias > MAX_VIAS) return 'too_many_vias';
    }
    at = next + 1;
  }
  return undefined;
}
