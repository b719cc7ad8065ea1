import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { socketHost } from './transport-types.ts';

/** Receives one datagram with its source. */
export type DatagramHandler = (data: Buffer, host: string, port: number) => void;

/**
 * One UDP socket (RFC 3261 §18 over UDP). Sends and receives whole datagrams; socket errors
 * are reported to `onError` and never thrown.
 */
export class UdpTransport {
  readonly #socket: Socket;
  /**
   * The bound port, read once: a bound UDP socket never changes port, and every Via and
   * Contact we write needs it (`socket.address()` is a getsockname syscall, 14 per call).
   */
  readonly port: number;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.port = socket.address().port;
  }

  /** Binds `host:port` (port 0 → OS picks). */
  static open(
    host: string,
    port: number,
    onDatagram: DatagramHandler,
    onError: (error: Error) => void,
  ): Promise<UdpTransport> {
    const bindHost = socketHost(host);
    // Bursts of a few hundred INVITEs overflow the kernel's default ~208 KB receive buffer and
    // cost retransmissions (T1 later); ask for 4 MiB (the kernel caps it at net.core.rmem_max).
    const socket = createSocket({
      type: isIPv6(bindHost) ? 'udp6' : 'udp4',
      reuseAddr: false,
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      const failBind = (error: Error) => reject(error);
      socket.once('error', failBind);
      socket.bind(port, bindHost, () => {
        socket.off('error', failBind);
        socket.on('error', onError);
        socket.on('message', (data, rinfo) => onDatagram(data, rinfo.address, rinfo.port));
        resolve(new UdpTransport(socket));
      });
    });
  }

  /** Sends one datagram; rejects on a send error (e.g. an unresolvable host). */
  send(data: Buffer, host: string, port: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('UDP transport closed'));
    return new Promise((resolve, reject) => {
      this.#socket.send(data, port, socketHost(host), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the socket. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
