/**
 * A stand-in for the store's thread that opens nothing and ends (exit code 3) on its first
 * request: how a crash of the real one (PGlite aborting, memory exhausted) looks to the node.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ ready: true });
parentPort?.on('message', () => process.exit(3));
