import { ANALYSIS_SAMPLE_RATE } from './pcm-frame.ts';
import { resample } from './resample.ts';
import { readWav, type WavAudio, type WavReadOptions } from './wav-reader.ts';

/** A WAV file's audio, ready for analysis: 8 kHz 16-bit mono, with what the file held. */
export interface AnalysisAudio {
  samples: Int16Array;
  /** The file's own rate and encoding. */
  source: Pick<WavAudio, 'sampleRate' | 'encoding'>;
}

/** Decodes a WAV file (see readWav for what is accepted) and resamples it to 8 kHz once. */
export function decodeForAnalysis(file: Uint8Array, options: WavReadOptions = {}): AnalysisAudio {
  const wav = readWav(file, options);
  return {
    samples: resample(wav.samples, wav.sampleRate, ANALYSIS_SAMPLE_RATE),
    source: { sampleRate: wav.sampleRate, encoding: wav.encoding },
  };
}
