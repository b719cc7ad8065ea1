import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryNonceLedger } from '../../src/telephony/sip/auth/nonce-ledger.ts';
import type { RegisterRefusal } from '../../src/telephony/sip/registrar/index.ts';
import type { SipDriver } from '../../src/telephony/sip-driver.ts';
import { answer, isStale, PASSWORDS, RegisterPhone, startRegistrarDriver } from './support/register-phone.ts';

/*
 * Issue 14 finding 1: a REGISTER Authorization captured off plain UDP, replayed from another
 * port (or the same one) with the attacker's Contact, must not move the agent's calls. Real
 * UDP sockets against the real SIP driver; the registrar's clock is a variable.
 */

const ALICE = 't1/alice';
const PHONE_CONTACT = 'sip:alice@127.0.0.1:5999';
const HIJACK = 'sip:hijack@203.0.113.66:5060';

describe('SIP registrar: captured REGISTER credentials cannot be replayed', () => {
  let now = 1_700_000_000_000;
  const refusals: RegisterRefusal[] = [];
  let driver: SipDriver;
  let port: number;
  const phones: RegisterPhone[] = [];
  const phone = async (host?: string) => {
    const opened = await RegisterPhone.open(host);
    phones.push(opened);
    return opened;
  };
  const contacts = () => driver.bindings.current(ALICE).map((binding) => binding.contact);

  before(async () => {
    driver = await startRegistrarDriver({
      now: () => now,
      nonceTtlSeconds: 60,
      onEveryRegisterRefusal: (refusal) => refusals.push(refusal),
    });
    port = driver.address.port;
  });
  after(async () => {
    for (const opened of phones) opened.close();
    await driver.close();
  });

  /** Registers `user` from `from` with a fresh Call-ID: challenge, answer; returns the answer sent. */
  async function registerOnce(from: RegisterPhone, contact: string, callId: string): Promise<string> {
    const challenge = await from.register(port, { user: 'alice', callId, cseq: 1, contact });
    assert.equal(challenge.status, 401, 'the first REGISTER is challenged');
    const authorization = answer(challenge, 'alice', PASSWORDS.alice ?? '');
    const ok = await from.register(port, { user: 'alice', callId, cseq: 2, contact, authorization });
    assert.equal(ok.status, 200, `registered: ${ok.status} ${ok.reason}`);
    return authorization;
  }

  test('replayed from another port with another Contact: challenged (stale), binding unchanged', async () => {
    const alice = await phone();
    const captured = await registerOnce(alice, PHONE_CONTACT, 'replay-1');
    assert.deepEqual(contacts(), [PHONE_CONTACT]);
    const attacker = await phone();
    const replay = await attacker.register(port, {
      user: 'alice',
      callId: 'attacker-1',
      cseq: 1,
      contact: HIJACK,
      authorization: captured,
    });
    assert.equal(replay.status, 401, `the replay is refused, got ${replay.status}`);
    assert.ok(isStale(replay), 'a fresh challenge, which only the password answers');
    assert.deepEqual(contacts(), [PHONE_CONTACT], 'the agent still rings at its own phone');
    // The attacker answering that challenge with the captured response gets nowhere either.
    const again = await attacker.register(port, {
      user: 'alice',
      callId: 'attacker-1',
      cseq: 2,
      contact: HIJACK,
      authorization: captured,
    });
    assert.equal(again.status, 401);
    assert.deepEqual(contacts(), [PHONE_CONTACT]);
  });

  test('replayed from the same address (spoofed source): the used nonce-count is refused', async () => {
    const alice = await phone();
    const captured = await registerOnce(alice, PHONE_CONTACT, 'replay-2');
    for (const contact of [HIJACK, PHONE_CONTACT]) {
      const replay = await alice.register(port, {
        user: 'alice',
        callId: `spoofed-${contact}`,
        cseq: 7,
        contact,
        authorization: captured,
      });
      assert.equal(replay.status, 401, `nc 1 of this nonce was used: ${replay.status}`);
      assert.ok(isStale(replay), 'stale, so a real phone that repeated itself retries silently');
    }
    assert.deepEqual(contacts(), [PHONE_CONTACT]);
    assert.ok(
      refusals.some((refusal) => refusal.reason === 'replayed_nonce' && refusal.source === alice.source),
      'the replay is reported',
    );
  });

  test('a refresh with the next nonce-count works; a repeated or lower count does not', async () => {
    const alice = await phone();
    const challenge = await alice.register(port, {
      user: 'alice',
      callId: 'nc-1',
      cseq: 1,
      contact: PHONE_CONTACT,
    });
    const password = PASSWORDS.alice ?? '';
    const send = (cseq: number, nc: number) =>
      alice.register(port, {
        user: 'alice',
        callId: 'nc-1',
        cseq,
        contact: PHONE_CONTACT,
        authorization: answer(challenge, 'alice', password, nc),
      });
    assert.equal((await send(2, 1)).status, 200);
    assert.equal((await send(3, 2)).status, 200, 'the refresh counts up: accepted');
    assert.equal((await send(4, 2)).status, 401, 'the same count again: a replay');
    assert.equal((await send(5, 1)).status, 401, 'a lower count: a replay');
    assert.equal((await send(6, 5)).status, 200, 'counts may skip (lost requests)');
  });

  test('an expired nonce gets stale=true and the phone re-registers with the new one', async () => {
    const alice = await phone();
    const challenge = await alice.register(port, {
      user: 'alice',
      callId: 'ttl-1',
      cseq: 1,
      contact: PHONE_CONTACT,
    });
    const password = PASSWORDS.alice ?? '';
    const ok = await alice.register(port, {
      user: 'alice',
      callId: 'ttl-1',
      cseq: 2,
      contact: PHONE_CONTACT,
      authorization: answer(challenge, 'alice', password, 1),
    });
    assert.equal(ok.status, 200);
    now += 61_000;
    const stale = await alice.register(port, {
      user: 'alice',
      callId: 'ttl-1',
      cseq: 3,
      contact: PHONE_CONTACT,
      authorization: answer(challenge, 'alice', password, 2),
    });
    assert.equal(stale.status, 401, 'the nonce is older than PCONN_SIP_NONCE_TTL_SECONDS');
    assert.ok(isStale(stale), 'stale=true: no password prompt');
    const renewed = await alice.register(port, {
      user: 'alice',
      callId: 'ttl-1',
      cseq: 4,
      contact: PHONE_CONTACT,
      authorization: answer(stale, 'alice', password, 1),
    });
    assert.equal(renewed.status, 200);
  });

  test('a new Contact or a new source address needs a fresh challenge, then registers', async () => {
    const alice = await phone();
    const password = PASSWORDS.alice ?? '';
    const challenge = await alice.register(port, {
      user: 'alice',
      callId: 'move-1',
      cseq: 1,
      contact: PHONE_CONTACT,
    });
    const first = { user: 'alice', callId: 'move-1', contact: PHONE_CONTACT };
    assert.equal(
      (
        await alice.register(port, {
          ...first,
          cseq: 2,
          authorization: answer(challenge, 'alice', password, 1),
        })
      ).status,
      200,
    );
    // Same phone, same socket, a Contact the AOR does not have, on the old nonce (count 2).
    const moved = 'sip:alice@127.0.0.1:5998';
    const changed = await alice.register(port, {
      ...first,
      cseq: 3,
      contact: moved,
      authorization: answer(challenge, 'alice', password, 2),
    });
    assert.equal(changed.status, 401, 'adding a contact to a bound AOR takes a fresh nonce');
    assert.ok(isStale(changed));
    assert.deepEqual(contacts(), [PHONE_CONTACT]);
    const accepted = await alice.register(port, {
      ...first,
      cseq: 4,
      contact: moved,
      authorization: answer(changed, 'alice', password, 1),
    });
    assert.equal(accepted.status, 200, 'the answer to that challenge binds it');
    assert.ok(contacts().includes(moved));
    // The phone's NAT mapping changes: a new source port, its nonce was issued to the old one.
    const rebound = await phone();
    const fromNewPort = await rebound.register(port, {
      ...first,
      cseq: 5,
      contact: moved,
      authorization: answer(changed, 'alice', password, 2),
    });
    assert.equal(fromNewPort.status, 401, 'a nonce is bound to the address it was sent to');
    assert.ok(isStale(fromNewPort), 'stale=true: the phone answers silently');
    const back = await rebound.register(port, {
      ...first,
      cseq: 6,
      contact: moved,
      authorization: answer(fromNewPort, 'alice', password, 1),
    });
    assert.equal(back.status, 200);
  });
});

describe('SIP registrar: two nodes sharing the nonce ledger', () => {
  test('a header accepted by one node is refused by the other', async () => {
    // One ledger for both nodes (pconn's is the store table, tested in test/store): the
    // attacker replays the captured header to the second node from the phone's own address.
    const ledger = new MemoryNonceLedger();
    const nodeA = await startRegistrarDriver({ nonceLedger: ledger });
    const nodeB = await startRegistrarDriver({ nonceLedger: ledger });
    const alice = await RegisterPhone.open();
    try {
      const challenge = await alice.register(nodeA.address.port, {
        user: 'alice',
        callId: 'two-nodes',
        cseq: 1,
        contact: PHONE_CONTACT,
      });
      const captured = answer(challenge, 'alice', PASSWORDS.alice ?? '');
      const base = { user: 'alice', callId: 'two-nodes', contact: PHONE_CONTACT, authorization: captured };
      assert.equal((await alice.register(nodeA.address.port, { ...base, cseq: 2 })).status, 200);
      const replay = await alice.register(nodeB.address.port, {
        ...base,
        callId: 'other-node',
        cseq: 1,
        contact: HIJACK,
      });
      assert.equal(replay.status, 401, 'the other node knows the count was used');
      assert.deepEqual(nodeB.bindings.current(ALICE), []);
    } finally {
      alice.close();
      await nodeA.close();
      await nodeB.close();
    }
  });
});
