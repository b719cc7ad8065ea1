import type { Socket } from 'node:net';
import { StreamFramer } from '../message/stream-framer.ts';

const CRLF = Buffer.from('\r\n');
/**
 * Idle connections are closed after 15 minutes without traffic (RFC 3261 §18 leaves the policy
 * to the implementation): it bounds open sockets from many peers, while a peer or our next
 * request simply opens a new connection. Keep-alive pings count as traffic.
 */
const IDLE_MS = 15 * 60 * 1000;
const PING = Buffer.from('\r\n\r\n');

/** What a connection reports to its transport. */
export interface TcpConnectionEvents {
  /** One framed message (to parse with transport 'stream'). */
  message(connection: TcpConnection, data: Buffer): void;
  /** Framing failed (RFC 3261 §18.3: the connection is then closed). */
  framingError(connection: TcpConnection, reason: string): void;
  /** The socket closed, for whatever reason. */
  closed(connection: TcpConnection): void;
}

/**
 * One TCP or TLS connection (a TLSSocket is a net.Socket): frames the stream with StreamFramer (RFC 3261 §18.3), answers RFC 5626
 * §4.4.1 CRLFCRLF pings with CRLF and, on connections we opened, optionally sends pings.
 */
export class TcpConnection {
  /** `host:port` of the remote, the key of the transport's connection map. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #framer: StreamFramer;
  readonly #events: TcpConnectionEvents;
  #keepAlive: NodeJS.Timeout | undefined;
  /** Resolves once connected (at once for accepted sockets); rejects on connect failure. */
  readonly ready: Promise<void>;

  /**
   * Wraps `socket`; `outbound` when we opened it (client framer role, keep-alive pings).
   * `connectEvent` is when an outbound socket may carry SIP: `connect` for TCP,
   * `secureConnect` (handshake done, peer verified) for TLS.
   */
  constructor(
    socket: Socket,
    host: string,
    port: number,
    outbound: boolean,
    events: TcpConnectionEvents,
    keepAliveMs = 0,
    connectEvent: 'connect' | 'secureConnect' = 'connect',
  ) {
    this.host = host;
    this.port = port;
    this.key = `${host}:${port}`;
    this.#socket = socket;
    this.#events = events;
    this.#framer = new StreamFramer({ role: outbound ? 'client' : 'server' });
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    this.ready = outbound
      ? new Promise((resolve, reject) => {
          socket.once(connectEvent, () => resolve());
          socket.once('error', reject);
        })
      : Promise.resolve();
    // Connect failures are reported through `ready` to the sender; never unhandled.
    this.ready.catch(() => {});
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#keepAlive) clearInterval(this.#keepAlive);
      events.closed(this);
    });
    if (outbound && keepAliveMs > 0) {
      this.ready.then(
        () => {
          this.#keepAlive = setInterval(() => this.#write(PING), keepAliveMs);
          this.#keepAlive.unref();
        },
        () => {},
      );
    }
  }

  #onData(chunk: Buffer): void {
    for (const event of this.#framer.push(chunk)) {
      if (event.kind === 'message') this.#events.message(this, event.data);
      else if (event.kind === 'ping') this.#write(CRLF);
      else if (event.kind === 'error') {
        this.#events.framingError(this, event.reason);
        this.#socket.destroy();
        return;
      }
    }
  }

  #write(data: Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(data);
  }

  /** Writes one message once connected; rejects when the connection fails or is closed. */
  async send(data: Buffer): Promise<void> {
    await this.ready;
    if (this.#socket.destroyed) throw new Error(`connection to ${this.key} closed`);
    await new Promise<void>((resolve, reject) =>
      this.#socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Closes the connection. */
  close(): void {
    this.#socket.destroy();
  }
}
