import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import { expectOk, startSipServer } from '../e2e/support/pconn-sip.ts';
import type { TestServer } from '../support/test-server.ts';
import { answer, RegisterPhone } from './support/register-phone.ts';

/*
 * A pconn node mirrors the bindings its registrar accepts into sip_bindings (issue 15 point 4),
 * with itself as the holder of the phone's flow, before the REGISTER's 200: other nodes then hand
 * this phone's calls to it. Refreshes move the expiry, an unregister removes the row.
 */

interface BindingRow {
  tenant_id: string;
  username: string;
  contact: string;
  node_id: string;
  transport: string;
  source: string;
  expires_in: number;
}

describe('pconn registrar: bindings mirrored in the store', () => {
  let server: TestServer;
  let phone: RegisterPhone;

  before(async () => {
    server = await startSipServer();
    phone = await RegisterPhone.open();
    await expectOk(server, 'PUT', '/v1/users/agent', {
      name: 'Agent',
      device: { type: 'registered', username: 'mirror-agent', password: 'mirror-agent-secret' },
    });
  });
  after(async () => {
    phone?.close();
    await server?.close();
  });

  const rows = async () =>
    (
      await sql<BindingRow>`select tenant_id, username, contact, node_id, transport, source,
        extract(epoch from expires_at - updated_at)::int as expires_in from sip_bindings`.execute(
        server.store.db,
      )
    ).rows;

  test('register, refresh and unregister are mirrored, held by this node, which is alive', async () => {
    const port = (server.pconn.driver as ThreadedSipDriver).address.port;
    const contact = `sip:mirror-agent@${phone.source}`;
    const base = { user: 'mirror-agent', callId: 'mirror-1', contact };
    const challenge = await phone.register(port, { ...base, cseq: 1 });
    const register = (cseq: number, nc: number, expires: number) =>
      phone.register(port, {
        ...base,
        cseq,
        expires,
        authorization: answer(challenge, 'mirror-agent', 'mirror-agent-secret', nc),
      });
    assert.equal((await register(2, 1, 600)).status, 200);
    const nodeId = server.pconn.dialer.owner;
    assert.deepEqual(await rows(), [
      {
        tenant_id: 'default',
        username: 'mirror-agent',
        contact,
        node_id: nodeId,
        transport: 'udp',
        source: phone.source,
        expires_in: 600,
      },
    ]);
    const nodes = await sql<{ id: string }>`select id from pconn_nodes where alive_until > now()`.execute(
      server.store.db,
    );
    assert.deepEqual(
      nodes.rows.map((row) => row.id),
      [nodeId],
      'the node that holds the flow is alive',
    );
    assert.equal((await register(3, 2, 300)).status, 200);
    assert.equal((await rows())[0]?.expires_in, 300, 'a refresh moves the expiry');
    assert.equal((await register(4, 3, 0)).status, 200);
    assert.deepEqual(await rows(), [], 'an unregister removes the row');
  });
});
