/**
 * floor-calls.ts on a thread of its own (cps-floor.ts, unless BENCH_FLOOR_SIP_THREAD=0): the SIP
 * driver off the thread that serves HTTP and writes the store. Calls to place arrive in batches
 * (`{dials}`); their steps go back gathered over one turn of this thread's event loop
 * (`{steps}`), so the threads exchange a message per batch, not per call.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FloorDial, type FloorStep, startFloorCalls } from './floor-calls.ts';

const port = parentPort;
if (!port) throw new Error('floor-sip-thread.ts runs as a worker thread');
let pending: FloorStep[] = [];
const calls = await startFloorCalls(workerData as { agent: string; contact: string }, (step) => {
  pending.push(step);
  if (pending.length === 1)
    setImmediate(() => {
      port.postMessage({ steps: pending });
      pending = [];
    });
});
port.on('message', (message: { dials?: FloorDial[]; close?: boolean }) => {
  for (const call of message.dials ?? []) calls.dial(call);
  if (message.close) void calls.close().then(() => port.postMessage({ closed: true }));
});
port.postMessage({ ready: true });
