/** One Server-Sent Event as framed on the wire (WHATWG HTML §9.2.6). */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

/**
 * Splits a byte stream into SSE messages: `field: value` lines, a blank line ends a message,
 * `data` lines join with "\n", lines starting with ":" are comments (keep-alives) and are skipped.
 */
export async function* parseSse(stream: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let message: { id?: string; event?: string; data: string[]; retry?: number } = { data: [] };
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (message.data.length > 0) {
          yield {
            ...(message.id !== undefined ? { id: message.id } : {}),
            event: message.event ?? 'message',
            data: message.data.join('\n'),
            ...(message.retry !== undefined ? { retry: message.retry } : {}),
          };
        }
        message = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') message.data.push(value);
      else if (field === 'event') message.event = value;
      else if (field === 'id' && !value.includes('\0')) message.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) message.retry = Number(value);
    }
  }
}
