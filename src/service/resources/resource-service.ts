import { newId } from '../../domain/ids.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Db, Executor } from '../../store/database.ts';
import { type ListQuery, ResourceRepository, type ResourceRow } from '../../store/resources.ts';
import { mergePatch } from './merge-patch.ts';
import type { ResourceKind } from './resource-kind.ts';

/** A page of a list, with the opaque cursor of the next page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * The use cases every config resource shares: idempotent PUT, POST with a generated id, GET,
 * list, PATCH (top-level members merged, then the whole result checked) and DELETE. Each runs
 * in one transaction.
 */
export class ResourceService<Input extends object, Stored extends object, Wire> {
  readonly repository: ResourceRepository<Stored>;

  constructor(
    private readonly db: Db,
    readonly kind: ResourceKind<Input, Stored, Wire>,
    /** Told after a write of a tenant's resource committed (this node's caches of them). */
    private readonly onChanged?: (tenantId: string) => void,
  ) {
    this.repository = new ResourceRepository<Stored>(kind.table);
  }

  /**
   * Creates or replaces the resource `id`; `created` tells which. With `dryRun` every check runs
   * (the same transaction, rolled back at the end) and nothing is kept: config-as-code tools
   * validate a whole document this way before their first write. A dry run never shows a secret.
   */
  async put(
    ctx: RequestContext,
    id: string,
    input: Input,
    options: { dryRun?: boolean } = {},
  ): Promise<{ resource: Wire; created: boolean }> {
    if (!options.dryRun) {
      const put = await this.db.transaction().execute(async (tx) => {
        const { row, created } = await this.putIn(tx, ctx, id, input);
        return { resource: this.kind.present(row, { justCreated: created, input }), created };
      });
      this.onChanged?.(ctx.tenant.id);
      return put;
    }
    try {
      await this.db.transaction().execute(async (tx) => {
        const { row, created } = await this.putIn(tx, ctx, id, input);
        throw new DryRunRollback({ resource: this.kind.present(row, { justCreated: false }), created });
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return error.result as { resource: Wire; created: boolean };
      throw error;
    }
    throw new Error('a dry run always rolls back');
  }

  private async putIn(
    tx: Executor,
    ctx: RequestContext,
    id: string,
    input: Input,
  ): Promise<{ row: ResourceRow<Stored>; created: boolean }> {
    const existing = await this.repository.findForUpdate(tx, ctx.tenant.id, id);
    const stored = await this.kind.toStored(ctx, input, existing?.data, tx);
    const row = existing
      ? await this.write(
          () => this.repository.update(tx, ctx.tenant.id, id, stored, ctx.now, this.kind.columns?.(stored)),
          stored,
        )
      : await this.write(
          () => this.repository.insert(tx, ctx.tenant.id, id, stored, this.kind.columns?.(stored)),
          stored,
        );
    if (!row)
      throw new ConflictError('conflict', `The ${this.kind.name} '${id}' was changed concurrently; retry.`, {
        retryable: true,
      });
    return { row, created: !existing };
  }

  /** Creates the resource with a server-generated id. */
  async create(ctx: RequestContext, input: Input): Promise<Wire> {
    const idKind = this.kind.idKind;
    if (!idKind) throw new Error(`${this.kind.name} has no generated ids`);
    const created = await this.db.transaction().execute(async (tx) => {
      const stored = await this.kind.toStored(ctx, input, undefined, tx);
      const id = newId(idKind);
      const row = await this.write(
        () => this.repository.insert(tx, ctx.tenant.id, id, stored, this.kind.columns?.(stored)),
        stored,
      );
      if (!row) throw new Error('generated id collided');
      return this.kind.present(row, { justCreated: true, input });
    });
    this.onChanged?.(ctx.tenant.id);
    return created;
  }

  /** The resource, or 404. */
  async get(ctx: RequestContext, id: string, db: Executor = this.db): Promise<Wire> {
    return this.kind.present(await this.require(db, ctx, id));
  }

  /** The stored row, or 404 `not_found`. */
  async require(db: Executor, ctx: RequestContext, id: string): Promise<ResourceRow<Stored>> {
    const row = await this.repository.find(db, ctx.tenant.id, id);
    if (!row) throw new NotFoundError(this.kind.name, id);
    return row;
  }

  /** A page in creation order. */
  async list(
    ctx: RequestContext,
    query: { limit?: number; cursor?: string; filter?: ListQuery['filter'] },
  ): Promise<Page<Wire>> {
    const limit = query.limit ?? 50;
    const rows = await this.repository.list(this.db, ctx.tenant.id, {
      limit: limit + 1,
      afterSeq: decodeCursor(query.cursor),
      filter: query.filter,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => this.kind.present(row)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    };
  }

  /** Applies the changes as a JSON Merge Patch (RFC 7396: null clears a member) and stores the result. */
  async patch(ctx: RequestContext, id: string, changes: Partial<Input>): Promise<Wire> {
    const patched = await this.db.transaction().execute(async (tx) => {
      const existing = await this.repository.findForUpdate(tx, ctx.tenant.id, id);
      if (!existing) throw new NotFoundError(this.kind.name, id);
      const merged = mergePatch(this.kind.toInput(existing.data), changes);
      const stored = await this.kind.toStored(ctx, merged as Input, existing.data, tx);
      const row = await this.write(
        () => this.repository.update(tx, ctx.tenant.id, id, stored, ctx.now, this.kind.columns?.(stored)),
        stored,
      );
      if (!row) throw new NotFoundError(this.kind.name, id);
      return this.kind.present(row, { justCreated: false, input: changes });
    });
    this.onChanged?.(ctx.tenant.id);
    return patched;
  }

  /** Deletes the resource, or 404. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const existing = await this.repository.findForUpdate(tx, ctx.tenant.id, id);
      if (!existing) throw new NotFoundError(this.kind.name, id);
      this.kind.beforeDelete?.(existing.data);
      await this.repository.remove(tx, ctx.tenant.id, id);
    });
    this.onChanged?.(ctx.tenant.id);
  }

  private async write(
    run: () => Promise<ResourceRow<Stored> | undefined>,
    stored: Stored,
  ): Promise<ResourceRow<Stored> | undefined> {
    try {
      return await run();
    } catch (error) {
      const violation = isUniqueViolation(error) ? this.kind.uniqueViolation?.(stored) : undefined;
      if (violation) throw new ConflictError('conflict', violation.detail, { pointer: violation.pointer });
      throw error;
    }
  }
}

/** Thrown to roll a dry run's transaction back, carrying what the PUT would have answered. */
class DryRunRollback extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}

/** True for PostgreSQL's unique_violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** Opaque list cursor: base64url of the last row's sequence. */
export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

/** Reads a cursor; an unreadable one is a client mistake reported on `cursor`. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  return decodeOpaqueCursor(cursor, (value) =>
    typeof value.s === 'number' && Number.isSafeInteger(value.s) ? value.s : undefined,
  );
}

/**
 * Reads an opaque cursor (base64url JSON) with `pick`, which answers undefined for a value it
 * does not accept; an unreadable or refused cursor is a client mistake reported on `cursor`.
 */
export function decodeOpaqueCursor<T>(
  cursor: string | undefined,
  pick: (value: Record<string, unknown>) => T | undefined,
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const picked =
      typeof value === 'object' && value !== null ? pick(value as Record<string, unknown>) : undefined;
    if (picked !== undefined) return picked;
  } catch {
    // fall through to the error below
  }
  throw new InvalidInputError(
    'invalid_request',
    'The cursor is not one pconn issued; pass nextCursor from the previous page unchanged.',
    {
      pointer: '',
      errors: [{ pointer: '', code: 'format', detail: 'Unreadable cursor (query parameter "cursor").' }],
    },
  );
}
