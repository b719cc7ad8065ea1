import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/store/database.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { findTenantTrunk } from '../../src/store/trunks/find-tenant-trunk.ts';
import { listTrunks } from '../../src/store/trunks/list-trunks.ts';
import { findDeviceUsers } from '../../src/store/users/find-device-users.ts';
import { RecordDirectory } from '../../src/telephony/sip-driver/record-directory.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

// The SIP driver's directory over the store queries main.ts wires it with: trunk choice per
// tenant, keep-alive list, and REGISTER candidates, read from real rows in PGlite.

let store: Store;
let directory: RecordDirectory;

const trunk = (uri: string) => ({
  uri,
  username: null,
  password: null,
  maxConcurrent: 2,
  cps: 1,
  offerInInitialInvite: false,
});

async function insert(db: Db, table: 'trunks' | 'users', tenantId: string, id: string, data: object) {
  await sql`insert into ${sql.table(table)} (tenant_id, id, data) values (${tenantId}, ${id}, ${JSON.stringify(data)}::jsonb)`.execute(
    db,
  );
}

before(async () => {
  store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  const { db } = store;
  await sql`insert into tenants (id, name) values ('t1', 'T1'), ('t2', 'T2') on conflict do nothing`.execute(
    db,
  );
  await insert(db, 'trunks', 't1', 'oldest', trunk('sip:oldest.example'));
  await insert(db, 'trunks', 't1', 'default', trunk('sip:default.example'));
  await insert(db, 'trunks', 't2', 'second', trunk('sip:second.example'));
  await insert(db, 'trunks', 't2', 'third', trunk('sip:third.example'));
  const device = (extra: object) => ({ type: 'registered', password: 'pw', ...extra });
  await insert(db, 'users', 't1', 'alice', { name: 'A', status: 'active', device: device({}) });
  await insert(db, 'users', 't2', 'bob', {
    name: 'B',
    status: 'active',
    device: device({ username: 'alice' }),
  });
  await insert(db, 'users', 't2', 'carol', {
    name: 'C',
    status: 'inactive',
    device: device({ username: 'alice' }),
  });
  await insert(db, 'users', 't2', 'dave', {
    name: 'D',
    status: 'active',
    device: { type: 'phone', number: '+15550100' },
  });
  directory = new RecordDirectory({
    tenantTrunk: (tenantId) => findTenantTrunk(db, tenantId),
    allTrunks: () => listTrunks(db),
    deviceUsers: (username) => findDeviceUsers(db, username),
  });
});

after(() => store.close());

test("a tenant's legs use its trunk `default`, else its oldest; none configured is undefined", async () => {
  assert.deepEqual(await directory.trunkFor('t1'), { id: 't1/default', ...trunk('sip:default.example') });
  assert.equal((await directory.trunkFor('t2'))?.id, 't2/second');
  assert.equal(await directory.trunkFor('t3'), undefined);
});

test('every trunk across tenants is listed for the keep-alive, oldest first', async () => {
  const ids = (await directory.trunks()).map((route) => route.id);
  assert.deepEqual(ids, ['t1/oldest', 't1/default', 't2/second', 't2/third']);
});

test('REGISTER candidates: active users whose registered device signs in as the username, across tenants', async () => {
  const accounts = await directory.registeredAccounts('alice');
  assert.deepEqual(accounts.map((a) => a.aor).sort(), ['t1/alice', 't2/alice']);
  assert.deepEqual(await directory.registeredAccounts('dave'), []);
});
