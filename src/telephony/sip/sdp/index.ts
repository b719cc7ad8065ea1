/** Minimal SDP (RFC 8866) for third-party call control: parse, serialize, re-stamp, black hole. */
export {
  type AudioCodecName,
  audioAnswer,
  audioOffer,
  type LocalAudio,
  type NegotiatedAudio,
  readAudioAnswer,
} from './audio-offer-answer.ts';
export { blackHoleAnswer, blackHoleOffer, mediaDirection } from './black-hole-answer.ts';
export { SdpSession } from './sdp-session.ts';
export {
  parseSdp,
  type SdpLine,
  type SdpMedia,
  type SdpOrigin,
  type SessionDescription,
  serializeSdp,
} from './session-description.ts';
