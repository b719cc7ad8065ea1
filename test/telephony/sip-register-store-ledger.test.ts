import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import { expectOk, startSipServer } from '../e2e/support/pconn-sip.ts';
import type { TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { answer, RegisterPhone } from './support/register-phone.ts';

/*
 * The pconn node wires the registrar to its store and metrics: accepted nonce-counts land in
 * sip_nonce_uses (so every node sharing the database refuses a replay), and refusals and
 * lockouts are counted in GET /metrics.
 */

describe('pconn registrar: nonce ledger in the store, refusals in /metrics', () => {
  let server: TestServer;
  let phone: RegisterPhone;

  before(async () => {
    server = await startSipServer({
      PCONN_SIP_REGISTER_MAX_FAILURES: '2',
      PCONN_SIP_NONCE_TTL_SECONDS: '45',
    });
    phone = await RegisterPhone.open();
    await expectOk(server, 'PUT', '/v1/users/agent', {
      name: 'Agent',
      device: { type: 'registered', username: 'ledger-agent', password: 'ledger-agent-secret' },
    });
  });
  after(async () => {
    phone?.close();
    await server?.close();
  });

  test('a registration is recorded in sip_nonce_uses; its replay is refused and counted', async () => {
    const port = (server.pconn.driver as ThreadedSipDriver).address.port;
    const base = { user: 'ledger-agent', callId: 'ledger-1', contact: `sip:ledger-agent@${phone.source}` };
    const challenge = await phone.register(port, { ...base, cseq: 1 });
    const authorization = answer(challenge, 'ledger-agent', 'ledger-agent-secret');
    assert.equal((await phone.register(port, { ...base, cseq: 2, authorization })).status, 200);
    const rows = await sql<{ nc: string; ttl: number }>`
      select nc, extract(epoch from expires_at) as ttl from sip_nonce_uses`.execute(server.store.db);
    assert.equal(rows.rows.length, 1, 'one nonce used');
    assert.equal(Number(rows.rows[0]?.nc), 1);
    const replay = await phone.register(port, { ...base, callId: 'ledger-2', cseq: 1, authorization });
    assert.equal(replay.status, 401, 'the store remembers the count');
    const wrong = answer(challenge, 'ledger-agent', 'not the password', 2);
    for (const cseq of [3, 4, 5]) await phone.register(port, { ...base, cseq, authorization: wrong });
    // The SIP thread reports refusals to the node's thread after it answered: wait for the last.
    const metrics = await waitFor(
      async () => {
        const res = await server.request('GET', '/metrics', { token: null });
        return /reason="locked_out"\} 1/.test(res.text) ? res : undefined;
      },
      { what: "the lockout's refusal counted", interval: 50 },
    );
    assert.match(metrics.text, /pconn_sip_register_refusals_total\{reason="replayed_nonce"\} 1/);
    assert.match(metrics.text, /pconn_sip_register_refusals_total\{reason="wrong_password"\} 2/);
    assert.match(metrics.text, /pconn_sip_register_lockouts_total\{scope="user"\} 1/);
    assert.match(metrics.text, /pconn_sip_register_refusals_total\{reason="locked_out"\} 1/);
  });
});
