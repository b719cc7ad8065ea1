import { isToken, isWsp, parseDigits, trimWsp } from './sip-grammar.ts';

/** A CSeq value (RFC 3261 §20.16): sequence number and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number MUST be expressible as a 32-bit unsigned integer
 * and less than 2**31. */
export const MAX_CSEQ = 2 ** 31 - 1;

/**
 * Parses `1*DIGIT LWS Method`. Leading zeros are fine (RFC 4475 §3.1.1.1: "0009"); numbers of
 * 2**31 and more are rejected (RFC 4475 §3.1.2.4, §3.1.2.5).
 */
export function parseCSeq(value: string): CSeq | undefined {
  const s = trimWsp(value);
  let digitsEnd = 0;
  while (digitsEnd < s.length && !isWsp(s.charCodeAt(digitsEnd))) digitsEnd++;
  const seq = parseDigits(s.slice(0, digitsEnd), MAX_CSEQ);
  if (seq === undefined || digitsEnd === s.length) return undefined;
  const method = trimWsp(s.slice(digitsEnd));
  return isToken(method) ? { seq, method } : undefined;
}

/** Serializes a CSeq value: `seq METHOD`. */
export function serializeCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
