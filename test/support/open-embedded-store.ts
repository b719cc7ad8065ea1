/**
 * Opens the embedded store on the data dir given as argument, as a node does, and prints what
 * test/store/embedded-memory.test.ts checks: PGlite's memory settings, a row written by an
 * earlier run, and this process's resident memory (it runs alone so the figure is the store's).
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { openStore } from '../../src/store/open-store.ts';

const store = await openStore({ kind: 'pglite', dataDir: process.argv[2] as string });
const setting = async (name: string) =>
  ((await sql.raw(`show ${name}`).execute(store.db)).rows[0] as Record<string, string>)[name];
await sql`create table if not exists runs (n int)`.execute(store.db);
await sql`insert into runs values (1)`.execute(store.db);
const runs = (await sql<{ n: number }>`select count(*)::int as n from runs`.execute(store.db)).rows[0]?.n;
const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(
  `${JSON.stringify({ sharedBuffers: await setting('shared_buffers'), runs, rssMb: Math.round(rssKb / 1024) })}\n`,
);
await store.close();
