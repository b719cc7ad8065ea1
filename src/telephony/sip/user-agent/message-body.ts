import type { SipMessage } from '../message/sip-message.ts';
import type { ExtraHeaders } from './api-types.ts';

/** The SDP of a message: its body when Content-Type is absent or `application/sdp` (RFC 3264). */
export function sdpOf(message: SipMessage): string | undefined {
  if (message.body.length === 0) return undefined;
  const type = message.headers.get('content-type')?.toLowerCase();
  if (type !== undefined && !type.startsWith('application/sdp')) return undefined;
  return Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8');
}

/** Header pairs of an ExtraHeaders value, in order. */
export function headerPairs(headers: ExtraHeaders | undefined): Array<readonly [string, string]> {
  if (!headers) return [];
  return Array.isArray(headers) ? [...headers] : Object.entries(headers);
}

/**
 * Headers and bytes for an optional body: Content-Type is the given one, else `application/sdp`
 * (the only body this UA produces by itself).
 */
export function bodyParts(
  body: string | Uint8Array | undefined,
  contentType?: string,
): { headers: Array<readonly [string, string]>; body: Uint8Array } {
  if (body === undefined || body.length === 0) return { headers: [], body: new Uint8Array(0) };
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { headers: [['Content-Type', contentType ?? 'application/sdp']], body: bytes };
}

/** Methods this UA accepts (RFC 3261 §20.5 Allow). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';
