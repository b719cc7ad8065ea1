import { parentPort, workerData } from 'node:worker_threads';
import { type StoreServerOptions, startStoreServer } from './store-server.ts';

/** Messages from the embedded store's thread to the thread that started it. */
export type StoreWorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'dumped'; image: Uint8Array }
  | { type: 'closed' };

/** Requests to the embedded store's thread. */
export type StoreWorkerRequest = { type: 'dump' } | { type: 'close' };

// The embedded store's thread: PGlite and its socket, nothing else of pconn. Started by
// embedded-store.ts with the StoreServerOptions as workerData.
const port = parentPort;
if (!port) throw new Error('store-worker.ts runs as a worker thread (embedded-store.ts starts it)');
const reply = (message: StoreWorkerReply, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

try {
  const server = await startStoreServer(workerData as StoreServerOptions);
  port.on('message', (request: StoreWorkerRequest) => {
    if (request.type === 'dump') {
      void server.dump().then((image) => reply({ type: 'dumped', image }, [image.buffer as ArrayBuffer]));
    } else {
      void server.close().then(() => {
        reply({ type: 'closed' });
        port.close();
      });
    }
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'failed', message: (error as Error).message });
  port.close();
}
