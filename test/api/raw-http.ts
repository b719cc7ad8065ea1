import net from 'node:net';

/** One HTTP/1.1 response as read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw TCP connection to the server, for requests fetch() cannot send (oversized headers, a
 * broken request line, a body that never finishes). `closed` resolves when the server (or the
 * peer) closes the socket, with everything received.
 */
export class RawConnection {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  readonly closed: Promise<Buffer>;

  constructor(url: string) {
    const { port, hostname } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    // A reset after the server's answer still ends the exchange; what arrived is kept.
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve(this.received)));
  }

  /** Writes bytes; resolves once they are handed to the kernel. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Resolves once `predicate` holds for the bytes received so far. */
  async until(predicate: (text: string) => boolean): Promise<string> {
    for (;;) {
      const text = this.received.toString('latin1');
      if (predicate(text)) return text;
      if (this.socket.destroyed) throw new Error(`connection closed; received: ${text.slice(0, 500)}`);
      await Promise.race([new Promise((resolve) => this.socket.once('data', resolve)), this.closed]);
    }
  }
}

/**
 * Sends `data` on a new connection and returns every response the server sends before closing
 * it; a server that keeps the connection open longer than `limitMs` fails the exchange.
 */
export async function exchange(url: string, data: string | Buffer, limitMs = 10_000): Promise<RawResponse[]> {
  const connection = new RawConnection(url);
  await connection.write(data);
  const timer = setTimeout(
    () => connection.socket.destroy(new Error('server kept the connection open')),
    limitMs,
  );
  try {
    const raw = await connection.closed;
    if (connection.socket.errored)
      throw new Error(`no close within ${limitMs} ms; received: ${raw.toString('latin1').slice(0, 300)}`);
    return parseResponses(raw);
  } finally {
    clearTimeout(timer);
  }
}

/** Splits raw bytes into HTTP/1.1 responses (Content-Length framed, as pconn's problems are). */
export function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const [statusLine = '', ...lines] = rest.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = rest.subarray(headEnd + 4 + length);
  }
  return responses;
}
