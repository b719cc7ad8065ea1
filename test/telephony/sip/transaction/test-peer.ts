import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import type { SipMessage } from '../../../../src/telephony/sip/message/sip-message.ts';
import {
  type TransactionCore,
  TransactionLayer,
} from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import type {
  TimerBases,
  TransactionObserver,
} from '../../../../src/telephony/sip/transaction/transaction-timers.ts';
import { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import type { SipTransportName } from '../../../../src/telephony/sip/transport/transport-types.ts';

/** A message the peer received, with its arrival time. */
export interface Received {
  message: SipMessage;
  at: number;
  port: number;
}

/** A raw UDP socket standing in for a SIP peer, so tests decide what it answers or drops. */
export class UdpPeer {
  readonly received: Received[] = [];
  /** Every datagram as received, parseable or not. */
  readonly raw: Buffer[] = [];
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (data, rinfo) => {
      this.raw.push(data);
      const parsed = parseMessage(data);
      if (parsed.ok) this.received.push({ message: parsed.message, at: Date.now(), port: rinfo.port });
    });
  }

  /** Binds on 127.0.0.1 with an OS-chosen port. */
  static async open(): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends raw text to 127.0.0.1:port. */
  send(text: string | Buffer, port: number): void {
    this.socket.send(text, port, '127.0.0.1');
  }

  /** Received requests of `method`. */
  requests(method: string): Received[] {
    return this.received.filter((r) => r.message.kind === 'request' && r.message.method === method);
  }

  /** Received responses with `status`. */
  responses(status: number): Received[] {
    return this.received.filter((r) => r.message.kind === 'response' && r.message.status === status);
  }

  close(): void {
    this.socket.close();
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms; throws after `ms`. */
export async function waitFor(condition: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await delay(5);
  }
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Waits until everything `refs` point to is garbage-collected (a full collection before each
 * look); fails after `ms` naming `what`. What a test holds strongly elsewhere never goes.
 */
export async function waitCollected(
  refs: readonly WeakRef<object>[],
  ms: number,
  what: string,
): Promise<void> {
  await waitFor(
    () => {
      collectGarbage();
      return refs.every((ref) => ref.deref() === undefined);
    },
    ms,
    what,
  );
}

/** Gaps between consecutive arrival times. */
export function gaps(items: readonly { at: number }[]): number[] {
  return items.slice(1).map((r, i) => r.at - items[i]!.at);
}

/** A transaction layer on a loopback transport, and a raw UDP peer to talk to it. */
export interface LayerBench {
  transport: SipTransport;
  layer: TransactionLayer;
  peer: UdpPeer;
  /** Closes the layer, the peer and the transport. */
  close(): Promise<void>;
}

/** Opens a transaction layer over `transports` with `core` and `observer`, plus a UDP peer. */
export async function openLayerBench(
  timers: TimerBases,
  core: TransactionCore,
  observer: TransactionObserver,
  transports: readonly SipTransportName[] = ['udp'],
): Promise<LayerBench> {
  let layer: TransactionLayer | undefined;
  const transport = await SipTransport.open({
    host: '127.0.0.1',
    port: 0,
    transports,
    onMessage: (m) => layer?.receive(m),
  });
  layer = new TransactionLayer(transport, timers, core, observer);
  const peer = await UdpPeer.open();
  const opened = layer;
  return {
    transport,
    layer: opened,
    peer,
    async close() {
      opened.close();
      peer.close();
      await transport.close();
    },
  };
}
