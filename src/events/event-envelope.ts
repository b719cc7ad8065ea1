/** The wire form of an event: webhook payload and SSE `data` (shared/api-contract.md "Events"). */
export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  sequence: number;
  data: Record<string, unknown>;
}

/** Builds the envelope of an outbox row; the event id is `evt_<outbox id>`. */
export function toEventEnvelope(row: {
  id: string | number;
  type: string;
  at: Date | string;
  sequence: number;
  data: Record<string, unknown>;
}): EventEnvelope {
  return {
    id: eventIdOf(row.id),
    type: row.type,
    timestamp: new Date(row.at).toISOString(),
    sequence: row.sequence,
    data: row.data,
  };
}

/** `evt_<n>` for outbox row n. */
export function eventIdOf(id: string | number): string {
  return `evt_${id}`;
}

/** The outbox row number of an event id (`evt_123` or `123`), or undefined when malformed. */
export function parseEventId(value: string): number | undefined {
  const match = /^(?:evt_)?([0-9]{1,15})$/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}
