import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AnswerDetection } from '../../src/media/answer-detection-result.ts';
import { detectAnswer } from '../../src/media/detect-answer.ts';
import { decodeForAnalysis } from '../../src/media/read-audio-file.ts';
import { skipWithout } from '../e2e/support/required-tool.ts';
import { type CorpusClip, type CorpusLabel, loadAmdCorpus } from '../support/amd-corpus.ts';

/*
 * Accuracy of answer detection with its default settings over the labelled corpus the suite
 * builds from espeak-ng and sox (test/support/amd-corpus.ts). The issue's bar: people are
 * recognised (≥ 95 %: a person taken for a machine is a customer hung up on), machines mostly
 * (≥ 85 %), and people quickly (median ≤ 2.5 s after answer). Prints the confusion matrix.
 */

const skip = skipWithout('espeak-ng', 'espeak-ng', ['--version']) || skipWithout('sox', 'sox', ['--version']);

const LABELS: CorpusLabel[] = ['human', 'machine', 'fax', 'invalid_number', 'silence'];
const VERDICTS = ['human', 'machine', 'fax', 'invalid_number', 'silence', 'unknown'] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function matrixLines(results: Array<{ clip: CorpusClip; detection: AnswerDetection }>): string[] {
  const width = 15;
  const cell = (text: string | number) => String(text).padStart(width);
  const lines = [`${'label \\ verdict'.padEnd(width)}${VERDICTS.map(cell).join('')}${cell('recall')}`];
  for (const label of LABELS) {
    const row = results.filter((r) => r.clip.label === label);
    if (row.length === 0) continue;
    const counts = VERDICTS.map((v) => row.filter((r) => r.detection.verdict === v).length);
    const recall = row.filter((r) => r.detection.verdict === label).length / row.length;
    lines.push(`${label.padEnd(width)}${counts.map(cell).join('')}${cell(`${(100 * recall).toFixed(1)} %`)}`);
  }
  return lines;
}

test('answer detection over the espeak-ng/sox corpus: recall and decision time', { skip }, async (t) => {
  const clips = await loadAmdCorpus();
  const results = clips.map((clip) => ({
    clip,
    detection: detectAnswer(decodeForAnalysis(readFileSync(clip.file)).samples),
  }));
  const of = (label: CorpusLabel) => results.filter((r) => r.clip.label === label);
  const recall = (label: CorpusLabel) =>
    of(label).filter((r) => r.detection.verdict === label).length / of(label).length;
  const humanTimes = of('human').map((r) => r.detection.decidedAtMs);
  const machineTimes = of('machine').map((r) => r.detection.decidedAtMs);
  const beepErrors = of('machine').map((r) =>
    r.detection.beepAtMs === null
      ? Number.POSITIVE_INFINITY
      : Math.abs(r.detection.beepAtMs - (r.clip.beepEndMs ?? 0)),
  );
  const report = [
    `corpus: ${clips.length} clips`,
    ...matrixLines(results),
    `human decision: median ${median(humanTimes)} ms, p90 ${percentile(humanTimes, 90)} ms, max ${Math.max(...humanTimes)} ms`,
    `machine decision: median ${median(machineTimes)} ms, p90 ${percentile(machineTimes, 90)} ms`,
    `machine beeps found within 100 ms of the tone's end: ${beepErrors.filter((e) => e <= 100).length}/${beepErrors.length}`,
    ...results
      .filter((r) => r.detection.verdict !== r.clip.label)
      .map(
        (r) =>
          `  missed ${r.clip.name} (${r.clip.label}) → ${r.detection.verdict} at ${r.detection.decidedAtMs} ms: ${JSON.stringify(r.detection.features)}`,
      ),
  ];
  for (const line of report) t.diagnostic(line);

  assert.ok(recall('human') >= 0.95, `human recall ${recall('human')} < 0.95`);
  assert.ok(recall('machine') >= 0.85, `machine recall ${recall('machine')} < 0.85`);
  assert.ok(median(humanTimes) <= 2500, `median human decision ${median(humanTimes)} ms > 2500 ms`);
  for (const label of ['fax', 'invalid_number', 'silence'] as const)
    assert.ok(recall(label) >= 0.75, `${label} recall ${recall(label)} < 0.75`);
  const beepsOnTime = beepErrors.filter((e) => e <= 100).length / beepErrors.length;
  assert.ok(beepsOnTime >= 0.85, `only ${(100 * beepsOnTime).toFixed(0)} % of beeps found within 100 ms`);
});
