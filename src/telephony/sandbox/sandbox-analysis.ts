import type { AnswerDetection, AnswerFeatures } from '../../media/answer-detection-result.ts';
import type { AnswerDetectionSettings } from '../../media/answer-detection-settings.ts';
import type { SandboxAnalysis } from './magic-numbers.ts';

/** The detections a sandbox leg reports: its verdict, and a machine's beep. */
export interface SandboxDetections {
  verdict: AnswerDetection;
  /** The same detection with its beep filled in (machines with a beep only). */
  beep?: AnswerDetection;
}

/** A quiet line's noise floor (RMS of 16-bit samples), as a real analysis would measure it. */
const NOISE_FLOOR_RMS = 40;

/**
 * The detections the analyser would have reached on the number's audio, with plausible
 * features: a person's one word and a pause, a machine's long greeting, a fax's CNG, the three
 * SIT segments, nothing said, or talk that never pauses. `silence` and `unknown` come at the
 * leg's own thresholds, so a campaign's settings move them as they would on a real line.
 */
export function sandboxDetections(
  analysis: SandboxAnalysis,
  settings: AnswerDetectionSettings,
): SandboxDetections {
  const at = (fallback: number) => analysis.decidedAtMs ?? fallback;
  const base = (decidedAtMs: number, features: Omit<AnswerFeatures, 'noiseFloorRms' | 'analysedMs'>) => ({
    verdict: analysis.verdict,
    decidedAtMs,
    beepAtMs: null,
    features: { ...features, noiseFloorRms: NOISE_FLOOR_RMS, analysedMs: decidedAtMs },
  });
  switch (analysis.verdict) {
    case 'human': {
      const decidedAtMs = at(1800);
      const silence = settings.afterGreetingSilenceMs;
      const greetingMs = Math.max(100, decidedAtMs - silence - 400);
      return {
        verdict: base(decidedAtMs, {
          reason: 'after_greeting_silence',
          initialSilenceMs: 400,
          greetingMs,
          words: 1,
          silenceAtVerdictMs: silence,
        }),
      };
    }
    case 'machine': {
      const decidedAtMs = at(2500);
      const verdict: AnswerDetection = base(decidedAtMs, {
        reason: 'long_greeting',
        initialSilenceMs: 300,
        greetingMs: settings.greetingMs,
        words: 3,
        silenceAtVerdictMs: 0,
      });
      if (analysis.beepAfterVerdictMs === undefined) return { verdict };
      const beepAtMs = decidedAtMs + analysis.beepAfterVerdictMs;
      const beepMs = 400;
      const beep: AnswerDetection = {
        ...verdict,
        beepAtMs,
        features: {
          ...verdict.features,
          analysedMs: beepAtMs,
          beep: { startMs: beepAtMs - beepMs, durationMs: beepMs, frequencyHz: 1000 },
        },
      };
      return { verdict, beep };
    }
    case 'fax': {
      const decidedAtMs = at(1000);
      return {
        verdict: base(decidedAtMs, {
          reason: 'fax_cng',
          initialSilenceMs: decidedAtMs,
          greetingMs: 0,
          words: 0,
          silenceAtVerdictMs: 0,
          faxTone: { tone: 'cng', startMs: decidedAtMs - settings.faxToneMs, durationMs: settings.faxToneMs },
        }),
      };
    }
    case 'invalid_number': {
      const decidedAtMs = at(1100);
      const segment = 330;
      return {
        verdict: base(decidedAtMs, {
          reason: 'sit',
          initialSilenceMs: decidedAtMs,
          greetingMs: 0,
          words: 0,
          silenceAtVerdictMs: 0,
          sit: {
            startMs: decidedAtMs - 3 * segment,
            segmentsMs: [segment, segment, segment],
            frequenciesHz: [913.8, 1370.6, 1776.7],
          },
        }),
      };
    }
    case 'silence': {
      const decidedAtMs = at(settings.initialSilenceMs);
      return {
        verdict: base(decidedAtMs, {
          reason: 'initial_silence',
          initialSilenceMs: decidedAtMs,
          greetingMs: 0,
          words: 0,
          silenceAtVerdictMs: decidedAtMs,
        }),
      };
    }
    case 'unknown': {
      const decidedAtMs = at(settings.totalAnalysisMs);
      return {
        verdict: base(decidedAtMs, {
          reason: 'total_analysis_time',
          initialSilenceMs: 300,
          // Talk that never stops for long enough to be a person's pause, nor long enough per
          // word to be a machine's greeting: what leaves the analyser undecided.
          greetingMs: Math.min(settings.greetingMs - 20, decidedAtMs - 300),
          words: Math.max(1, settings.maxWords - 1),
          silenceAtVerdictMs: 0,
        }),
      };
    }
  }
}
