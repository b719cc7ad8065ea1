/**
 * The embedded store in a child process of its own (the design store-placement.ts compares with
 * the worker thread pconn uses): PGlite behind its socket, told its options over IPC, gone when
 * its parent is (IPC disconnect).
 */
import { type StoreServerOptions, startStoreServer } from '../../src/store/embedded/store-server.ts';

const send = (message: unknown) => process.send?.(message);
process.once('message', (options: StoreServerOptions) => {
  startStoreServer(options).then(
    (server) => {
      process.once('disconnect', () => void server.close().then(() => process.exit(0)));
      send({ type: 'ready' });
    },
    (error: unknown) => {
      send({ type: 'failed', message: (error as Error).message });
      process.exit(1);
    },
  );
});
