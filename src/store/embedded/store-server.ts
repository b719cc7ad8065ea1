import { chmod, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { SessionQueue } from './session-queue.ts';

/** What the embedded store serves and where. */
export interface StoreServerOptions {
  /** PGlite's data directory (PGDATA); in memory when absent. */
  dataDir?: string;
  /** A data dir dumped by {@link StoreServer.dump} (gzip tarball) to start from, in memory. */
  image?: Uint8Array;
  /** A private directory (mode 0700) for the socket; pg finds it as `host`. */
  socketDir: string;
  /** Names the socket `.s.PGSQL.<port>`, as pg and libpq expect. */
  port: number;
}

/** A running embedded store. */
export interface StoreServer {
  /** The data dir as a gzip tarball (how tests build their pre-migrated image). */
  dump(): Promise<Uint8Array>;
  /** Closes every connection (rolling back what they left open), then PGlite itself. */
  close(): Promise<void>;
}

/**
 * PGlite served over the PostgreSQL wire protocol on a Unix socket, so the rest of pconn reaches
 * it with `pg` exactly as it reaches a PostgreSQL server. pglite-socket's handler does the
 * framing; the session is shared by {@link SessionQueue}, not by its own queue.
 */
export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.image ? { loadDataDir: new Blob([options.image]) } : {}),
  });
  const queue = new SessionQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = createServer((socket) => {
    // Its options type names pglite-socket's queue class, whose private fields no other class can
    // match; SessionQueue has the four methods the handler calls.
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    void handler.attach(socket);
  });
  const path = join(options.socketDir, `.s.PGSQL.${options.port}`);
  await listen(server, path);
  // The directory is already private; the socket's own mode says so too for anyone who looks.
  await chmod(path, 0o600);
  let closed: Promise<void> | undefined;
  return {
    async dump() {
      const image = await db.dumpDataDir('gzip');
      return new Uint8Array(await image.arrayBuffer());
    },
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const handler of handlers) void handler.detach(true);
        });
        await queue.whenIdle();
        if (!db.closed) await db.close();
      })();
      return closed;
    },
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
