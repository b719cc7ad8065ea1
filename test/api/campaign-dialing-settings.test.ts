// Campaign dialing and media settings (issues 16.5, 17): defaults, every validation rule with its
// pointer and hint, the prompts a campaign names, and a prompt in use refusing deletion.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANSWER_DETECTION_THRESHOLD_BOUNDS } from '../../src/contract/campaigns.ts';
import {
  ANSWER_DETECTION_BOUNDS,
  DEFAULT_ANSWER_DETECTION,
} from '../../src/media/answer-detection-settings.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type FieldError = { pointer: string; code: string; detail: string; hint?: string };
type Problem = {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  campaignIds?: string[];
};
type Campaign = Record<string, unknown> & {
  id: string;
  dialingMode: string;
  agentFirst: boolean;
  pacing: { abandonRateTarget: number; maxLinesPerAgent: number };
  jurisdiction: string;
  wrapUpSeconds: number;
  answerDetection: Record<string, unknown>;
  abandonPromptId: string | null;
  machinePromptId: string | null;
  retryPolicy: Record<string, { retry: boolean; gapSeconds: number }>;
};

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  const second = Int16Array.from({ length: 8000 }, (_, i) => Math.round(6000 * Math.sin(i / 3)));
  for (const id of ['abandon-en', 'machine-en']) {
    const put = await server.request('PUT', `/v1/prompts/${id}`, {
      rawBody: Buffer.from(writeWav(second, 8000, 'pcm16')),
      headers: { 'content-type': 'audio/wav' },
    });
    assert.equal(put.status, 201, put.text);
  }
});
after(() => server.close());

const put = (id: string, body: Record<string, unknown>) =>
  server.request<Campaign & Problem>('PUT', `/v1/campaigns/${id}`, { body });

/** The field errors of a problem, by pointer. */
function byPointer(problem: Problem): Map<string, FieldError> {
  return new Map((problem.errors ?? []).map((e) => [e.pointer, e]));
}

describe('campaign dialing settings', () => {
  test('the contract bounds of every answer-detection threshold are the analyser’s', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(ANSWER_DETECTION_THRESHOLD_BOUNDS).map(([k, v]) => [k, [...v]])),
      Object.fromEntries(Object.entries(ANSWER_DETECTION_BOUNDS).map(([k, v]) => [k, [...v]])),
    );
  });

  test('a campaign naming no setting answers every default', async () => {
    const created = await server.request<Campaign>('POST', '/v1/campaigns', { body: { name: 'Defaults' } });
    assert.equal(created.status, 201, created.text);
    const c = created.body;
    assert.equal(c.dialingMode, 'progressive');
    assert.equal(c.agentFirst, true);
    assert.deepEqual(c.pacing, { abandonRateTarget: 0.03, maxLinesPerAgent: 3 });
    assert.equal(c.jurisdiction, 'us_fcc');
    assert.equal(c.wrapUpSeconds, 10);
    assert.deepEqual(c.answerDetection, {
      enabled: false,
      machineAction: 'hangup',
      silenceAction: 'connect',
      ...DEFAULT_ANSWER_DETECTION,
    });
    assert.equal(c.abandonPromptId, null);
    assert.equal(c.machinePromptId, null);
    assert.deepEqual(c.retryPolicy.machine, { retry: true, gapSeconds: 3600 });
    assert.deepEqual(c.retryPolicy.fax, { retry: false, gapSeconds: 0 });
    const read = await server.request<Campaign>('GET', `/v1/campaigns/${c.id}`);
    assert.deepEqual(read.body, c);
  });

  test('schema problems are one 400 listing every pointer', async () => {
    const answer = await put('bad-schema', {
      name: 'Bad',
      dialingMode: 'power',
      agentFirst: 'yes',
      pacing: { abandonRateTarget: 0, maxLinesPerAgent: 11, ratio: 2 },
      jurisdiction: 'eu',
      wrapUpSeconds: 3601,
      answerDetection: {
        enabled: true,
        machineAction: 'voicemail',
        greetingMs: 50,
        maxWords: 101,
        minBeepMss: 1,
      },
      abandonPromptId: 'no spaces allowed',
    });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 'invalid_request');
    const errors = byPointer(answer.body);
    const expected: Array<[string, string]> = [
      ['/dialingMode', 'enum'],
      ['/agentFirst', 'type'],
      ['/pacing/abandonRateTarget', 'too_small'],
      ['/pacing/maxLinesPerAgent', 'too_large'],
      ['/pacing/ratio', 'unknown_field'],
      ['/jurisdiction', 'enum'],
      ['/wrapUpSeconds', 'too_large'],
      ['/answerDetection/machineAction', 'enum'],
      ['/answerDetection/greetingMs', 'too_small'],
      ['/answerDetection/maxWords', 'too_large'],
      ['/answerDetection/minBeepMss', 'unknown_field'],
      ['/abandonPromptId', 'format'],
    ];
    for (const [pointer, code] of expected)
      assert.equal(errors.get(pointer)?.code, code, `${pointer}: ${JSON.stringify(answer.body.errors)}`);
    assert.match(
      errors.get('/answerDetection/minBeepMss')?.hint ?? '',
      /minBeepMs/,
      'a typo of a threshold is named',
    );
  });

  test('contradicting thresholds are a 400 at the threshold that must change', async () => {
    const answer = await put('bad-thresholds', {
      name: 'Bad thresholds',
      answerDetection: { afterGreetingSilenceMs: 2000, totalAnalysisMs: 1500 },
    });
    assert.equal(answer.status, 400, answer.text);
    const error = byPointer(answer.body).get('/answerDetection/totalAnalysisMs');
    assert.equal(error?.code, 'too_small', answer.text);
    assert.match(error?.hint ?? '', /above afterGreetingSilenceMs \(2000 ms\)/);
  });

  test('predictive under us_fcc or uk_ofcom needs an abandon prompt; under none it does not', async () => {
    for (const jurisdiction of [undefined, 'us_fcc', 'uk_ofcom']) {
      const answer = await put('predictive-no-prompt', {
        name: 'Predictive',
        dialingMode: 'predictive',
        ...(jurisdiction ? { jurisdiction } : {}),
      });
      assert.equal(answer.status, 422, answer.text);
      assert.equal(answer.body.code, 'prompt_required');
      const error = byPointer(answer.body).get('/abandonPromptId');
      assert.equal(error?.code, 'prompt_required', answer.text);
      assert.match(error?.hint ?? '', /PUT \/v1\/prompts/);
    }
    const none = await put('predictive-none', {
      name: 'Predictive',
      dialingMode: 'predictive',
      jurisdiction: 'none',
    });
    assert.equal(none.status, 201, none.text);
    const withPrompt = await put('predictive-ok', {
      name: 'Predictive',
      dialingMode: 'predictive',
      abandonPromptId: 'abandon-en',
      pacing: { maxLinesPerAgent: 5 },
    });
    assert.equal(withPrompt.status, 201, withPrompt.text);
    assert.equal(withPrompt.body.abandonPromptId, 'abandon-en');
    assert.deepEqual(withPrompt.body.pacing, { abandonRateTarget: 0.03, maxLinesPerAgent: 5 });
  });

  test('a pacing target above the jurisdiction’s cap is a 422 at /pacing/abandonRateTarget', async () => {
    const answer = await put('over-cap', { name: 'Over', pacing: { abandonRateTarget: 0.05 } });
    assert.equal(answer.status, 422, answer.text);
    assert.equal(answer.body.code, 'abandon_rate_above_cap');
    const error = byPointer(answer.body).get('/pacing/abandonRateTarget');
    assert.equal(error?.code, 'abandon_rate_above_cap');
    assert.match(error?.hint ?? '', /at most 0\.03/);
    const none = await put('over-cap-none', {
      name: 'Over',
      jurisdiction: 'none',
      pacing: { abandonRateTarget: 0.05 },
    });
    assert.equal(none.status, 201, none.text);
    const under = await put('under-cap', { name: 'Under', pacing: { abandonRateTarget: 0.02 } });
    assert.equal(under.status, 201, under.text);
  });

  test('prompts that do not exist and missing prompts are reported together', async () => {
    const answer = await put('bad-prompts', {
      name: 'Bad prompts',
      dialingMode: 'predictive',
      abandonPromptId: 'nope',
      answerDetection: { enabled: true, machineAction: 'leave_message' },
      pacing: { abandonRateTarget: 0.04 },
    });
    assert.equal(answer.status, 422, answer.text);
    const errors = byPointer(answer.body);
    assert.equal(errors.get('/abandonPromptId')?.code, 'prompt_not_found', answer.text);
    assert.equal(errors.get('/machinePromptId')?.code, 'prompt_required', answer.text);
    assert.equal(errors.get('/pacing/abandonRateTarget')?.code, 'abandon_rate_above_cap', answer.text);
    assert.equal(answer.body.errors?.length, 3);
    const unknownMachine = await put('bad-machine', { name: 'Bad', machinePromptId: 'nope' });
    assert.equal(unknownMachine.status, 422, unknownMachine.text);
    assert.equal(unknownMachine.body.code, 'prompt_not_found');
    assert.equal(byPointer(unknownMachine.body).get('/machinePromptId')?.code, 'prompt_not_found');
  });

  test('leave_message with its prompt is stored; manual mode is still accepted', async () => {
    const answer = await put('leave-message', {
      name: 'Leave message',
      dialingMode: 'progressive',
      agentFirst: false,
      wrapUpSeconds: 30,
      answerDetection: { enabled: true, machineAction: 'leave_message', greetingMs: 2000 },
      machinePromptId: 'machine-en',
    });
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.body.agentFirst, false);
    assert.equal(answer.body.wrapUpSeconds, 30);
    assert.equal(answer.body.answerDetection.greetingMs, 2000);
    assert.equal(answer.body.answerDetection.maxWords, DEFAULT_ANSWER_DETECTION.maxWords);
    const manual = await put('manual', { name: 'Manual', dialingMode: 'manual' });
    assert.equal(manual.status, 201, manual.text);
    assert.equal(manual.body.dialingMode, 'manual');
  });

  test('PATCH replaces one setting and re-checks the rules', async () => {
    assert.equal((await put('patched', { name: 'Patched' })).status, 201);
    const refused = await server.request<Problem>('PATCH', '/v1/campaigns/patched', {
      body: { dialingMode: 'predictive' },
    });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(byPointer(refused.body).get('/abandonPromptId')?.code, 'prompt_required');
    const ok = await server.request<Campaign>('PATCH', '/v1/campaigns/patched', {
      body: { dialingMode: 'predictive', abandonPromptId: 'abandon-en', pacing: { abandonRateTarget: 0.01 } },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.pacing, { abandonRateTarget: 0.01, maxLinesPerAgent: 3 });
  });

  test('PATCH merges nested settings (RFC 7396): turning detection on keeps the tuned thresholds', async () => {
    const created = await put('merged', {
      name: 'Merged',
      answerDetection: { greetingMs: 2200, maxWords: 4 },
    });
    assert.equal(created.status, 201, created.text);
    const patched = await server.request<Campaign>('PATCH', '/v1/campaigns/merged', {
      body: { answerDetection: { enabled: true, machineAction: 'connect' } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.answerDetection.enabled, true);
    assert.equal(patched.body.answerDetection.machineAction, 'connect');
    assert.equal(patched.body.answerDetection.greetingMs, 2200, 'the tuned threshold is kept');
    assert.equal(patched.body.answerDetection.maxWords, 4, 'the tuned threshold is kept');
  });

  test('foreign names of dialing settings get hints to pconn’s fields', async () => {
    const answer = await put('foreign', { name: 'Foreign', abandonRate: 3, amd: true, wrapUpTime: 20 });
    assert.equal(answer.status, 400, answer.text);
    const errors = byPointer(answer.body);
    assert.match(errors.get('/abandonRate')?.hint ?? '', /pacing: \{ "abandonRateTarget"/);
    assert.match(errors.get('/amd')?.hint ?? '', /answerDetection: \{ "enabled": true/);
    assert.match(errors.get('/wrapUpTime')?.hint ?? '', /wrapUpSeconds/);
  });

  test('a prompt a campaign names cannot be deleted: 409 prompt_in_use naming the campaigns', async () => {
    const id = 'in-use-prompt';
    const upload = await server.request('PUT', `/v1/prompts/${id}`, {
      rawBody: Buffer.from(writeWav(new Int16Array(4000).fill(1000), 8000, 'pcm16')),
      headers: { 'content-type': 'audio/wav' },
    });
    assert.equal(upload.status, 201, upload.text);
    assert.equal((await put('uses-b', { name: 'B', machinePromptId: id })).status, 201);
    assert.equal(
      (await put('uses-a', { name: 'A', dialingMode: 'predictive', abandonPromptId: id })).status,
      201,
    );
    const refused = await server.request<Problem>('DELETE', `/v1/prompts/${id}`);
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'prompt_in_use');
    assert.deepEqual(refused.body.campaignIds, ['uses-a', 'uses-b']);
    assert.equal((await server.request('GET', `/v1/prompts/${id}`)).status, 200, 'the prompt is kept');
    assert.equal(
      (
        await server.request('PATCH', '/v1/campaigns/uses-a', {
          body: { dialingMode: 'progressive', abandonPromptId: null },
        })
      ).status,
      200,
    );
    assert.equal((await server.request('DELETE', '/v1/campaigns/uses-b')).status, 204);
    const deleted = await server.request('DELETE', `/v1/prompts/${id}`);
    assert.equal(deleted.status, 204, deleted.text);
  });
});
