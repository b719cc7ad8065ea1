import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import type { TestServer } from '../support/test-server.ts';
import { type Baresip, skipWithoutBaresip, startBaresip } from './support/baresip.ts';
import { expectOk, placeCall, settledCall, startSipServer } from './support/pconn-sip.ts';
import { type Sipp, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * A real softphone on default settings: Debian's baresip, headless (sine source, no sound card),
 * registers to pconn's registrar with nothing but the account line an agent would type, answers
 * automatically, and is bridged to a sipp contact behind a trunk. pconn runs with its default
 * registrar settings (realm and digest algorithms untouched) and its log is read back.
 */

const skip = skipWithoutSipp() || skipWithoutBaresip();

/** Polls `condition` every 25 ms (a registration has no other signal) until true or `ms` passed. */
async function waitFor(condition: () => boolean, ms: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Debian baresip as the agent softphone, on default settings', { skip }, () => {
  let server: TestServer;
  let phone: Baresip | undefined;
  let contact: Sipp | undefined;
  const log: Array<Record<string, unknown>> = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(JSON.parse(line));
        done();
      },
    });
    // Only the realm of the shared e2e node is set (and T1/ring times); digest settings are
    // pconn's defaults, which is what this test is about.
    server = await startSipServer({}, pino({ level: 'info' }, sink));
  });
  after(async () => {
    // baresip first: it un-REGISTERs while pconn still answers.
    await phone?.stop();
    await contact?.stop();
    await server?.close();
  });

  test('registers, auto-answers and is bridged to a contact: connected, then completed; nothing refused', async () => {
    const driver = server.pconn.driver as ThreadedSipDriver;
    const sip = driver.address;
    await expectOk(server, 'PUT', '/v1/users/agent', {
      name: 'Agent',
      device: { type: 'registered', username: 'agent', password: 'agent-sip-secret' },
    });
    phone = startBaresip({
      account: `<sip:agent@127.0.0.1:${sip.port}>;auth_pass=agent-sip-secret;answermode=auto`,
    });
    const refusals = () => log.filter((entry) => /refused|refusals/i.test(String(entry.msg)));
    // Logged once the registrar bound the phone and the binding was written to the store.
    await waitFor(
      () => log.some((entry) => entry.msg === 'SIP phone registered'),
      15_000,
      () =>
        `baresip never registered.\nbaresip:\n${phone?.output()}\npconn refusals: ${JSON.stringify(refusals())}`,
    );
    const registered = log.find((entry) => entry.msg === 'SIP phone registered');
    assert.equal(registered?.user, 'agent', JSON.stringify(log));
    assert.match(String(registered?.userAgent), /^baresip/, 'the log names the softphone');
    contact = await startSipp({ scenario: 'contact-hangs-up.xml' });
    const id = await placeCall(server, {
      agentDevice: { type: 'registered', username: 'agent' },
      trunk: { uri: `sip:127.0.0.1:${contact.port}` },
    });
    const diagnosis = () => `\nbaresip:\n${phone?.output()}\ncontact sipp: ${contact?.errors()}`;
    await settledCall(server, id, ['connected', 'completed'], 20_000).catch((error: Error) => {
      throw new Error(`${error.message}${diagnosis()}`);
    });
    const call = await settledCall(server, id, undefined, 20_000);
    assert.equal(call.status, 'completed', `${JSON.stringify(call)}${diagnosis()}`);
    assert.equal(call.outcome, 'answered');
    const timeline = await server.request<{ data: Array<{ type: string }> }>('GET', `/v1/calls/${id}/events`);
    const types = timeline.body.data.map((event) => event.type);
    assert.ok(types.includes('call.connected'), `the call went through connected: ${types.join(', ')}`);
    assert.equal(await sippResult(contact), 0, `contact sipp failed:\n${contact.errors()}`);
    assert.deepEqual(refusals(), [], 'pconn refused nothing');
    // pino levels: 40 warn, 50 error.
    assert.deepEqual(
      log.filter((entry) => Number(entry.level) >= 40),
      [],
      'pconn logged no warning or error',
    );
    assert.ok(
      log.some((entry) => entry.msg === 'SIP listening'),
      'the SIP listen address is logged at start',
    );
  });
});
