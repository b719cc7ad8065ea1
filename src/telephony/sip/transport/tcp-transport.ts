import { createConnection, createServer, isIP, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { TcpConnection, type TcpConnectionEvents } from './tcp-connection.ts';
import { addressKey, type SipTlsOptions, socketHost, uriHost } from './transport-types.ts';

/**
 * A TLS handshake must finish within this (Node's default is 120 s): it bounds how long a
 * peer that connects and says nothing, or speaks plain TCP to the TLS port, holds a socket.
 */
const TLS_HANDSHAKE_MS = 10_000;

/** Handlers a TCP transport reports to. */
export interface TcpTransportHandlers {
  /** One framed message from `host:port` (the connection's remote). */
  message(data: Buffer, host: string, port: number): void;
  /** A connection lost framing and was closed. */
  framingError(reason: string, host: string, port: number): void;
}

/** Maps `::ffff:1.2.3.4` to `1.2.3.4` and brackets IPv6 so keys match URIs and Vias. */
function normalizeHost(address: string | undefined): string {
  const host = address ?? '0.0.0.0';
  return uriHost(host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host);
}

/**
 * SIP over TCP (RFC 3261 §18), or over TLS when given certificates (§26.2: the same stream
 * framing inside TLS): a listening server plus one connection per remote `host:port`,
 * reused for every message in either direction (§18.2.2: responses return over the
 * connection the request came on).
 */
export class TcpTransport {
  readonly #server: Server;
  readonly #connections = new Map<string, TcpConnection>();
  readonly #events: TcpConnectionEvents;
  readonly #keepAliveMs: number;
  readonly #tls: SipTlsOptions | undefined;
  /** The listening port, read once: a listening server keeps its port (see UdpTransport.port). */
  readonly port: number;

  private constructor(
    server: Server,
    handlers: TcpTransportHandlers,
    keepAliveMs: number,
    tls: SipTlsOptions | undefined,
  ) {
    this.#server = server;
    this.#keepAliveMs = keepAliveMs;
    this.#tls = tls;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.#events = {
      message: (c, data) => handlers.message(data, c.host, c.port),
      framingError: (c, reason) => handlers.framingError(reason, c.host, c.port),
      closed: (c) => {
        if (this.#connections.get(c.key) === c) this.#connections.delete(c.key);
      },
    };
    // A TLS server hands over sockets once their handshake succeeded; a failed handshake
    // (plain TCP, a bad certificate, a timeout) only costs that socket, which Node destroys.
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => this.#accept(socket));
    if (tls) server.on('tlsClientError', () => {});
    server.on('error', () => {});
  }

  /** Listens on `host:port` (port 0 → OS picks); over TLS when `tls` is given. */
  static open(
    host: string,
    port: number,
    handlers: TcpTransportHandlers,
    keepAliveMs = 0,
    tls?: SipTlsOptions,
  ): Promise<TcpTransport> {
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: TLS_HANDSHAKE_MS })
      : createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, socketHost(host), () => {
        server.off('error', reject);
        resolve(new TcpTransport(server, handlers, keepAliveMs, tls));
      });
    });
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  #accept(socket: Socket): void {
    const host = normalizeHost(socket.remoteAddress);
    const port = socket.remotePort ?? 0;
    const connection = new TcpConnection(socket, host, port, false, this.#events);
    // A newer connection from the same remote replaces the old one for sending.
    this.#connections.set(connection.key, connection);
  }

  /** True when a connection to `host:port` is open (§18.2.2 reuse for responses). */
  has(host: string, port: number): boolean {
    return this.#connections.has(addressKey(host, port));
  }

  /** Sends over the connection to `host:port`, opening one when there is none. */
  send(data: Buffer, host: string, port: number): Promise<void> {
    const key = addressKey(host, port);
    let connection = this.#connections.get(key);
    if (!connection) {
      connection = this.#connect(host, port);
      this.#connections.set(key, connection);
    }
    return connection.send(data);
  }

  /** Opens a connection to `host:port`; over TLS it verifies the peer (RFC 3261 §26.2.1). */
  #connect(host: string, port: number): TcpConnection {
    const target = socketHost(host);
    const family = isIPv6(target) ? 6 : 0;
    const tls = this.#tls;
    if (!tls) {
      const socket = createConnection({ host: target, port, family });
      return new TcpConnection(socket, host, port, true, this.#events, this.#keepAliveMs);
    }
    const socket = tlsConnect({
      host: target,
      port,
      // SNI and the certificate's expected name: the host we were asked to reach (RFC 5922 §4).
      ...(isIP(target) === 0 ? { servername: target } : {}),
      ...(tls.ca ? { ca: tls.ca } : {}),
      rejectUnauthorized: tls.verifyPeer !== false,
    });
    return new TcpConnection(socket, host, port, true, this.#events, this.#keepAliveMs, 'secureConnect');
  }

  /** Closes the server and every connection. */
  close(): Promise<void> {
    for (const connection of this.#connections.values()) connection.close();
    this.#connections.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
