/** One `<type>=<value>` line of an SDP body (RFC 8866 §5). */
export interface SdpLine {
  type: string;
  value: string;
}

/** The o= line (RFC 8866 §5.2): the session's identity and version. */
export interface SdpOrigin {
  username: string;
  sessionId: string;
  /** Incremented on every changed offer or answer within a session (RFC 3264 §8). */
  version: string;
  netType: string;
  addrType: string;
  address: string;
}

/** One m= section: the media line and the lines that follow it. */
export interface SdpMedia {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  lines: SdpLine[];
}

/** A parsed SDP body: session-level lines (v=, o=, s=, c=, t=, a=…) and media sections. */
export interface SessionDescription {
  origin: SdpOrigin;
  session: SdpLine[];
  media: SdpMedia[];
}

/** True when `line` holds a character that `.` of a regular expression does not match. */
function hasLineTerminator(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/**
 * Parses an SDP body leniently enough for real phones (LF or CRLF, trailing blank lines) but
 * requires v=0, an o= line and at least the m= lines to be well formed. Undefined when not SDP.
 */
export function parseSdp(text: string | Uint8Array): SessionDescription | undefined {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const lines = source.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== 'v=0') return undefined;
  const session: SdpLine[] = [];
  const media: SdpMedia[] = [];
  let origin: SdpOrigin | undefined;
  for (const raw of lines) {
    // `<type>=<value>` with a lower-case letter as type (the /^([a-z])=(.*)$/ of RFC 8866 §5,
    // checked by hand: no match array per line); '.' excludes line terminators from the value.
    const type = raw.charCodeAt(0);
    if (type < 97 || type > 122 || raw.charCodeAt(1) !== 61 || hasLineTerminator(raw)) return undefined;
    const line = { type: raw[0]!, value: raw.slice(2) };
    if (line.type === 'm') {
      const parts = line.value.split(' ');
      const port = Number.parseInt(parts[1] ?? '', 10);
      if (parts.length < 3 || !Number.isInteger(port)) return undefined;
      media.push({ media: parts[0] ?? '', port, proto: parts[2] ?? '', formats: parts.slice(3), lines: [] });
      continue;
    }
    if (line.type === 'o') {
      const p = line.value.split(' ');
      if (p.length !== 6) return undefined;
      origin = {
        username: p[0] ?? '',
        sessionId: p[1] ?? '',
        version: p[2] ?? '',
        netType: p[3] ?? '',
        addrType: p[4] ?? '',
        address: p[5] ?? '',
      };
    }
    const current = media.at(-1);
    if (current) current.lines.push(line);
    else session.push(line);
  }
  return origin ? { origin, session, media } : undefined;
}

/** Serializes a description with CRLF line ends (RFC 8866 §5), o= taken from `origin`. */
export function serializeSdp(sdp: SessionDescription): string {
  const o = sdp.origin;
  const out: string[] = [];
  for (const line of sdp.session) {
    out.push(
      line.type === 'o'
        ? `o=${o.username} ${o.sessionId} ${o.version} ${o.netType} ${o.addrType} ${o.address}`
        : `${line.type}=${line.value}`,
    );
  }
  for (const m of sdp.media) {
    out.push(`m=${[m.media, String(m.port), m.proto, ...m.formats].join(' ')}`);
    for (const line of m.lines) out.push(`${line.type}=${line.value}`);
  }
  return `${out.join('\r\n')}\r\n`;
}
