import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { OperationObserver } from '../store/store-operation.ts';

// On PostgreSQL a reader woken right after the insert may still run before the writer commits
// (the signal fires on the insert, inside the writer's transaction: commits are not seen here).
// Later looks catch it without waiting for the fallback poll: one look at 30 ms alone was missed
// by a commit that took longer on a loaded machine (webhook-relay-wake.test.ts, ~1 run in 4),
// leaving the event to the poll.
const LATER_LOOKS_MS = [30, 250, 1000];

/**
 * In-process "the outbox changed" signal: one notifier that the webhook relay and the SSE hub
 * listen to, so an event written on this node is read at once instead of at the next poll
 * (other nodes' events are found by the poll).
 */
export class OutboxSignal {
  private readonly listeners = new Set<() => void>();
  private pending = false;

  /** Calls `listener` after writes to the outbox; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners (coalesced: many writes in one turn wake them once). */
  notify(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.fire();
    });
    for (const delay of LATER_LOOKS_MS) setTimeout(() => this.fire(), delay).unref();
  }

  private fire(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * A Kysely plugin that notifies after any statement inserting into the outbox table. On the
   * embedded store a reader woken this way runs after the writer's transaction ends: the one
   * connection is held by the transaction until it commits.
   */
  plugin(): KyselyPlugin {
    const writes = new WeakSet<object>();
    return {
      transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => {
        if (writesOutbox(args.node)) writes.add(args.queryId);
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => {
        if (writes.has(args.queryId)) this.notify();
        return args.result;
      },
    };
  }
}

/** Observes store operations (store-operation.ts): those that insert into the outbox notify. */
export function notifyOnOutboxOperations(signal: OutboxSignal): OperationObserver {
  return (operation) => {
    if (operation.inserts?.includes('call_events')) signal.notify();
  };
}

function writesOutbox(node: RootOperationNode): boolean {
  if (node.kind === 'InsertQueryNode') {
    const table = node.into?.table;
    return table?.identifier.name === 'call_events';
  }
  if (node.kind === 'RawNode')
    return node.sqlFragments.some((part) => /insert\s+into\s+call_events/i.test(part));
  return false;
}
