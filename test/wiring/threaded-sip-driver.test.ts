import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import type { LegEvent, LegTarget } from '../../src/domain/telephony.ts';
import type { BindingChangeReport } from '../../src/telephony/sip/registrar/index.ts';
import type { SipThreadSettings } from '../../src/wiring/sip-thread/sip-thread-messages.ts';
import { type SipThreadHooks, ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import { waitFor } from '../support/wait-for.ts';
import { answer, PASSWORDS, RegisterPhone } from '../telephony/support/register-phone.ts';

/*
 * The SIP driver on its own thread (src/wiring/sip-thread): what the driver asks of the store
 * crosses to the node's thread and back, its reports (leg events, metrics, log lines) arrive
 * there, and a SIP thread that dies ends its legs as a transport failure would, instead of
 * leaving calls waiting for events that will never come.
 */

const SETTINGS: SipThreadSettings = {
  listen: { transport: 'udp', host: '127.0.0.1', port: 0 },
  t1Ms: 100,
  realm: 'pconn.test',
  maxRegisterExpires: 3600,
  digestAlgorithms: ['SHA-256'],
};

/** Hooks that record what the SIP thread asked and told; `tenantTrunk` fails (no store here). */
function recordingHooks() {
  const asked: string[] = [];
  const errors: unknown[] = [];
  const ended: Error[] = [];
  const changes: BindingChangeReport[] = [];
  const written: { aor: string; transport: string }[] = [];
  const hooks: SipThreadHooks = {
    records: {
      tenantTrunk: async (tenantId) => {
        asked.push(`tenantTrunk ${tenantId}`);
        throw new Error('the store is down');
      },
      allTrunks: async () => [],
      deviceUsers: async (username) => {
        asked.push(`deviceUsers ${username}`);
        const password = PASSWORDS[username];
        return password
          ? [{ tenantId: 't1', id: username, data: { device: { type: 'registered', password } } }]
          : [];
      },
    },
    nonceLedger: {
      use: async (_nonce, nc) => {
        asked.push(`useNonce ${nc}`);
        return true;
      },
    },
    onBindingsWritten: async ({ aor, transport }) => {
      written.push({ aor, transport });
    },
    onError: (error) => errors.push(error),
    onThreadEnded: (error) => ended.push(error),
    onTransactionEvent: () => undefined,
    onDroppedMessage: () => undefined,
    onTrunkHealth: () => undefined,
    onRegisterRefused: () => undefined,
    onEveryRegisterRefusal: () => undefined,
    onBindingChange: (change) => changes.push(change),
  };
  return { hooks, asked, errors, ended, changes, written };
}

describe('the SIP driver on its own thread', () => {
  const drivers: ThreadedSipDriver[] = [];
  after(async () => {
    for (const driver of drivers) await driver.close();
  });

  test("a REGISTER is answered with the node thread's directory, nonce ledger and bindings' mirror", async () => {
    const { hooks, asked, changes, written } = recordingHooks();
    const driver = await ThreadedSipDriver.start(SETTINGS, hooks);
    drivers.push(driver);
    assert.notEqual(driver.address.port, 0, 'the OS-chosen port is known once started');
    assert.equal(driver.listenInfo().transport, 'udp');
    const phone = await RegisterPhone.open();
    try {
      const base = { user: 'alice', callId: 'threaded-1', contact: `sip:alice@${phone.source}` };
      const challenge = await phone.register(driver.address.port, { ...base, cseq: 1 });
      assert.equal(challenge.status, 401);
      const ok = await phone.register(driver.address.port, {
        ...base,
        cseq: 2,
        authorization: answer(challenge, 'alice', PASSWORDS.alice as string),
      });
      assert.equal(ok.status, 200, 'registered through the hooks on the node thread');
      assert.ok(asked.includes('deviceUsers alice'), `the account was looked up here: ${asked}`);
      assert.ok(asked.includes('useNonce 1'), `the nonce-count was used here: ${asked}`);
      assert.deepEqual(
        written,
        [{ aor: 't1/alice', transport: 'udp' }],
        'the binding was mirrored before the 200',
      );
      await waitFor(() => changes.length === 1, { what: 'the binding change told' });
      assert.equal(changes[0]?.aor, 't1/alice');
    } finally {
      phone.close();
    }
  });

  test("a hook's failure comes back to the SIP thread: the leg ends unroutable and the error is told", async () => {
    const { hooks, asked, errors } = recordingHooks();
    const driver = await ThreadedSipDriver.start(SETTINGS, hooks);
    drivers.push(driver);
    const events: LegEvent[] = [];
    driver.dial(
      {
        legId: 'c1/1/contact',
        tenantId: 't1',
        target: { kind: 'phone', number: '+14155550123' },
        callerId: null,
        ringTimeoutSeconds: 5,
      },
      (event) => events.push(event),
    );
    await waitFor(() => events.some((event) => event.type === 'ended'), { what: 'the leg ended' });
    assert.deepEqual(asked, ['tenantTrunk t1']);
    const ended = events.find((event) => event.type === 'ended');
    assert.equal(ended?.type === 'ended' && ended.status, 500);
    await waitFor(() => errors.length > 0, { what: 'the error told' });
    assert.match(String(errors[0]), /the store is down/);
  });

  test("a dial that cannot cross to the SIP thread ends its leg here; the turn's other commands still go", async () => {
    const { hooks } = recordingHooks();
    const driver = await ThreadedSipDriver.start(SETTINGS, hooks);
    drivers.push(driver);
    const events: LegEvent[] = [];
    const unclonable = { kind: 'sip', uri: 'sip:x@127.0.0.1:9', resolve: () => 'a function' } as LegTarget;
    driver.dial({ legId: 'c4/1/agent', target: unclonable, callerId: null, ringTimeoutSeconds: 1 }, (event) =>
      events.push(event),
    );
    await driver.hangup({ legId: 'never-dialled' });
    assert.deepEqual(events, [{ type: 'ended', status: 500, reason: 'Server Internal Error', by: 'local' }]);
  });

  test('a SIP thread that cannot start rejects start() with its reason, and is not told as an end', async () => {
    const taken = createSocket('udp4');
    taken.bind(0, '127.0.0.1');
    await once(taken, 'listening');
    const { hooks, ended } = recordingHooks();
    try {
      await assert.rejects(
        ThreadedSipDriver.start(
          { ...SETTINGS, listen: { ...SETTINGS.listen, port: taken.address().port } },
          hooks,
        ),
        /EADDRINUSE/,
      );
      assert.deepEqual(ended, []);
    } finally {
      taken.close();
    }
  });

  test('a SIP thread that dies ends its legs as a transport failure, fails its commands and every later dial, and is told', async () => {
    const { hooks, ended } = recordingHooks();
    const driver = await ThreadedSipDriver.start(
      SETTINGS,
      hooks,
      new URL('./support/crashing-sip-thread.ts', import.meta.url),
    );
    // A peer that takes the INVITE and never answers: the leg stays in flight.
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    const invited = once(peer, 'message');
    try {
      const events: LegEvent[] = [];
      const leg = driver.dial(
        {
          legId: 'c2/1/agent',
          target: { kind: 'sip', uri: `sip:agent@127.0.0.1:${peer.address().port}` },
          callerId: null,
          ringTimeoutSeconds: 30,
        },
        (event) => events.push(event),
      );
      await invited;
      const hangingUp = driver.hangup(leg).then(
        () => undefined,
        (error: Error) => error,
      );
      driver.dial(
        {
          legId: 'crash/1/agent',
          target: { kind: 'sip', uri: 'sip:x@127.0.0.1:9' },
          callerId: null,
          ringTimeoutSeconds: 1,
        },
        () => undefined,
      );
      await waitFor(() => events.some((event) => event.type === 'ended'), {
        what: 'the in-flight leg ended',
      });
      assert.deepEqual(events.at(-1), {
        type: 'ended',
        status: 503,
        reason: 'SIP thread ended',
        by: 'network',
      });
      // The hang-up raced the crash: answered by the thread before it died, or failed with it.
      const hangupError = await hangingUp;
      if (hangupError) assert.match(hangupError.message, /SIP thread ended/);
      assert.equal(ended.length, 1, 'the node thread told once');
      assert.match(String(ended[0]), /SIP thread ended \(exit code 3\)/);
      const later: LegEvent[] = [];
      driver.dial(
        {
          legId: 'c3/1/agent',
          target: { kind: 'sip', uri: 'sip:x@127.0.0.1:9' },
          callerId: null,
          ringTimeoutSeconds: 1,
        },
        (event) => later.push(event),
      );
      await waitFor(() => later.length === 1, { what: 'a later dial ended at once' });
      assert.equal(later[0]?.type === 'ended' && later[0].by, 'network');
      await assert.rejects(driver.bridge(leg, leg), /SIP thread ended/);
      await driver.close();
    } finally {
      peer.close();
    }
  });
});
