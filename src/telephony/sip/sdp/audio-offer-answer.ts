import { mediaDirection } from './black-hole-answer.ts';
import type { SdpLine, SdpMedia, SessionDescription } from './session-description.ts';

/**
 * SDP offer/answer (RFC 3264) for a media endpoint of our own with one G.711 audio stream and
 * RFC 4733 telephone-events: the offer pconn sends when it anchors a leg's media, and the answer
 * it gives to a peer's offer. Knows nothing of sockets: the caller passes the address and port
 * its RTP endpoint bound and gets back what to configure the leg with.
 */

/** The G.711 codecs (RFC 3551 payload types 0 and 8). */
export type AudioCodecName = 'PCMU' | 'PCMA';

/** What both sides agreed for the audio stream, as seen from our side. */
export interface NegotiatedAudio {
  /** Where to send RTP (the peer's connection address and port). */
  address: string;
  port: number;
  codec: AudioCodecName;
  payloadType: number;
  /** The telephone-event payload type, when both sides support it. */
  eventPayloadType?: number;
  /** Our direction (RFC 3264 §6.1): the mirror of the peer's. */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** Our side of the stream. */
export interface LocalAudio {
  address: string;
  port: number;
  /** Preference order; default PCMU then PCMA. */
  codecs?: AudioCodecName[];
  /** Default 101. */
  eventPayloadType?: number;
}

const STATIC_TYPES: Record<AudioCodecName, number> = { PCMU: 0, PCMA: 8 };
const MIRROR = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
} as const;

/** Our offer: one audio m-line with the codecs, telephone-event 0–15 and 20 ms packets. */
export function audioOffer(local: LocalAudio): SessionDescription {
  const codecs = local.codecs ?? ['PCMU', 'PCMA'];
  const event = local.eventPayloadType ?? 101;
  return describe(local.address, {
    media: 'audio',
    port: local.port,
    proto: 'RTP/AVP',
    formats: [...codecs.map((codec) => String(STATIC_TYPES[codec])), String(event)],
    lines: [
      ...codecs.map((codec) => rtpmap(STATIC_TYPES[codec], codec)),
      ...eventLines(event),
      ...trailer('sendrecv'),
    ],
  });
}

/**
 * Answers `offer`: the first audio stream gets our first codec the peer also offered (and
 * telephone-event with the peer's payload type when offered); every other stream is refused
 * with port 0, as RFC 3264 §6 requires one answer line per offered line. Undefined when no
 * audio stream offers PCMU or PCMA over RTP/AVP.
 */
export function audioAnswer(
  offer: SessionDescription,
  local: LocalAudio,
): { answer: SessionDescription; audio: NegotiatedAudio } | undefined {
  const index = offer.media.findIndex((m) => isUsableAudio(m) && chooseCodec(m, local) !== undefined);
  const chosen = offer.media[index];
  if (!chosen) return undefined;
  const audio = negotiated(offer, chosen, local);
  if (!audio) return undefined;
  const mine: SdpMedia = {
    media: 'audio',
    port: local.port,
    proto: chosen.proto,
    formats: [
      String(audio.payloadType),
      ...(audio.eventPayloadType === undefined ? [] : [String(audio.eventPayloadType)]),
    ],
    lines: [
      rtpmap(audio.payloadType, audio.codec),
      ...(audio.eventPayloadType === undefined ? [] : eventLines(audio.eventPayloadType)),
      ...trailer(audio.direction),
    ],
  };
  const media = offer.media.map((m, i) =>
    i === index
      ? mine
      : { media: m.media, port: 0, proto: m.proto, formats: m.formats.slice(0, 1), lines: [] },
  );
  return { answer: { ...describe(local.address, mine), media }, audio };
}

/** What a peer's answer to our `audioOffer` agreed; undefined when it refused audio. */
export function readAudioAnswer(answer: SessionDescription, local: LocalAudio): NegotiatedAudio | undefined {
  const stream = answer.media.find((m) => isUsableAudio(m));
  return stream && negotiated(answer, stream, local, 'theirs');
}

function negotiated(
  sdp: SessionDescription,
  m: SdpMedia,
  local: LocalAudio,
  order: 'ours' | 'theirs' = 'ours',
): NegotiatedAudio | undefined {
  const codec = chooseCodec(m, local, order);
  const address = connectionAddress(m.lines) ?? connectionAddress(sdp.session);
  if (!codec || !address) return undefined;
  const event = m.formats.find((f) => rtpmapOf(m, f)?.toLowerCase() === 'telephone-event/8000');
  return {
    address,
    port: m.port,
    codec: codec.name,
    payloadType: codec.payloadType,
    eventPayloadType: event === undefined ? undefined : Number(event),
    direction: MIRROR[mediaDirection(m.lines) as keyof typeof MIRROR] ?? 'sendrecv',
  };
}

function isUsableAudio(m: SdpMedia): boolean {
  return m.media === 'audio' && m.port > 0 && m.proto.toUpperCase() === 'RTP/AVP';
}

/**
 * The codec of the stream: our most preferred one it lists when we answer, its first one we
 * support when it is the answer to our offer (the answerer's order is what it sends, §6.1).
 */
function chooseCodec(
  m: SdpMedia,
  local: LocalAudio,
  order: 'ours' | 'theirs' = 'ours',
): { name: AudioCodecName; payloadType: number } | undefined {
  const ours = local.codecs ?? ['PCMU', 'PCMA'];
  const nameOf = (format: string): AudioCodecName | undefined => {
    if (!/^\d{1,3}$/.test(format)) return undefined;
    const map = rtpmapOf(m, format)?.toUpperCase();
    return ours.find((name) =>
      map ? map === `${name}/8000` || map === `${name}/8000/1` : Number(format) === STATIC_TYPES[name],
    );
  };
  const candidates = m.formats.flatMap((format) => {
    const name = nameOf(format);
    return name ? [{ name, payloadType: Number(format) }] : [];
  });
  if (order === 'theirs') return candidates[0];
  for (const name of ours) {
    const found = candidates.find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The encoding of an `a=rtpmap:<format> <encoding>` line of the stream. */
function rtpmapOf(m: SdpMedia, format: string): string | undefined {
  const prefix = `rtpmap:${format} `;
  return m.lines
    .find((line) => line.type === 'a' && line.value.startsWith(prefix))
    ?.value.slice(prefix.length)
    .trim();
}

/** The address of a c= line (`IN IP4 198.51.100.7`), if any. */
function connectionAddress(lines: readonly SdpLine[]): string | undefined {
  const c = lines.find((line) => line.type === 'c')?.value.split(' ');
  return c?.[0] === 'IN' && c[2] ? c[2].split('/')[0] : undefined;
}

function rtpmap(payloadType: number, codec: AudioCodecName): SdpLine {
  return { type: 'a', value: `rtpmap:${payloadType} ${codec}/8000` };
}

function eventLines(payloadType: number): SdpLine[] {
  return [
    { type: 'a', value: `rtpmap:${payloadType} telephone-event/8000` },
    { type: 'a', value: `fmtp:${payloadType} 0-15` },
  ];
}

function trailer(direction: string): SdpLine[] {
  return [
    { type: 'a', value: 'ptime:20' },
    { type: 'a', value: direction },
  ];
}

/** A description with session-level lines for `address` and one media section. */
function describe(address: string, media: SdpMedia): SessionDescription {
  const addrType = address.includes(':') ? 'IP6' : 'IP4';
  return {
    origin: { username: '-', sessionId: '0', version: '0', netType: 'IN', addrType, address },
    session: [
      { type: 'v', value: '0' },
      { type: 'o', value: '' },
      { type: 's', value: 'pconn' },
      { type: 'c', value: `IN ${addrType} ${address}` },
      { type: 't', value: '0 0' },
    ],
    media: [media],
  };
}
