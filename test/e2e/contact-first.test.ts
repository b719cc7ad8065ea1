import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { writeWav } from '../../src/media/wav-writer.ts';
import { type CrowdCall, PhoneCrowd } from '../support/phone-crowd.ts';
import type { TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { bestCorrelation, clip } from '../telephony/support/anchored-call.ts';
import { expectOk, startSipServer } from './support/pconn-sip.ts';
import { skipWithout } from './support/required-tool.ts';
import { sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * Contact-first dialing end to end over SIP (issue 17). Session agents are our own SIP user
 * agents with real RTP peers (their leg stays up; pconn re-INVITEs it to each contact), and the
 * trunk is a crowd of phones behind one address that answers, rings out, is busy or is a
 * machine per dialled number, each answered call with its own RTP peer. Everything is set up and
 * read through the HTTP API; the phones' own records say where media was pointed and when, so
 * the one-to-one invariants are checked from the wire too.
 */

const skip = skipWithout('espeak-ng', 'espeak-ng', ['--version']) || skipWithout('sox', 'sox', ['--version']);

/** Frames every 5 ms (4× real time): answer detection counts samples, not wall time. */
const FAST = 5;
type Json = Record<string, unknown>;
type Attempt = Json & {
  userId: string | null;
  outcome: string | null;
  contactAnsweredAt: string | null;
  agentConnectedAt: string | null;
  abandonPromptPlayedAt: string | null;
  endedAt: string | null;
};
type Call = Json & { id: string; status: string; outcome: string | null; attempts: Attempt[] };

let server: TestServer;
const crowds: PhoneCrowd[] = [];

const ABANDON_PROMPT = Int16Array.from({ length: 8000 }, (_, i) =>
  Math.round(
    5000 * Math.sin((2 * Math.PI * 349 * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 1082 * i) / 8000),
  ),
);

async function crowd(behaviour: Parameters<typeof PhoneCrowd.start>[0] = () => ({ kind: 'answer' })) {
  const started = await PhoneCrowd.start(behaviour);
  crowds.push(started);
  return started;
}

/** An agent with a SIP phone and a ready personal-connection session on it. */
async function sessionAgent(id: string): Promise<PhoneCrowd> {
  const phone = await crowd();
  await expectOk(server, 'PUT', `/v1/users/${id}`, { name: id, device: { type: 'sip', uri: phone.uri } });
  await expectOk(server, 'PUT', `/v1/users/${id}/session`, {});
  await waitFor(
    async () => {
      const res = await server.request<Json>('GET', `/v1/users/${id}/session`);
      return res.body.status === 'ready' && res.body.state === 'available' ? true : undefined;
    },
    { timeout: 15_000, interval: 25, what: `${id}'s session to be ready` },
  );
  return phone;
}

async function campaign(id: string, agentIds: string[], fields: Json): Promise<void> {
  await expectOk(server, 'PUT', `/v1/campaigns/${id}`, {
    name: id,
    callerId: '+14155550100',
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
    agentIds,
    wrapUpSeconds: 0,
    ...fields,
  });
  await expectOk(server, 'POST', `/v1/campaigns/${id}/start`);
}

async function placeCall(campaignId: string, number: string): Promise<string> {
  const call = await expectOk(server, 'POST', `/v1/campaigns/${campaignId}/calls`, {
    contact: {
      externalId: `${campaignId}-${number}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number }],
    },
  });
  return call.id as string;
}

async function endedCall(id: string, timeout = 20_000): Promise<Call> {
  return waitFor(
    async () => {
      const res = await server.request<Call>('GET', `/v1/calls/${id}`);
      const attempt = res.body.attempts?.[0];
      return ['completed', 'failed', 'canceled'].includes(res.body.status) && attempt?.endedAt
        ? res.body
        : undefined;
    },
    { timeout, interval: 100, what: `call ${id} to end` },
  );
}

/** The instants a contact call's media pointed at one of `agents`' peers: [from, to) per agent. */
function bridgedSpans(
  call: CrowdCall,
  agentPorts: Map<number, string>,
): Array<{ agent: string; from: number; to: number }> {
  const spans: Array<{ agent: string; from: number; to: number }> = [];
  call.remotes.forEach((change, i) => {
    const agent = change.remote && agentPorts.get(change.remote.port);
    if (!agent) return;
    const to = call.remotes[i + 1]?.at ?? call.endedAt ?? Number.POSITIVE_INFINITY;
    spans.push({ agent, from: change.at, to });
  });
  return spans;
}

before(async () => {
  if (skip) return;
  server = await startSipServer({ PCONN_RTP_PORTS: '35000-35999', PCONN_CONTACT_RING_SECONDS: '2' });
  const put = await server.request('PUT', '/v1/prompts/cf-abandon', {
    rawBody: Buffer.from(writeWav(ABANDON_PROMPT, 8000, 'pcm16')),
    headers: { 'content-type': 'audio/wav' },
  });
  assert.ok(put.status < 300, put.text);
});
after(async () => {
  await Promise.all(crowds.map((c) => c.close()));
  await server?.close();
});

test('progressive contact-first: the agent is reserved before the dial, the answer is bridged, media flows phone to phone', {
  skip,
}, async () => {
  const contacts = await crowd();
  await expectOk(server, 'PUT', '/v1/trunks/default', {
    uri: `sip:127.0.0.1:${contacts.ua.address.udpPort}`,
  });
  await expectOk(server, 'PUT', '/v1/users/cf-agent', {
    name: 'cf-agent',
    device: { type: 'sip', uri: 'sip:x@127.0.0.1' },
  });
  await campaign('cf-progressive', ['cf-agent'], { dialingMode: 'progressive', agentFirst: false });
  const agent = await sessionAgent('cf-agent');
  const answered = new Promise<CrowdCall>((resolve) => contacts.onAnswered(resolve));
  const id = await placeCall('cf-progressive', '+12125550170');
  const contact = await answered;
  const agentPeer = agent.calls[0]?.peer;
  assert.ok(agentPeer, 'the session leg reached the agent’s phone');
  // The bridge re-points the contact's media straight at the agent's phone.
  await waitFor(() => contact.remote?.port === agentPeer.address.port, {
    timeout: 10_000,
    what: 'the contact re-pointed at the agent’s phone',
  });
  const call = await server.request<Call>('GET', `/v1/calls/${id}`);
  assert.equal(call.body.attempts[0]?.userId, 'cf-agent', 'the agent was the call’s agent from the dial');
  const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
  assert.ok(
    !events.body.data.some((e) => e.type === 'call.waiting_for_agent'),
    'the agent was reserved before the dial: the call never waited',
  );
  const session = await server.request<Json>('GET', '/v1/users/cf-agent/session');
  assert.equal(session.body.state, 'on_call', session.text);
  const before = agentPeer.received.length;
  await contact.peer?.sendAudio(ABANDON_PROMPT.subarray(0, 3200), contact.remote as never, undefined, FAST);
  await waitFor(() => agentPeer.received.length >= before + 15, { what: 'the contact’s audio at the agent' });
  await contact.dialog?.bye();
  const ended = await endedCall(id);
  assert.equal(ended.status, 'completed', JSON.stringify(ended));
  assert.equal(ended.outcome, 'answered');
  assert.ok(ended.attempts[0]?.agentConnectedAt, 'bridged');
  await expectOk(server, 'DELETE', '/v1/users/cf-agent/session');
});

test('progressive contact-first with sipp contacts: one answers (anchored, then re-INVITEd to the agent), one is busy', {
  skip: skip || skipWithoutSipp(),
}, async () => {
  await expectOk(server, 'PUT', '/v1/users/cf-sipp-agent', {
    name: 'cf-sipp-agent',
    device: { type: 'sip', uri: 'sip:x@127.0.0.1' },
  });
  await campaign('cf-sipp', ['cf-sipp-agent'], { dialingMode: 'progressive', agentFirst: false });
  await sessionAgent('cf-sipp-agent');
  for (const [scenario, number, status, outcome] of [
    ['contact-anchored.xml', '+12125550171', 'completed', 'answered'],
    ['rejects-486.xml', '+12125550172', 'failed', 'busy'],
  ] as const) {
    const contact = await startSipp({ scenario });
    try {
      await expectOk(server, 'PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${contact.port}` });
      const ended = await endedCall(await placeCall('cf-sipp', number));
      assert.equal(ended.status, status, JSON.stringify(ended));
      assert.equal(ended.outcome, outcome);
      assert.equal(ended.attempts[0]?.userId, 'cf-sipp-agent', 'the agent was reserved from the dial');
      // The sipp contact saw the whole flow: pconn's answer in the ACK, the offerless re-INVITE,
      // the agent's answer in its ACK (contact-anchored.xml) — or its own 486.
      assert.equal(await sippResult(contact), 0, `sipp failed:\n${contact.errors()}`);
    } finally {
      await contact.stop();
    }
  }
  await expectOk(server, 'DELETE', '/v1/users/cf-sipp-agent/session');
});

/** What the number `+1212555` + 4 digits does: mostly answer, some busy, ring out, machines. */
function plan(index: number): 'answer' | 'late' | 'busy' | 'no_answer' | 'machine' {
  if (index % 20 === 0) return 'busy';
  if (index % 20 === 1) return 'no_answer';
  if (index % 40 === 2) return 'machine';
  if (index % 4 === 3) return 'late';
  return 'answer';
}

test('predictive, 5 session agents and 200 contacts: every call ends, one agent per contact, one contact per agent, abandons heard the prompt, the ledger adds up', {
  skip,
}, async () => {
  const agentIds = ['pd-a', 'pd-b', 'pd-c', 'pd-d', 'pd-e'];
  const human = await clip('human-00');
  const machine = await clip('machine-07');
  const numberOf = (i: number) => `+1212555${String(1000 + i)}`;
  const indexOf = (number: string) => Number(number.slice(-4)) - 1000;
  const contacts = await crowd((number) => {
    const kind = plan(indexOf(number));
    if (kind === 'busy') return { kind: 'busy' };
    if (kind === 'no_answer') return { kind: 'no_answer' };
    return { kind: 'answer', afterMs: kind === 'late' ? 300 + (indexOf(number) % 5) * 100 : 0 };
  });
  // Each answered contact speaks (a greeting or a machine), then hangs up 0.3–1 s after being
  // bridged; one never bridged waits for pconn to end the call (the abandon prompt, a machine).
  contacts.onAnswered((call) => {
    const index = indexOf(call.number);
    void (async () => {
      await waitFor(() => call.remote, { timeout: 5000, what: `${call.number}'s media address` });
      await call.peer?.sendAudio(
        plan(index) === 'machine' ? machine : human,
        call.remote as never,
        undefined,
        FAST,
      );
    })().catch(() => {});
    const talk = 300 + (index % 5) * 100;
    let hangup: NodeJS.Timeout | undefined;
    const timer = setInterval(() => {
      if (call.endedAt !== undefined) return clearInterval(timer);
      if (!hangup && call.remote && agentPorts.has(call.remote.port)) {
        hangup = setTimeout(() => void call.dialog?.bye().catch(() => {}), talk);
      }
    }, 20);
  });
  await expectOk(server, 'PUT', '/v1/trunks/default', {
    uri: `sip:127.0.0.1:${contacts.ua.address.udpPort}`,
  });
  for (const id of agentIds)
    await expectOk(server, 'PUT', `/v1/users/${id}`, {
      name: id,
      device: { type: 'sip', uri: 'sip:x@127.0.0.1' },
    });
  await campaign('cf-predictive', agentIds, {
    dialingMode: 'predictive',
    answerDetection: { enabled: true, machineAction: 'hangup' },
    abandonPromptId: 'cf-abandon',
  });
  const agents = await Promise.all(agentIds.map((id) => sessionAgent(id)));
  const agentPorts = new Map<number, string>();
  agents.forEach((phone, i) => {
    const port = phone.calls[0]?.peer?.address.port;
    assert.ok(port, `${agentIds[i]}'s session leg is up`);
    agentPorts.set(port, agentIds[i] as string);
  });
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push(await placeCall('cf-predictive', numberOf(i)));
  // The last contact answers with every agent on a break (asked for the moment it is rung, so
  // the ones still talking go on it when their call ends): no agent within the window, so at
  // least one abandon, whatever the pacing does. The break ends with that call.
  const last = ids.length - 1;
  const breakTaken = (async () => {
    await waitFor(() => contacts.calls.some((c) => c.number === numberOf(last)), {
      timeout: 120_000,
      interval: 5,
      what: 'the last contact rung',
    });
    const sessions = await Promise.all(
      agentIds.map(async (id) => (await expectOk(server, 'GET', `/v1/users/${id}/session`)).id as string),
    );
    await Promise.all(
      sessions.map((id) => expectOk(server, 'POST', `/v1/agent-sessions/${id}/pause`, { reason: 'break' })),
    );
    await endedCall(ids[last] as string, 120_000);
    await Promise.all(sessions.map((id) => expectOk(server, 'POST', `/v1/agent-sessions/${id}/resume`, {})));
  })();
  breakTaken.catch(() => {}); // surfaced by the await below
  const calls: Call[] = [];
  for (const id of ids) calls.push(await endedCall(id, 120_000));
  await breakTaken;
  assert.equal(
    calls[last]?.outcome,
    'abandoned',
    `the contact answered during the break: ${JSON.stringify(calls[last])}`,
  );

  // Every call ended with the outcome its contact's phone asked for.
  const outcomes = new Map<string, number>();
  for (const call of calls) outcomes.set(String(call.outcome), (outcomes.get(String(call.outcome)) ?? 0) + 1);
  const summary = JSON.stringify(Object.fromEntries(outcomes));
  calls.forEach((call, i) => {
    const kind = plan(i);
    const expected =
      kind === 'busy'
        ? ['busy']
        : kind === 'no_answer'
          ? ['no_answer']
          : kind === 'machine'
            ? ['machine']
            : ['answered', 'abandoned'];
    assert.ok(
      expected.includes(String(call.outcome)),
      `${numberOf(i)} (${kind}): ${JSON.stringify(call)} — ${summary}`,
    );
  });

  // No contact bridged to two agents: per contact dialog at most one move onto an agent's phone.
  const spans = new Map<string, Array<{ from: number; to: number; number: string }>>();
  for (const call of contacts.calls) {
    const mine = bridgedSpans(call, agentPorts);
    assert.ok(mine.length <= 1, `${call.number} was bridged ${mine.length} times: ${JSON.stringify(mine)}`);
    for (const span of mine)
      spans.set(span.agent, [...(spans.get(span.agent) ?? []), { ...span, number: call.number }]);
  }
  // No agent held two contacts at once: per agent, bridged periods never overlap.
  for (const [agent, list] of spans) {
    list.sort((x, y) => x.from - y.from);
    for (let i = 1; i < list.length; i++)
      assert.ok(
        (list[i]?.from ?? 0) >= (list[i - 1]?.to ?? 0),
        `${agent} held ${list[i - 1]?.number} and ${list[i]?.number} at once`,
      );
  }
  // The API agrees: each bridged answer names one agent, and its phone was pointed at that agent.
  calls.forEach((call, i) => {
    const attempt = call.attempts[0] as Attempt;
    if (call.outcome !== 'answered') return;
    assert.ok(attempt.agentConnectedAt && attempt.userId, `${numberOf(i)} was bridged to an agent`);
    const wire = contacts.calls
      .filter((c) => c.number === numberOf(i))
      .flatMap((c) => bridgedSpans(c, agentPorts));
    assert.deepEqual(
      wire.map((s) => s.agent),
      [attempt.userId],
      `${numberOf(i)}'s media went to its agent`,
    );
  });

  const abandonWaits: number[] = [];
  // Every abandon: the prompt within 2 s of the end of the person's greeting (47 CFR
  // 64.1200(a)(7)), and the contact's phone heard it.
  for (const [i, call] of calls.entries()) {
    if (call.outcome !== 'abandoned') continue;
    const attempt = call.attempts[0] as Attempt;
    assert.ok(
      attempt.contactAnsweredAt && attempt.abandonPromptPlayedAt,
      `${numberOf(i)}: answer and prompt instants`,
    );
    // With answer detection the greeting ended `silenceAtVerdictMs` before the verdict (the
    // silence that made it a person); the window runs from there, not from the 200 OK.
    const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${call.id}/events`);
    const verdict = events.body.data.find((e) => e.type === 'call.analysis');
    const verdictAt = Date.parse(String(verdict?.timestamp));
    const silence = Number(
      ((verdict?.data as Json | undefined)?.analysis as { features?: { silenceAtVerdictMs?: number } })
        ?.features?.silenceAtVerdictMs,
    );
    assert.ok(
      Number.isFinite(verdictAt) && Number.isFinite(silence),
      `${numberOf(i)}: the verdict's instant and silence: ${JSON.stringify(verdict)}`,
    );
    const greetingEnd = verdictAt - silence;
    const waited = Date.parse(attempt.abandonPromptPlayedAt) - greetingEnd;
    const sinceAnswer = Date.parse(attempt.abandonPromptPlayedAt) - Date.parse(attempt.contactAnsweredAt);
    abandonWaits.push(sinceAnswer);
    assert.ok(
      waited >= 0 && waited <= 2000,
      `${numberOf(i)}: the prompt ${waited} ms after the greeting ended (${sinceAnswer} ms after the 200 OK)`,
    );
    const phone = contacts.calls.find((c) => c.number === numberOf(i));
    const heard = bestCorrelation(
      phone?.peer?.decoded() ?? new Int16Array(0),
      ABANDON_PROMPT.subarray(0, 4000),
    );
    assert.ok(heard > 0.9, `${numberOf(i)} received the abandon prompt (correlation ${heard.toFixed(3)})`);
  }

  // The ledger equals a count over the attempt records.
  const ledger = await server.request<{ days: Json[] }>('GET', '/v1/campaigns/cf-predictive/abandonment');
  assert.equal(ledger.status, 200, ledger.text);
  const today = ledger.body.days.at(-1) as Json;
  const attempts = calls.map((c) => c.attempts[0] as Attempt);
  const live = attempts.filter(
    (a) => (a.contactAnsweredAt !== null || a.outcome === 'abandoned') && a.outcome !== 'machine',
  );
  assert.equal(today.liveAnswers, live.length, `ledger ${JSON.stringify(today)} — ${summary}`);
  assert.equal(
    today.abandoned,
    attempts.filter((a) => a.outcome === 'abandoned').length,
    `ledger ${JSON.stringify(today)}`,
  );
  console.log(
    `predictive over SIP: ${summary}, ledger ${JSON.stringify(today)}, abandon prompt after the 200 OK (ms): ${abandonWaits}`,
  );
});
