/** RTP/RTCP media endpoint (RFC 3550, 3551, 4733): G.711 legs on a port range, one shared tick. */

export {
  decodeAlawSample,
  decodeG711,
  decodeUlawSample,
  encodeAlawSample,
  encodeG711,
  encodeUlawSample,
  type G711Codec,
  g711Silence,
} from '../../media/g711.ts';
export { FrameClock, type MonotonicClock, type TickListener } from './frame-clock.ts';
export {
  type PortRange,
  parsePortRange,
  RtpPortAllocator,
  RtpPortsExhaustedError,
} from './port-allocator.ts';
/** What RTCP told about a leg. */
export type { RemoteReport, RtcpSummary } from './rtcp-reporter.ts';
export { DEFAULT_RTP_PORTS, RtpEndpoint, type RtpEndpointOptions } from './rtp-endpoint.ts';
export { type LegQuality, type MediaAddress, RtpLeg, type RtpLegOptions } from './rtp-leg.ts';
export { parseRtp, type RtpPacket, serializeRtp } from './rtp-packet.ts';
export { FRAME_SAMPLES } from './rtp-sender.ts';
/** A key press received as an RFC 4733 event. */
export type { DtmfDigit } from './telephone-event.ts';
