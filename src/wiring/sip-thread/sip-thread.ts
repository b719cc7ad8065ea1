/**
 * The SIP thread's entry (threaded-sip-driver.ts starts it): pconn's SIP driver — user agent,
 * registrar, trunks' limits and keep-alives, anchored RTP media and answer detection — on a
 * thread of its own, off the thread that serves HTTP, runs the dialer and writes the store. What
 * the driver needs of the store (trunks, registered devices, nonce-counts, the mirror of the
 * bindings) it asks the node's thread for; metrics and log lines it tells. Its clock is the
 * system's (Date.now), as pconn's is outside tests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LegHandle } from '../../domain/telephony.ts';
import { RecordDirectory } from '../../telephony/sip-driver/record-directory.ts';
import { SipDriver } from '../../telephony/sip-driver.ts';
import {
  asError,
  LEG_NOT_PLACED,
  type SipAsk,
  type SipCommand,
  type SipNote,
  type SipReport,
  type SipThreadSettings,
  type SipThreadStart,
} from './sip-thread-messages.ts';
import { TurnOutbox } from './turn-outbox.ts';

const port = parentPort;
if (!port) throw new Error('sip-thread.ts runs as a worker thread');

/**
 * What goes instead of a report that cannot cross threads: a leg still ends, a command's answer
 * fails, a question fails here (its asker is on this side), anything else is told as an error.
 */
function unclonable(item: SipReport, error: unknown): SipReport | undefined {
  const value = new Error(`a SIP thread report (${item.kind}) could not cross threads: ${String(error)}`);
  switch (item.kind) {
    case 'leg':
      return { kind: 'leg', legId: item.legId, event: LEG_NOT_PLACED };
    case 'done':
      return { kind: 'done', id: item.id, ok: false, error: value };
    case 'ask':
      asked.get(item.id)?.reject(value);
      asked.delete(item.id);
      return { kind: 'note', hook: 'onError', value };
    case 'note':
      return { kind: 'note', hook: 'onError', value };
  }
}

const outbox = new TurnOutbox<SipReport>(port, unclonable);
const report = (item: SipReport) => outbox.push(item);

const asked = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
let nextAsk = 1;
function ask<T>(question: SipAsk): Promise<T> {
  const id = nextAsk++;
  return new Promise<T>((resolve, reject) => {
    asked.set(id, { resolve: resolve as (value: never) => void, reject });
    report({ kind: 'ask', id, ...question });
  });
}
const note = (item: SipNote) => report({ kind: 'note', ...item } as SipReport);

let driver: SipDriver;
try {
  driver = await SipDriver.start({
    ...(workerData as SipThreadSettings),
    directory: new RecordDirectory({
      tenantTrunk: (tenantId) => ask({ hook: 'tenantTrunk', tenantId }),
      allTrunks: () => ask({ hook: 'allTrunks' }),
      deviceUsers: (username) => ask({ hook: 'deviceUsers', username }),
    }),
    nonceLedger: { use: (nonce, nc, expiresAt) => ask({ hook: 'useNonce', nonce, nc, expiresAt }) },
    onBindingsWritten: (written) => ask({ hook: 'bindingsWritten', written }),
    onError: (value) => note({ hook: 'onError', value }),
    onTransactionEvent: (value) => note({ hook: 'onTransactionEvent', value }),
    onDroppedMessage: (value) => note({ hook: 'onDroppedMessage', value }),
    onTrunkHealth: (value) => note({ hook: 'onTrunkHealth', value }),
    onRegisterRefused: (value) => note({ hook: 'onRegisterRefused', value }),
    onEveryRegisterRefusal: (value) => note({ hook: 'onEveryRegisterRefusal', value }),
    onBindingChange: (value) => note({ hook: 'onBindingChange', value }),
  });
} catch (error) {
  port.postMessage({ ready: false, error: error as Error } satisfies SipThreadStart);
  process.exit(1);
}

/** Runs one of the driver's promise-returning methods and reports its outcome as `done`. */
function answer(id: number, work: () => Promise<unknown>): void {
  work().then(
    (value) => report({ kind: 'done', id, ok: true, value }),
    (error: unknown) => report({ kind: 'done', id, ok: false, error: asError(error) }),
  );
}

const leg = (legId: string): LegHandle => ({ legId });

port.on('message', (commands: SipCommand[]) => {
  for (const command of commands) {
    switch (command.op) {
      case 'dial': {
        const { legId } = command.request;
        try {
          driver.dial(command.request, (event) => report({ kind: 'leg', legId, event }));
        } catch (error) {
          // The batch's other commands still run; this leg ends as one the driver could not place.
          note({ hook: 'onError', value: error });
          report({ kind: 'leg', legId, event: LEG_NOT_PLACED });
        }
        break;
      }
      case 'bridge':
        answer(command.id, () => driver.bridge(leg(command.a), leg(command.b)));
        break;
      case 'play':
        answer(command.id, () => driver.play(leg(command.legId), command.audio));
        break;
      case 'hold':
        answer(command.id, () => driver.hold(leg(command.legId)));
        break;
      case 'hangup':
        answer(command.id, () => driver.hangup(leg(command.legId)));
        break;
      case 'close':
        answer(command.id, () => driver.close());
        break;
      case 'answer': {
        const waiting = asked.get(command.id);
        asked.delete(command.id);
        if (command.ok) waiting?.resolve(command.value as never);
        else waiting?.reject(command.error);
        break;
      }
    }
  }
});

port.postMessage({
  ready: true,
  listenInfo: driver.listenInfo(),
  address: driver.address,
} satisfies SipThreadStart);
