import { isToken } from './sip-grammar.ts';
import { headerKey } from './sip-headers.ts';
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
  let head = startLine(message);
  let lengthWritten = false;
  for (const [name, value] of message.headers) {
    if (headerKey(name) === 'content-length') {
      if (!lengthWritten) head += `${name}: ${message.body.length}\r\n`;
      lengthWritten = true;
      continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${message.body.length}\r\n`;
  head += '\r\n';
  if (message.body.length === 0) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}
