import type { AnswerDetection } from './answer-detection-result.ts';
import type { AnswerDetectionSettings } from './answer-detection-settings.ts';
import { AnswerDetector } from './answer-detector.ts';
import { FRAME_SAMPLES } from './pcm-frame.ts';

/**
 * Answer detection over a whole recording (8 kHz, 16-bit, from the instant of answer): the same
 * detector a live leg runs, fed 20 ms frames as RTP would, so `pconn amd` and a call agree.
 */
export function detectAnswer(
  samples: Int16Array,
  settings: Partial<AnswerDetectionSettings> = {},
): AnswerDetection {
  const detector = new AnswerDetector(settings);
  for (let at = 0; at < samples.length && detector.listening; at += FRAME_SAMPLES)
    detector.push(samples.subarray(at, at + FRAME_SAMPLES));
  return detector.finish();
}
