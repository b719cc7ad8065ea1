import type { Call, PconnEvent } from '../../sdk/index.ts';
import { describeTransition } from './transition-line.ts';

/** One row of the live table. */
interface Row {
  call: Call;
  lastEvent: string;
  at: string;
}

/**
 * The live calls table of `pconn watch`: the latest state of each call seen, newest first,
 * rendered as fixed-width lines (at most `maxRows`, so a busy tenant does not scroll the
 * terminal away).
 */
export class CallTable {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly maxRows = 30) {}

  /** Records an event; answers false when it carries no call. */
  update(event: PconnEvent): boolean {
    const call = (event.data as { call?: Call }).call;
    if (!call?.id) return false;
    this.rows.delete(call.id);
    this.rows.set(call.id, { call, lastEvent: event.type, at: event.timestamp });
    return true;
  }

  /** The table as lines: a header, then one line per call (newest first). */
  render(): string[] {
    const rows = [...this.rows.values()].reverse().slice(0, this.maxRows);
    const header = `${'CALL'.padEnd(32)} ${'STATUS'.padEnd(20)} ${'TO'.padEnd(16)} ${'CAMPAIGN'.padEnd(18)} UPDATED`;
    return [
      header,
      ...rows.map(
        (r) =>
          `${r.call.id.padEnd(32)} ${`${r.call.status}${r.call.outcome ? `/${r.call.outcome}` : ''}`.padEnd(20)} ${String(r.call.to ?? '').padEnd(16)} ${String(r.call.campaignId ?? '-').padEnd(18)} ${r.at.slice(11, 19)}`,
      ),
      `${this.rows.size} call(s)`,
    ];
  }
}

/** One line per event, for logs and pipes: what the transition means (retry, SIP status, next attempt). */
export function eventLine(event: PconnEvent): string {
  const call = (event.data as { call?: Call }).call;
  const what = call ? describeTransition(event) : '';
  return `${event.timestamp}  ${event.type.padEnd(22)} ${call?.id ?? ''}  ${call?.to ?? ''}  ${what}`.trimEnd();
}
