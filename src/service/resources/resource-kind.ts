import type { IdKind } from '../../domain/ids.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Executor, ResourceTableName } from '../../store/database.ts';
import type { ResourceRow } from '../../store/resources.ts';

/**
 * Everything the generic resource use cases need to know about one kind of config resource:
 * how a client's input becomes the stored document, and how the document is shown.
 */
export interface ResourceKind<Input, Stored extends object, Wire> {
  /** Singular name used in messages and `not_found` problems ("campaign"). */
  name: string;
  table: ResourceTableName;
  /** Prefix of server-generated ids; undefined when ids are always client-chosen. */
  idKind?: IdKind;
  /**
   * Turns validated input into the stored document, applying defaults and checking rules the
   * schema cannot (tenant phone types, scopes). `existing` is the current document on update.
   */
  toStored(
    ctx: RequestContext,
    input: Input,
    existing: Stored | undefined,
    db: Executor,
  ): Promise<Stored> | Stored;
  /** The client-writable view of a stored document, the base a PATCH is applied to. */
  toInput(stored: Stored): Input;
  /** The document as answered to clients (secrets removed). */
  present(row: ResourceRow<Stored>, extras?: { justCreated: boolean; input?: Partial<Input> }): Wire;
  /** Extra indexed columns derived from the document (contacts.external_id). */
  columns?(stored: Stored): Record<string, string>;
  /** Describes a unique-constraint violation on insert/update as a field problem. */
  uniqueViolation?(stored: Stored): { pointer: string; detail: string };
  /** Refuses a delete in the resource's current state (throws). */
  beforeDelete?(stored: Stored): void;
}
