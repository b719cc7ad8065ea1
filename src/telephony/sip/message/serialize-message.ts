import { isToken } from './sip-grammar.ts';
import type { SipMessage } from './sip-message.ts';

function startLine(message: SipMessage): string {
  if (message.kind === 'request') {
    if (!isToken(message.method))
      throw new RangeError(`invalid SIP method ${JSON.stringify(message.method)}`);
    if (message.uri.length === 0 || /[\s]/.test(message.uri)) {
      throw new RangeError(`invalid Request-URI ${JSON.stringify(message.uri)}`);
    }
    return `${message.method} ${message.uri} SIP/2.0\r\n`;
  }
  if (!Number.isInteger(message.status) || message.status < 100 || message.status > 699) {
    throw new RangeError(`invalid SIP status ${message.status}`);
  }
  if (/[\r\n]/.test(message.reason)) throw new RangeError('Reason-Phrase holds CR or LF');
  return `SIP/2.0 ${message.status} ${message.reason}\r\n`;
}

/**
 * Serializes a message for the wire: start line, header fields in order as stored, then the
 * body. Content-Length always states the real body length (RFC 3261 §20.14): an existing field
 * is rewritten in place (extra ones dropped), a missing one is appended. Throws RangeError on
 * a start line that cannot be written (bad method, URI with whitespace, status outside
 * 100–699).
 */
export function serializeMessage(message: SipMessage): Buffer {
  const { headers, body } = message;
  let head = startLine(message);
  let lengthWritten = false;
  for (let i = 0; i < headers.size; i++) {
    const name = headers.nameAt(i);
    if (headers.keyAt(i) === 'content-length') {
      if (!lengthWritten) head += `${name}: ${body.length}\r\n`;
      lengthWritten = true;
      continue;
    }
    head += `${name}: ${headers.valueAt(i)}\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  if (body.length === 0) return Buffer.from(head, 'utf8');
  // One buffer for head and body: no intermediate copy of the head.
  const headBytes = Buffer.byteLength(head, 'utf8');
  const data = Buffer.allocUnsafe(headBytes + body.length);
  data.write(head, 0, 'utf8');
  data.set(body, headBytes);
  return data;
}
