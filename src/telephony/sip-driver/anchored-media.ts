import type { LegEvent, LegMediaQuality } from '../../domain/telephony.ts';
import type { AnswerDetection } from '../../media/answer-detection-result.ts';
import type { AnswerDetectionSettings } from '../../media/answer-detection-settings.ts';
import { AnswerDetector } from '../../media/answer-detector.ts';
import { FRAME_SAMPLES, type RtpEndpoint, type RtpLeg } from '../rtp/index.ts';
import {
  type AudioCodecName,
  audioAnswer,
  audioOffer,
  type NegotiatedAudio,
  parseSdp,
  readAudioAnswer,
  type SessionDescription,
} from '../sip/sdp/index.ts';

/** The events anchored media adds to a leg's stream. */
type MediaEvent = Extract<LegEvent, { type: 'analysis' | 'beep' }>;

/**
 * A contact leg's media while pconn holds it (LegRequest.anchor): one RtpLeg of the node's
 * endpoint, the offer/answer that points the contact at it, answer detection on every frame
 * from the answer on, and prompts played into it. It lives until the bridge hands the media to
 * the agent (`release`) or the leg ends (`finish`); either way its ports are freed and the
 * quality figures of its RTP stay readable for the `ended` event.
 */
export class AnchoredMedia {
  private state: 'opened' | 'live' | 'moving' | 'released' | 'closed' = 'opened';
  private codec: AudioCodecName | undefined;
  private detector: AnswerDetector | undefined;
  private analysedSamples = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private finalQuality: LegMediaQuality | undefined;
  private closing: Promise<unknown> | undefined;

  private constructor(
    private readonly rtp: RtpLeg,
    private readonly detection: AnswerDetectionSettings | undefined,
    private readonly emit: (event: MediaEvent) => void,
  ) {}

  /** Binds a port pair on `endpoint` (rejects with RtpPortsExhaustedError when none is free). */
  static async open(
    endpoint: RtpEndpoint,
    detection: AnswerDetectionSettings | undefined,
    emit: (event: MediaEvent) => void,
  ): Promise<AnchoredMedia> {
    let media: AnchoredMedia | undefined;
    // The frame callback is fixed when the leg is created; frames before the answer are ignored.
    const rtp = await endpoint.openLeg({ onFrame: (frame) => media?.frame(frame) });
    media = new AnchoredMedia(rtp, detection, emit);
    return media;
  }

  /** True between the answer and the bridge or end: `play` works. */
  get live(): boolean {
    return this.state === 'live';
  }

  /** Our offer (when the first INVITE must carry one): G.711 and telephone-event on our port. */
  offer(): SessionDescription {
    return audioOffer(this.local());
  }

  /**
   * Our answer to the contact's offer (RFC 3264 §6), the leg pointed at the contact's address;
   * undefined when the offer has no G.711 audio stream over RTP/AVP.
   */
  answer(offerSdp: string | undefined): SessionDescription | undefined {
    const offer = offerSdp === undefined ? undefined : parseSdp(offerSdp);
    if (!offer) return undefined;
    // pconn has no preference between the two laws: the contact's order decides (its offer
    // lists formats most preferred first, RFC 3264 §5.1), which spares it a transcoding.
    const answers = (['PCMU', 'PCMA'] as const).flatMap((first) => {
      const codecs: AudioCodecName[] = first === 'PCMU' ? ['PCMU', 'PCMA'] : ['PCMA', 'PCMU'];
      const found = audioAnswer(offer, { ...this.local(), codecs });
      return found ? [found] : [];
    });
    const rank = (payloadType: number) =>
      offer.media
        .find((m) => m.formats.includes(String(payloadType)))
        ?.formats.indexOf(String(payloadType)) ?? Number.MAX_SAFE_INTEGER;
    const result = answers.sort((a, b) => rank(a.audio.payloadType) - rank(b.audio.payloadType))[0];
    if (!result) return undefined;
    this.configure(result.audio);
    return result.answer;
  }

  /** Takes the contact's answer to our offer; false when it refused G.711 audio. */
  accept(answerSdp: string | undefined): boolean {
    const answer = answerSdp === undefined ? undefined : parseSdp(answerSdp);
    const audio = answer && readAudioAnswer(answer, this.local());
    if (!audio) return false;
    this.configure(audio);
    return true;
  }

  /**
   * The leg is answered: from now on every frame received goes to answer detection (when
   * asked for), and prompts may play. A peer that sends no RTP at all still gets a verdict:
   * the analyser is fed the silence it did not receive once its total analysis time has passed
   * on the wall clock (plus a margin for a late first packet).
   */
  start(): void {
    if (this.state !== 'opened') return;
    this.state = 'live';
    const settings = this.detection;
    if (!settings) return;
    this.detector = new AnswerDetector(settings);
    this.watchdog = setTimeout(() => this.fillSilence(), settings.totalAnalysisMs + 1000);
    this.watchdog.unref();
  }

  /** Plays a prompt; a new prompt cuts the one playing (it resolves false). */
  play(audio: Int16Array): Promise<boolean> {
    if (this.state !== 'live') return Promise.resolve(false);
    this.rtp.stopPlayback();
    return this.rtp.play(audio);
  }

  /** The bridge begins: playback and analysis stop (media still flows until it has moved). */
  quiet(): void {
    if (this.state !== 'live') return;
    this.state = 'moving';
    this.detector = undefined;
    clearTimeout(this.watchdog);
    this.rtp.stopPlayback();
  }

  /**
   * The bridge moves the media away: playback and analysis stop, the leg's figures are kept and
   * its ports freed (resolves once the sockets are closed).
   */
  async release(): Promise<void> {
    if (this.state === 'released' || this.state === 'closed') return;
    this.stop('released');
    await this.closing;
  }

  /** The leg ended: stops everything, frees the ports; the figures when it was ever answered. */
  finish(): LegMediaQuality | undefined {
    if (this.state !== 'closed' && this.state !== 'released') this.stop('closed');
    this.state = 'closed';
    return this.finalQuality;
  }

  /** Resolves once the RTP sockets are closed (tests wait on it through the endpoint). */
  get closed(): Promise<unknown> {
    return this.closing ?? Promise.resolve();
  }

  private stop(next: 'released' | 'closed'): void {
    const wasLive = this.state === 'live' || this.state === 'moving';
    this.state = next;
    this.detector = undefined;
    clearTimeout(this.watchdog);
    this.rtp.stopPlayback();
    if (wasLive && this.codec) this.finalQuality = this.figures(this.codec);
    this.closing = this.rtp.close().catch(() => undefined);
  }

  private figures(codec: AudioCodecName): LegMediaQuality {
    const q = this.rtp.quality();
    return {
      packetsReceived: q.received.packets,
      packetsLost: Math.max(0, q.received.lost),
      jitterMs: q.received.jitterMs,
      packetsSent: q.sent.packets,
      codec,
    };
  }

  private configure(audio: NegotiatedAudio): void {
    this.codec = audio.codec;
    this.rtp.setCodec(audio.codec, audio.payloadType);
    this.rtp.setRemote({ address: audio.address, port: audio.port });
    this.rtp.setDirection(audio.direction);
  }

  private local(): { address: string; port: number } {
    return { address: this.rtp.localAddress, port: this.rtp.localPort };
  }

  private frame(frame: Int16Array): void {
    if (this.state !== 'live' || !this.detector) return;
    this.analysedSamples += frame.length;
    this.analyse(frame);
  }

  private analyse(samples: Int16Array): void {
    const detector = this.detector;
    if (!detector) return;
    for (const event of detector.push(samples)) {
      // A copy: the detector fills beepAtMs in later, and an event must not change once sent.
      const detection = structuredClone(event.detection) as AnswerDetection;
      this.emit(event.kind === 'verdict' ? { type: 'analysis', detection } : { type: 'beep', detection });
      // A beep can be what decided `machine` (a short greeting): the port promises a `beep`
      // after the verdict all the same, so a dialer leaving a message waits for one event only.
      if (event.kind === 'verdict' && detection.verdict === 'machine' && detection.beepAtMs !== null)
        this.emit({ type: 'beep', detection: structuredClone(detection) as AnswerDetection });
    }
    // The verdict is in and no beep is awaited any more: stop analysing.
    if (!detector.listening) {
      this.detector = undefined;
      clearTimeout(this.watchdog);
    }
  }

  /** The peer sent less audio than the wall clock says: analyse the missing part as silence. */
  private fillSilence(): void {
    const settings = this.detection;
    if (this.state !== 'live' || !this.detector?.listening || this.detector.detection || !settings) return;
    const missing = Math.max(0, (settings.totalAnalysisMs / 1000) * 8000 - this.analysedSamples);
    this.analyse(new Int16Array(missing + FRAME_SAMPLES));
  }
}
