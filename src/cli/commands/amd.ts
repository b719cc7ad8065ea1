import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AnswerDetection } from '../../media/answer-detection-result.ts';
import {
  ANSWER_DETECTION_BOUNDS,
  type AnswerDetectionSettings,
  DEFAULT_ANSWER_DETECTION,
  resolveAnswerDetectionSettings,
} from '../../media/answer-detection-settings.ts';
import { detectAnswer } from '../../media/detect-answer.ts';
import { type AnalysisAudio, decodeForAnalysis } from '../../media/read-audio-file.ts';
import { WavFormatError } from '../../media/wav-format-error.ts';
import { DEFAULT_MAX_WAV_BYTES } from '../../media/wav-reader.ts';
import { EXIT, print, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';

type Setting = keyof AnswerDetectionSettings;

/** `greetingMs` → `greeting-ms`, the flag's name. */
function flagOf(setting: Setting): string {
  return setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

// commander's camelCase key of a flag (`--greeting-ms` → `greetingMs`) is the setting's own name.
const SETTINGS = Object.keys(ANSWER_DETECTION_BOUNDS) as Setting[];

const HELP: Record<Setting, string> = {
  initialSilenceMs: 'silence before anyone speaks that gives `silence` (ms)',
  greetingMs: 'voice in the greeting beyond which it is a machine (ms)',
  afterGreetingSilenceMs: 'silence after a greeting that gives `human` (ms)',
  minWordMs: 'shortest voice that counts as a word (ms)',
  betweenWordsSilenceMs: 'silence that separates two words (ms)',
  maxWords: 'words at which the greeting is a machine’s',
  totalAnalysisMs: 'no verdict by then gives `unknown` (ms)',
  silenceThreshold: 'level (RMS, 16-bit) below which audio is silence',
  faxToneMs: 'fax tone (CNG/CED) length that gives `fax` (ms)',
  sitSegmentMs: 'shortest SIT segment (ms)',
  minBeepMs: 'shortest steady tone taken for a machine’s beep (ms)',
  beepTimeoutMs: 'how long to wait for the beep after `machine` (ms)',
};

/**
 * `pconn amd FILE [--json]`: runs the answer detector the live calls run on a recording (WAV:
 * PCM 16-bit mono at any rate, or G.711 µ-law/A-law), from its first sample taken as the
 * instant of answer, and prints the verdict, when it was reached, the beep and the features.
 * Every threshold is a flag, so users tune them on their own recordings before setting them on
 * a campaign. A file that cannot be read is a usage error (exit 2) saying what it is.
 */
export function registerAmdCommand(program: Command): void {
  const command = program
    .command('amd')
    .description('run answer detection (person, machine, fax, SIT, silence) on a WAV recording')
    .argument('<file>', 'WAV file: PCM 16-bit mono (any rate) or G.711 µ-law/A-law, starting at answer')
    .option('--json', 'print exactly one JSON object: {verdict, decidedAtMs, beepAtMs, features}')
    .option('--max-bytes <n>', 'refuse files larger than this', String(DEFAULT_MAX_WAV_BYTES));
  for (const setting of SETTINGS) {
    const [min, max] = ANSWER_DETECTION_BOUNDS[setting];
    command.option(
      `--${flagOf(setting)} <n>`,
      `${HELP[setting]}; default ${DEFAULT_ANSWER_DETECTION[setting]}, ${min}–${max}`,
    );
  }
  command.action((file: string, options: Record<string, string | boolean | undefined>) =>
    run({ json: options.json === true }, async () => {
      const settings = settingsFrom(options);
      const maxBytes = integer('max-bytes', options.maxBytes);
      const audio = decode(file, maxBytes);
      const detection = detectAnswer(audio.samples, settings);
      print(options.json === true, detection, () => lines(file, detection, audio));
      return EXIT.ok;
    }),
  );
}

function integer(flag: string, value: unknown): number {
  const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed))
    throw new UsageError(`--${flag} must be a whole number, not '${String(value)}'`);
  return parsed;
}

function settingsFrom(options: Record<string, unknown>): AnswerDetectionSettings {
  const overrides: Partial<Record<Setting, number>> = {};
  for (const setting of SETTINGS)
    if (options[setting] !== undefined) overrides[setting] = integer(flagOf(setting), options[setting]);
  const resolved = resolveAnswerDetectionSettings(overrides);
  if ('errors' in resolved)
    throw new UsageError(
      resolved.errors.map((e) => e.detail.replace(e.setting, `--${flagOf(e.setting)}`)).join('; '),
    );
  return resolved.settings;
}

function decode(file: string, maxBytes: number): AnalysisAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? String(error)})`,
    );
  }
  try {
    return decodeForAnalysis(bytes, { maxBytes });
  } catch (error) {
    if (error instanceof WavFormatError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function lines(file: string, d: AnswerDetection, audio: AnalysisAudio): string[] {
  const f = d.features;
  const out = [`${file}: ${d.verdict} (${f.reason}) at ${seconds(d.decidedAtMs)} after answer`];
  if (f.beep && d.beepAtMs !== null)
    out.push(
      `  beep: ${f.beep.frequencyHz} Hz for ${f.beep.durationMs} ms, ended at ${seconds(d.beepAtMs)}: leave the message from there`,
    );
  else if (d.verdict === 'machine') out.push('  no beep heard');
  if (f.faxTone) out.push(`  fax tone: ${f.faxTone.tone.toUpperCase()} from ${seconds(f.faxTone.startMs)}`);
  if (f.sit)
    out.push(
      `  special information tones: ${f.sit.frequenciesHz.join(' / ')} Hz (${f.sit.segmentsMs.join(', ')} ms) from ${seconds(f.sit.startMs)}`,
    );
  out.push(
    `  initial silence ${f.initialSilenceMs} ms, greeting ${f.greetingMs} ms of voice in ${f.words} word(s), silence at the verdict ${f.silenceAtVerdictMs} ms, noise floor ${f.noiseFloorRms} RMS`,
    `  ${audio.source.encoding} at ${audio.source.sampleRate} Hz, ${seconds(f.analysedMs)} analysed at 8 kHz`,
  );
  return out;
}
