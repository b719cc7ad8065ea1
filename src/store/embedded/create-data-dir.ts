import { PGlite } from '@electric-sql/pglite';

// Creates (initdb) the PGlite data dir named by argv[2], then exits. Run as a child process by
// embedded-store.ts: creating a data dir leaves ~500 MB of WebAssembly memory that PGlite never
// returns, and only the end of a process hands all of it back to the system.
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: create-data-dir.ts <data dir>');
const db = await PGlite.create({ dataDir });
await db.close();
