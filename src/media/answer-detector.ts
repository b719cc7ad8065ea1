import type {
  AnswerDetection,
  AnswerFeatures,
  AnswerReason,
  AnswerVerdict,
} from './answer-detection-result.ts';
import { type AnswerDetectionSettings, DEFAULT_ANSWER_DETECTION } from './answer-detection-settings.ts';
import { BeepDetector, type BeepEvent } from './beep-detector.ts';
import { measureFrameTones } from './frame-tones.ts';
import { ANALYSIS_SAMPLE_RATE, FRAME_MS, FRAME_SAMPLES } from './pcm-frame.ts';
import { SignallingToneDetector, type SignallingToneEvent } from './signalling-tone-detector.ts';
import { VoiceActivityDetector } from './voice-activity.ts';

/** What one push produced: the verdict when reached, then the beep (machines only). */
export type AnswerDetectorEvent =
  | { kind: 'verdict'; detection: AnswerDetection }
  | { kind: 'beep'; beepAtMs: number; detection: AnswerDetection };

/**
 * Answer detection on the contact's audio from the instant of answer: push 8 kHz 16-bit PCM in
 * any chunk size (an RTP leg pushes 160-sample frames), get the verdict as soon as a rule
 * decides. Time is the number of samples pushed, never a clock. The rules, checked every 20 ms:
 *   1. a fax tone (CNG/CED) or a complete SIT → `fax` / `invalid_number`;
 *   2. nothing said within initialSilenceMs → `silence`;
 *   3. maxWords words, more than greetingMs of voice, or a beep → `machine`;
 *   4. a greeting followed by afterGreetingSilenceMs of silence → `human`;
 *   5. totalAnalysisMs reached → `unknown`.
 * After `machine` it keeps listening up to beepTimeoutMs for the beep, so the message can be
 * left after the tone.
 */
export class AnswerDetector {
  readonly #settings: AnswerDetectionSettings;
  readonly #voice: VoiceActivityDetector;
  readonly #tones: SignallingToneDetector;
  readonly #beeps: BeepDetector;
  readonly #pending = new Int16Array(FRAME_SAMPLES);
  #pendingLength = 0;
  #frames = 0;
  // Word tracking (ms).
  #voiceRunMs = 0;
  #silenceRunMs = 0;
  #inWord = false;
  #words = 0;
  #firstWordAtMs: number | undefined;
  #greetingVoiceMs = 0;
  #detection: AnswerDetection | undefined;
  #beepFound = false;

  constructor(settings: Partial<AnswerDetectionSettings> = {}) {
    this.#settings = { ...DEFAULT_ANSWER_DETECTION, ...settings };
    this.#voice = new VoiceActivityDetector({ silenceThreshold: this.#settings.silenceThreshold }, FRAME_MS);
    this.#tones = new SignallingToneDetector(this.#settings, FRAME_MS);
    this.#beeps = new BeepDetector({ minBeepMs: this.#settings.minBeepMs }, FRAME_MS);
  }

  /** The verdict once reached (its beepAtMs fills in if a beep follows). */
  get detection(): AnswerDetection | undefined {
    return this.#detection;
  }

  /** True while audio can still change the outcome: no verdict yet, or a machine's beep awaited. */
  get listening(): boolean {
    const d = this.#detection;
    if (!d) return true;
    return (
      d.verdict === 'machine' &&
      !this.#beepFound &&
      this.#elapsedMs() - d.decidedAtMs < this.#settings.beepTimeoutMs
    );
  }

  /** Analyses the next samples (8 kHz, 16-bit); returns what they decided, in order. */
  push(samples: Int16Array): AnswerDetectorEvent[] {
    const events: AnswerDetectorEvent[] = [];
    if (this.#pendingLength === 0 && samples.length === FRAME_SAMPLES) {
      // The usual case (an RTP leg's frame): analysed where it lies, without a copy.
      if (!this.listening) return events;
      const event = this.#frame(samples);
      if (event) events.push(event);
      return events;
    }
    let at = 0;
    while (at < samples.length && this.listening) {
      const take = Math.min(FRAME_SAMPLES - this.#pendingLength, samples.length - at);
      this.#pending.set(samples.subarray(at, at + take), this.#pendingLength);
      this.#pendingLength += take;
      at += take;
      if (this.#pendingLength < FRAME_SAMPLES) break;
      this.#pendingLength = 0;
      const event = this.#frame(this.#pending);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * The end of the audio (offline analysis): returns the verdict, deciding `silence` (nothing
   * said) or `unknown` (something said) when no rule had decided yet.
   */
  finish(): AnswerDetection {
    if (!this.#detection) {
      const spoke = this.#words > 0;
      this.#decide(spoke ? 'unknown' : 'silence', 'end_of_audio');
    } else if (this.listening) {
      const beep = this.#beeps.flush();
      if (beep) this.#recordBeep(beep);
    }
    const detection = this.#detection as AnswerDetection;
    detection.features.analysedMs = this.#elapsedMs();
    return detection;
  }

  #elapsedMs(): number {
    return this.#frames * FRAME_MS;
  }

  #frame(frame: Int16Array): AnswerDetectorEvent | undefined {
    this.#frames++;
    // After the verdict only the beep detector listens: the seven signalling tones can no
    // longer change anything, so their filters are not run.
    const tones = measureFrameTones(frame, ANALYSIS_SAMPLE_RATE, this.#detection === undefined);
    // Every frame goes through the beep detector, which counts time in frames; a tone before
    // anyone spoke is not a machine's beep.
    const tone = this.#beeps.push(tones);
    const beep = this.#words > 0 ? tone : undefined;
    if (this.#detection) {
      if (!beep) return undefined;
      this.#recordBeep(beep);
      return { kind: 'beep', beepAtMs: beep.atMs, detection: this.#detection };
    }
    // A fax does not speak: 1100 Hz after a greeting is a machine's beep (many beep near it),
    // left to the beep detector; CED (2100 Hz, above any beep) and SIT count at any time.
    const greeted = this.#words > 0;
    const signalling = this.#tones.push(tones);
    if (signalling && !(greeted && signalling.kind === 'fax' && signalling.tone === 'cng'))
      return this.#verdictForTone(signalling);
    // Before anyone spoke, a signalling tone is not speech; after, it keeps the greeting going
    // (a beep at 1100 Hz must not pass for the silence that makes a person).
    const voice = this.#voice.isVoice(tones.power) && (greeted || tones.signalling === undefined);
    this.#trackWords(voice);
    if (beep) {
      const detection = this.#decide('machine', 'beep');
      this.#recordBeep(beep);
      return { kind: 'verdict', detection };
    }
    const rule = this.#rule();
    if (!rule) return undefined;
    return { kind: 'verdict', detection: this.#decide(rule[0], rule[1]) };
  }

  #trackWords(voice: boolean): void {
    const s = this.#settings;
    if (voice) {
      this.#silenceRunMs = 0;
      this.#voiceRunMs += FRAME_MS;
      if (this.#firstWordAtMs !== undefined) this.#greetingVoiceMs += FRAME_MS;
      if (!this.#inWord && this.#voiceRunMs >= s.minWordMs) {
        this.#inWord = true;
        this.#words++;
        if (this.#firstWordAtMs === undefined) {
          this.#firstWordAtMs = this.#elapsedMs() - this.#voiceRunMs;
          this.#greetingVoiceMs = this.#voiceRunMs;
        }
      }
      return;
    }
    this.#silenceRunMs += FRAME_MS;
    if (this.#silenceRunMs >= s.betweenWordsSilenceMs) {
      this.#voiceRunMs = 0;
      this.#inWord = false;
    }
  }

  #rule(): [AnswerVerdict, AnswerReason] | undefined {
    const s = this.#settings;
    const elapsed = this.#elapsedMs();
    if (this.#firstWordAtMs === undefined) {
      if (elapsed >= s.initialSilenceMs) return ['silence', 'initial_silence'];
    } else {
      if (this.#words >= s.maxWords) return ['machine', 'max_words'];
      if (this.#greetingVoiceMs > s.greetingMs) return ['machine', 'long_greeting'];
      if (this.#silenceRunMs >= s.afterGreetingSilenceMs) return ['human', 'after_greeting_silence'];
    }
    if (elapsed >= s.totalAnalysisMs) return ['unknown', 'total_analysis_time'];
    return undefined;
  }

  #verdictForTone(event: SignallingToneEvent): AnswerDetectorEvent {
    if (event.kind === 'fax') {
      const detection = this.#decide('fax', event.tone === 'cng' ? 'fax_cng' : 'fax_ced');
      detection.features.faxTone = { tone: event.tone, startMs: event.startMs, durationMs: event.durationMs };
      return { kind: 'verdict', detection };
    }
    const detection = this.#decide('invalid_number', 'sit');
    const { startMs, segmentsMs, frequenciesHz } = event;
    detection.features.sit = { startMs, segmentsMs, frequenciesHz };
    return { kind: 'verdict', detection };
  }

  #decide(verdict: AnswerVerdict, reason: AnswerReason): AnswerDetection {
    const elapsed = this.#elapsedMs();
    const features: AnswerFeatures = {
      reason,
      initialSilenceMs: this.#firstWordAtMs ?? elapsed,
      greetingMs: this.#firstWordAtMs === undefined ? 0 : this.#greetingVoiceMs,
      words: this.#words,
      silenceAtVerdictMs: this.#silenceRunMs,
      noiseFloorRms: Math.round(this.#voice.noiseFloorRms),
      analysedMs: elapsed,
    };
    this.#detection = { verdict, decidedAtMs: elapsed, beepAtMs: null, features };
    return this.#detection;
  }

  #recordBeep(beep: BeepEvent): void {
    const detection = this.#detection as AnswerDetection;
    this.#beepFound = true;
    detection.beepAtMs = beep.atMs;
    detection.features.beep = {
      startMs: beep.startMs,
      durationMs: beep.durationMs,
      frequencyHz: beep.frequencyHz,
    };
    detection.features.analysedMs = this.#elapsedMs();
  }
}
