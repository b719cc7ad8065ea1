/** One Server-Sent Event as the client parsed it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A minimal EventSource over fetch: collects messages and comments (heartbeats) until
 * `close()`. Sends Last-Event-ID when given, as a browser does on reconnect.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  private readonly abort = new AbortController();
  private done?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Connects; resolves when the response headers arrived. */
  async open(): Promise<Response> {
    const response = await fetch(this.url, { headers: this.headers, signal: this.abort.signal });
    this.status = response.status;
    if (response.status !== 200 || !response.body) return response;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    this.done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut = buffer.indexOf('\n\n');
          while (cut >= 0) {
            this.parse(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            cut = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // aborted by close()
      }
    })();
    return response;
  }

  private parse(block: string): void {
    const message: SseMessage = { data: '' };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) message.id = line.slice(4);
      else if (line.startsWith('event: ')) message.event = line.slice(7);
      else if (line.startsWith('data: ')) {
        message.data += line.slice(6);
        hasData = true;
      }
    }
    if (hasData) this.messages.push(message);
  }

  /** The parsed `data` of every message. */
  events(): Array<{ id: string; type: string; sequence: number; data: Record<string, unknown> }> {
    return this.messages.map((m) => JSON.parse(m.data));
  }

  /** Disconnects. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
