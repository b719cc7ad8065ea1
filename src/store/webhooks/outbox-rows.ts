import type { Selectable } from 'kysely';
import type { CallEventsTable, WebhookDeliveriesTable } from '../database.ts';

/** An outbox row (call, campaign or endpoint event) as read. */
export type OutboxEventRow = Selectable<CallEventsTable>;

/** A webhook delivery row as read. */
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/**
 * A place in the outbox's commit-safe order: events are read by `(txid, id)` (see migration
 * 0003). `txid` is an xid8 rendered as decimal text.
 */
export interface OutboxPosition {
  txid: string;
  id: number;
}

/** True when `a` comes after `b` in outbox order. */
export function isAfter(a: OutboxPosition, b: OutboxPosition): boolean {
  const ta = BigInt(a.txid);
  const tb = BigInt(b.txid);
  return ta > tb || (ta === tb && a.id > b.id);
}

/** The position of an outbox row. */
export function positionOf(row: { txid: string | number | bigint; id: string | number }): OutboxPosition {
  return { txid: String(row.txid), id: Number(row.id) };
}
