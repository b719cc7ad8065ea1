import { createResponse } from '../message/create-response.ts';
import { type ParseFailure, parseMessage } from '../message/parse-message.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import type { SipMessage, SipResponse } from '../message/sip-message.ts';
import { getTo, getTopVia } from '../message/typed-headers.ts';
import { InboundBacklog } from './inbound-backlog.ts';
import { MAX_DATAGRAM_BYTES, prescanMessage } from './inbound-limits.ts';
import { SourceRateLimit, type SourceRateLimitOptions } from './source-rate-limit.ts';
import { TcpTransport } from './tcp-transport.ts';
import {
  type DropKind,
  type DroppedMessage,
  type InboundMessage,
  isStream,
  type RemoteAddress,
  type SipTlsOptions,
  type SipTransportName,
} from './transport-types.ts';
import { UdpTransport } from './udp-transport.ts';
import { responseDestination, stampReceived } from './via-received.ts';

/** Options of {@link SipTransport.open}. */
export interface SipTransportOptions {
  host: string;
  /** 0 → the OS picks; UDP and TCP then try to share one port. */
  port: number;
  transports: readonly SipTransportName[];
  /** Certificates; required when `transports` holds `tls`. */
  tls?: SipTlsOptions;
  /**
   * Port of the TLS listener when other transports are open too; default `port + 1` (5060 →
   * 5061), or OS-picked when `port` is 0. When TLS is the only transport it listens on `port`.
   */
  tlsPort?: number;
  /** Every parsed message, requests already stamped with received/rport. */
  onMessage: (inbound: InboundMessage) => void;
  /** Messages dropped or answered with 400/505. */
  onDropped?: (dropped: DroppedMessage) => void;
  /** RFC 5626 keep-alive ping interval on TCP connections we open; 0 = off. */
  tcpKeepAliveMs?: number;
  /**
   * Token buckets for out-of-dialog requests (no To tag, not ACK) per source IP and in total;
   * what exceeds them is dropped silently. Absent: no rate limit (library default; the SIP
   * driver sets DEFAULT_SOURCE_RATE_LIMIT).
   */
  requestRateLimit?: SourceRateLimitOptions;
}

/** True for a datagram holding only CRLFs: an RFC 5626 §4.4.1-style keep-alive, not a message. */
function isKeepAlive(data: Buffer): boolean {
  for (const byte of data) if (byte !== 13 && byte !== 10) return false;
  return true;
}

/**
 * The transport layer (RFC 3261 §18): UDP and TCP sockets behind one send/receive API. It
 * parses what arrives, answers unparseable requests it can with 400/505 (§8.2.6, §21.5.20),
 * drops everything else it cannot read, and never throws to its callers' event loop.
 */
export class SipTransport {
  readonly #options: SipTransportOptions;
  #udp: UdpTransport | undefined;
  #tcp: TcpTransport | undefined;
  #tls: TcpTransport | undefined;
  readonly #backlog = new InboundBacklog();
  readonly #rateLimit: SourceRateLimit | undefined;
  /** Messages dropped or answered with 400, since start. */
  dropped = 0;

  private constructor(options: SipTransportOptions) {
    this.#options = options;
    if (options.requestRateLimit) this.#rateLimit = new SourceRateLimit(options.requestRateLimit);
  }

  /** Opens the requested transports; both on the same port when possible. */
  static async open(options: SipTransportOptions): Promise<SipTransport> {
    const layer = new SipTransport(options);
    try {
      await layer.#bind();
    } catch (error) {
      // Do not leak the UDP socket when TCP cannot bind (or the reverse).
      await layer.close();
      throw error;
    }
    return layer;
  }

  async #bind(): Promise<void> {
    const options = this.#options;
    const { host } = options;
    let port = options.port;
    if (options.transports.includes('udp')) {
      this.#udp = await UdpTransport.open(
        host,
        port,
        (data, from, fromPort) => this.#receive(data, { host: from, port: fromPort, transport: 'udp' }),
        () => {},
      );
      if (port === 0) port = this.#udp.port;
    }
    if (options.transports.includes('tcp')) {
      const handlers = {
        message: (data: Buffer, from: string, fromPort: number) =>
          this.#receive(data, { host: from, port: fromPort, transport: 'tcp' as const }),
        framingError: (reason: string, from: string, fromPort: number) =>
          this.#drop('framing', reason, { host: from, port: fromPort, transport: 'tcp' }, false),
      };
      try {
        this.#tcp = await TcpTransport.open(host, port, handlers, options.tcpKeepAliveMs);
      } catch (error) {
        if (options.port !== 0 || port === 0) throw error;
        this.#tcp = await TcpTransport.open(host, 0, handlers, options.tcpKeepAliveMs);
      }
    }
    if (options.transports.includes('tls')) {
      if (!options.tls) throw new Error('SIP over TLS needs a certificate and key');
      const alone = options.transports.length === 1;
      const tlsPort = alone ? options.port : (options.tlsPort ?? (options.port === 0 ? 0 : options.port + 1));
      this.#tls = await TcpTransport.open(
        host,
        tlsPort,
        {
          message: (data: Buffer, from: string, fromPort: number) =>
            this.#receive(data, { host: from, port: fromPort, transport: 'tls' }),
          framingError: (reason: string, from: string, fromPort: number) =>
            this.#drop('framing', reason, { host: from, port: fromPort, transport: 'tls' }, false),
        },
        options.tcpKeepAliveMs,
        options.tls,
      );
    }
  }

  #stream(transport: SipTransportName): TcpTransport | undefined {
    return transport === 'tls' ? this.#tls : transport === 'tcp' ? this.#tcp : undefined;
  }

  /** Bound UDP port, when UDP is open. */
  get udpPort(): number | undefined {
    return this.#udp?.port;
  }

  /** Listening TCP port, when TCP is open. */
  get tcpPort(): number | undefined {
    return this.#tcp?.port;
  }

  /** Listening TLS port, when TLS is open. */
  get tlsPort(): number | undefined {
    return this.#tls?.port;
  }

  /** True when `transport` is open. */
  supports(transport: SipTransportName): boolean {
    return transport === 'udp' ? this.#udp !== undefined : this.#stream(transport) !== undefined;
  }

  /** Sends bytes; rejects when the transport is not open or the send fails. */
  send(data: Buffer, to: RemoteAddress): Promise<void> {
    const transport = to.transport === 'udp' ? this.#udp : this.#stream(to.transport);
    if (!transport) return Promise.reject(new Error(`transport ${to.transport} not open`));
    return transport.send(data, to.host, to.port);
  }

  /**
   * Runs a retransmission once the messages already queued on our sockets have been read (at
   * most `maxWaitMs` later), so that a response waiting there can make it moot; see
   * {@link InboundBacklog}.
   */
  afterInboundDrained(maxWaitMs: number, send: () => void): void {
    this.#backlog.afterDrain(maxWaitMs, send);
  }

  /** Serializes and sends; rejects on an unwritable message or a send failure. */
  sendMessage(message: SipMessage, to: RemoteAddress): Promise<void> {
    let data: Buffer;
    try {
      data = serializeMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send(data, to);
  }

  /**
   * Where a response to a request from `source` goes (RFC 3261 §18.2.2): back over the same
   * TCP or TLS connection while it is open, else per the top Via (received, rport, maddr).
   */
  responseTarget(response: SipResponse, source: RemoteAddress): RemoteAddress {
    if (isStream(source.transport) && this.#stream(source.transport)?.has(source.host, source.port))
      return source;
    const via = getTopVia(response.headers);
    return via ? responseDestination(via) : source;
  }

  #receive(data: Buffer, source: RemoteAddress): void {
    const datagram = source.transport === 'udp';
    if (datagram) this.#backlog.received();
    try {
      if (datagram && isKeepAlive(data)) return;
      // Bounded work before the full parse; refused messages are dropped silently: answering
      // (513) would mean parsing what we refuse to parse, and the answer copies every Via
      // back to a source UDP lets anyone forge (reflection).
      const refusal = prescanMessage(data, datagram ? MAX_DATAGRAM_BYTES : undefined);
      if (refusal) {
        this.#drop(refusal, `${refusal.replace(/_/g, ' ')} (${data.length} bytes)`, source, false);
        return;
      }
      const result = parseMessage(data, { transport: datagram ? 'datagram' : 'stream' });
      if (!result.ok) {
        this.#reject(result, source);
        return;
      }
      const message = result.message;
      if (message.kind === 'request') {
        if (this.#rateLimit && !this.#withinRate(message.method, message.headers, source)) return;
        stampReceived(message.headers, source);
      }
      this.#options.onMessage({ message, source });
    } catch (error) {
      // A bug above the transport must cost one message, never the socket.
      this.#drop('handler_failure', `handler failure: ${String(error)}`, source, false);
    }
  }

  /**
   * Out-of-dialog requests (no To tag; ACK excepted, it ends a transaction we started) take a
   * token of their source IP. Over the rate they are dropped silently: a 503 would answer a
   * flood, possibly towards a forged source, and a genuine UDP client retransmits (Timer E/A).
   */
  #withinRate(method: string, headers: SipMessage['headers'], source: RemoteAddress): boolean {
    if (method === 'ACK' || getTo(headers)?.params.get('tag')) return true;
    if (this.#rateLimit?.allow(source.host) !== false) return true;
    this.#drop('rate_limited', `${method} over the rate of ${source.host}`, source, false);
    return false;
  }

  /** Counts and reports a message dropped above the transport (e.g. a spoofed in-dialog request). */
  reportDropped(kind: DropKind, reason: string, source: RemoteAddress): void {
    this.#drop(kind, reason, source, false);
  }

  /** RFC 3261 §8.2.6: answer a broken request when it carries enough to be answered; never an ACK. */
  #reject(failure: ParseFailure, source: RemoteAddress): void {
    const partial = failure.partial;
    if (!failure.canReply || !partial || partial.kind !== 'request' || partial.method === 'ACK') {
      this.#drop('unparseable', failure.reason, source, false);
      return;
    }
    const status = failure.replyStatus ?? 400;
    const reply = createResponse(partial, status, {
      reason: `${status === 505 ? 'Version Not Supported' : 'Bad Request'} (${failure.reason.replace(/[\r\n]/g, ' ')})`,
    });
    // The Vias of a broken request may not parse: answer where it came from (as rport would).
    this.sendMessage(reply, source).catch(() => {});
    this.#drop('unparseable', failure.reason, source, true);
  }

  #drop(kind: DropKind, reason: string, source: RemoteAddress, answered: boolean): void {
    this.dropped++;
    try {
      this.#options.onDropped?.({ kind, reason, source, answered });
    } catch {
      // An observer's failure must not break the transport.
    }
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    this.#backlog.clear();
    await Promise.all([this.#udp?.close(), this.#tcp?.close(), this.#tls?.close()]);
  }
}
