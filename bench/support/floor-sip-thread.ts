/**
 * floor-calls.ts on a thread of its own (cps-floor.ts, unless BENCH_FLOOR_SIP_THREAD=0): the SIP
 * driver off the thread that serves HTTP and writes the store. Calls to place arrive in batches;
 * their steps go back gathered over one turn of this thread's event loop (TurnOutbox, as pconn's
 * SIP thread does), so the threads exchange a message per batch, not per call. The server ends
 * the thread by terminating it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TurnOutbox } from '../../src/wiring/sip-thread/turn-outbox.ts';
import { type FloorDial, type FloorStep, startFloorCalls } from './floor-calls.ts';

const port = parentPort;
if (!port) throw new Error('floor-sip-thread.ts runs as a worker thread');
// Steps are plain data: none can fail to cross, so none needs a stand-in.
const steps = new TurnOutbox<FloorStep>(port, () => undefined);
const calls = await startFloorCalls(workerData as { agent: string; contact: string }, (step) =>
  steps.push(step),
);
port.on('message', (dials: FloorDial[]) => {
  for (const call of dials) calls.dial(call);
});
port.postMessage({ ready: true });
