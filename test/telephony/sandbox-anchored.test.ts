import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LegAnchor, LegEvent, LegHandle } from '../../src/domain/telephony.ts';
import { DEFAULT_ANSWER_DETECTION } from '../../src/media/answer-detection-settings.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * The sandbox's anchored legs: magic numbers 555-0130…0135 stand for what answer detection
 * would hear (a person, a machine and its beep, a fax, SIT, silence, talk without a verdict),
 * prompts "play" for their duration on the sandbox's timers, and the media figures come with
 * `ended`. Time runs 100 times faster (timeScale 0.01), so a 2 s beep is 20 ms.
 */

const SCALE = 0.01;
const DETECTING: LegAnchor = { answerDetection: { ...DEFAULT_ANSWER_DETECTION } };

function dial(driver: SandboxDriver, legId: string, number: string, anchor?: LegAnchor) {
  const events: LegEvent[] = [];
  const handle: LegHandle = driver.dial(
    {
      legId,
      target: { kind: 'phone', number },
      callerId: null,
      ringTimeoutSeconds: 30,
      ...(anchor ? { anchor } : {}),
    },
    (event) => events.push(event),
  );
  const story = () => events.map((e) => e.type).filter((t) => t !== 'trying' && t !== 'ringing');
  const next = <T extends LegEvent['type']>(type: T) =>
    waitFor(() => events.find((e) => e.type === type) as Extract<LegEvent, { type: T }> | undefined, {
      what: `${legId} ${type}`,
    });
  return { handle, events, story, next };
}

const cases = [
  { number: '+12125550130', verdict: 'human', reason: 'after_greeting_silence', at: 1800 },
  { number: '+12125550131', verdict: 'machine', reason: 'long_greeting', at: 2500, beepAt: 4500 },
  { number: '+12125550132', verdict: 'fax', reason: 'fax_cng', at: 1000 },
  { number: '+12125550133', verdict: 'invalid_number', reason: 'sit', at: 1100 },
  { number: '+12125550134', verdict: 'silence', reason: 'initial_silence', at: 2500 },
  { number: '+12125550135', verdict: 'unknown', reason: 'total_analysis_time', at: 5000 },
  // Any other number, anchored: a person.
  { number: '+12125550100', verdict: 'human', reason: 'after_greeting_silence', at: 1800 },
] as const;

for (const c of cases) {
  test(`sandbox ${c.number.slice(-4)} anchored: analysis ${c.verdict}${'beepAt' in c ? ', then the beep' : ''}`, async () => {
    const driver = new SandboxDriver({ timeScale: SCALE });
    const leg = dial(driver, `${c.number}/1/contact`, c.number, DETECTING);
    const analysis = await leg.next('analysis');
    assert.equal(analysis.detection.verdict, c.verdict);
    assert.equal(analysis.detection.features.reason, c.reason);
    assert.equal(analysis.detection.decidedAtMs, c.at);
    assert.equal(analysis.detection.beepAtMs, null);
    if ('beepAt' in c) {
      const beep = await leg.next('beep');
      assert.equal(beep.detection.beepAtMs, c.beepAt);
      assert.ok(beep.detection.features.beep, 'the beep features');
    }
    if (c.verdict === 'invalid_number')
      assert.deepEqual(analysis.detection.features.sit?.frequenciesHz, [913.8, 1370.6, 1776.7]);
    await driver.hangup(leg.handle);
    const ended = leg.events.at(-1);
    assert.ok(ended?.type === 'ended' && ended.media, 'ended with media figures');
    assert.ok(
      // Timers may fire a little early against performance.now at this scale: a 20 % margin.
      ended.media.packetsReceived >= (0.8 * c.at) / 20,
      `packets ${ended.media.packetsReceived}`,
    );
    assert.deepEqual(leg.story(), ['answered', 'analysis', ...('beepAt' in c ? ['beep'] : []), 'ended']);
    await driver.close();
  });
}

test('sandbox silence and unknown follow the leg’s own thresholds', async () => {
  const driver = new SandboxDriver({ timeScale: SCALE });
  const settings = { ...DEFAULT_ANSWER_DETECTION, initialSilenceMs: 1200, totalAnalysisMs: 3000 };
  const silent = dial(driver, 's/1/contact', '+12125550134', { answerDetection: settings });
  const talker = dial(driver, 's/2/contact', '+12125550135', { answerDetection: settings });
  assert.equal((await silent.next('analysis')).detection.decidedAtMs, 1200);
  assert.equal((await talker.next('analysis')).detection.decidedAtMs, 3000);
  await driver.close();
});

test('sandbox play: resolves after the audio’s duration, records it; cut short by another prompt, a bridge, the end', async () => {
  const driver = new SandboxDriver({ timeScale: SCALE });
  const leg = dial(driver, 'p/1/contact', '+12125550131', {});
  await leg.next('answered');
  const prompt = new Int16Array(8000 * 2).fill(7);
  const started = performance.now();
  assert.equal(await driver.play(leg.handle, prompt), true);
  assert.ok(performance.now() - started >= 2000 * SCALE - 2, 'took the prompt’s (scaled) duration');
  assert.deepEqual(driver.played(leg.handle.legId), [prompt]);
  const long = driver.play(leg.handle, new Int16Array(8000 * 60));
  const short = driver.play(leg.handle, new Int16Array(800));
  assert.equal(await long, false, 'replaced');
  assert.equal(await short, true);
  const agent = driver.dial(
    {
      legId: 'p/1/agent',
      target: { kind: 'sip', uri: 'sip:agent@example.com' },
      callerId: null,
      ringTimeoutSeconds: 30,
    },
    () => undefined,
  );
  const cut = driver.play(leg.handle, new Int16Array(8000 * 60));
  await driver.bridge(agent, leg.handle);
  assert.equal(await cut, false, 'the bridge cut the prompt');
  await assert.rejects(driver.play(leg.handle, new Int16Array(160)), /not answered/);
  assert.deepEqual(leg.story(), ['answered'], 'no analysis without answerDetection');
  await driver.hangup(leg.handle);
  const ended = leg.events.at(-1);
  assert.ok(ended?.type === 'ended' && ended.media, 'a bridged anchored leg ends with figures');
  assert.equal(driver.played(leg.handle.legId).length, 4, 'every prompt recorded, after the end too');
  await assert.rejects(driver.play(leg.handle, new Int16Array(160)), /not anchored/);
  await driver.close();
});

test('sandbox: a bridge before the verdict cancels the analysis; a leg that is not anchored is as before', async () => {
  const driver = new SandboxDriver({ timeScale: SCALE });
  const leg = dial(driver, 'b/1/contact', '+12125550131', DETECTING);
  await leg.next('answered');
  const agent = driver.dial(
    {
      legId: 'b/1/agent',
      target: { kind: 'sip', uri: 'sip:agent@example.com' },
      callerId: null,
      ringTimeoutSeconds: 30,
    },
    () => undefined,
  );
  await driver.bridge(agent, leg.handle);
  const plain = dial(driver, 'b/2/contact', '+12125550131');
  await plain.next('answered');
  await assert.rejects(driver.play(plain.handle, new Int16Array(160)), /not anchored/);
  // A witness dialled later to the same number: once its beep came, the bridged leg's would have.
  const witness = dial(driver, 'b/3/contact', '+12125550131', DETECTING);
  await witness.next('beep');
  assert.deepEqual(leg.story(), ['answered'], 'no analysis after the bridge');
  assert.deepEqual(plain.story(), ['answered'], 'no analysis on a leg that is not anchored');
  await driver.hangup(plain.handle);
  const ended = plain.events.at(-1);
  assert.ok(ended?.type === 'ended', 'ended');
  assert.deepEqual(
    Object.keys(ended),
    ['type', 'status', 'reason', 'by'],
    'no media figures when not anchored',
  );
  await driver.close();
});
