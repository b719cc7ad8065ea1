import type { SdpLine, SessionDescription } from './session-description.ts';

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/**
 * The "black hole" answer of RFC 3725 §4.4 Flow IV step 3: it accepts every stream of `offer`
 * (same port count, first offered format) but points it at 0.0.0.0 and marks it inactive
 * (RFC 3264 §8.4 and §6.1), so the agent's phone sends no media until the contact's
 * description arrives in the re-INVITE. Rejected streams (port 0) stay rejected (RFC 3264 §6).
 */
export function blackHoleAnswer(offer: SessionDescription): SessionDescription {
  const connection: SdpLine = { type: 'c', value: 'IN IP4 0.0.0.0' };
  return {
    origin: offer.origin,
    session: [
      { type: 'v', value: '0' },
      { type: 'o', value: '' },
      { type: 's', value: 'pconn' },
      connection,
      { type: 't', value: '0 0' },
    ],
    media: offer.media.map((m) => {
      const format = m.formats[0] ?? '0';
      const keep = m.lines.filter(
        (line) =>
          line.type === 'a' &&
          (line.value.startsWith(`rtpmap:${format} `) || line.value.startsWith(`fmtp:${format} `)),
      );
      const lines = m.port === 0 ? [] : [...keep, { type: 'a', value: 'inactive' }];
      return { media: m.media, port: m.port === 0 ? 0 : 9, proto: m.proto, formats: [format], lines };
    }),
  };
}

/** The direction attribute of a media section (RFC 3264 §5.1), sendrecv when absent. */
export function mediaDirection(lines: readonly SdpLine[]): string {
  return lines.find((line) => line.type === 'a' && DIRECTIONS.has(line.value))?.value ?? 'sendrecv';
}

/**
 * An offer that receives nothing (0.0.0.0, inactive; G.711 and RFC 4733 events), for a leg
 * that must carry an offer in its first INVITE before the other party's description is known.
 * The bridge re-INVITE replaces it (RFC 3725 §4.4).
 */
export function blackHoleOffer(): SessionDescription {
  return {
    origin: {
      username: '-',
      sessionId: '0',
      version: '0',
      netType: 'IN',
      addrType: 'IP4',
      address: '0.0.0.0',
    },
    session: [
      { type: 'v', value: '0' },
      { type: 'o', value: '' },
      { type: 's', value: 'pconn' },
      { type: 'c', value: 'IN IP4 0.0.0.0' },
      { type: 't', value: '0 0' },
    ],
    media: [
      {
        media: 'audio',
        port: 9,
        proto: 'RTP/AVP',
        formats: ['0', '8', '101'],
        lines: [
          { type: 'a', value: 'rtpmap:0 PCMU/8000' },
          { type: 'a', value: 'rtpmap:8 PCMA/8000' },
          { type: 'a', value: 'rtpmap:101 telephone-event/8000' },
          { type: 'a', value: 'inactive' },
        ],
      },
    ],
  };
}
