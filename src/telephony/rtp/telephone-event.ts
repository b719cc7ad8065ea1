/**
 * DTMF received as RFC 4733 telephone-events. A sender repeats an event's packets while the key
 * is held (same RTP timestamp, growing duration) and sends its final packet with the E bit three
 * times (§2.5.1.4); the digit is reported once, when the first end packet arrives, or when the
 * next event starts or the event goes quiet after its end packets were all lost.
 */

/** One key press. */
export interface DtmfDigit {
  /** `0`–`9`, `*`, `#`, `A`–`D`. */
  digit: string;
  /** How long the key was held, from the event's duration field. */
  durationMs: number;
}

const DIGITS = '0123456789*#ABCD';
/** An event whose packets stopped this long ago without an end packet is reported anyway. */
const QUIET_MS = 1000;

/** The payload of one telephone-event packet (§2.3), or undefined when too short. */
export function parseTelephoneEvent(
  payload: Uint8Array,
): { event: number; end: boolean; volume: number; duration: number } | undefined {
  if (payload.length < 4) return undefined;
  const flags = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0),
  };
}

/** Turns one source's telephone-event packets into digits, each reported once. */
export class TelephoneEventReceiver {
  private current: { timestamp: number; event: number; duration: number; lastAt: number } | undefined;
  /** Timestamps of events already reported: late copies of their end packets are ignored. */
  private readonly reported: number[] = [];

  constructor(
    private readonly onDigit: (digit: DtmfDigit) => void,
    private readonly clockRate = 8000,
  ) {}

  /** Accounts one packet; false when its payload is not a telephone-event. */
  receive(timestamp: number, payload: Uint8Array, nowMs: number): boolean {
    const event = parseTelephoneEvent(payload);
    if (!event) return false;
    if (this.reported.includes(timestamp)) return true;
    if (this.current && this.current.timestamp !== timestamp) this.finish();
    if (!this.current) this.current = { timestamp, event: event.event, duration: 0, lastAt: nowMs };
    this.current.duration = Math.max(this.current.duration, event.duration);
    this.current.lastAt = nowMs;
    if (event.end) this.finish();
    return true;
  }

  /** Reports an event whose end packets never came. */
  flush(nowMs: number): void {
    if (this.current && nowMs - this.current.lastAt >= QUIET_MS) this.finish();
  }

  private finish(): void {
    const done = this.current;
    if (!done) return;
    this.current = undefined;
    this.reported.push(done.timestamp);
    if (this.reported.length > 8) this.reported.shift();
    const digit = DIGITS[done.event];
    // Events above 15 (fax and modem tones, §3.2 of RFC 4734) are not key presses.
    if (digit !== undefined) this.onDigit({ digit, durationMs: (done.duration * 1000) / this.clockRate });
  }
}
