import { sql } from 'kysely';
import type { Executor, ResourceTableName } from './database.ts';

/** A stored config resource: its document plus bookkeeping columns. */
export interface ResourceRow<T> {
  id: string;
  seq: number;
  data: T;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of a list. `afterSeq` is the cursor position; `filter` matches top-level document members. */
export interface ListQuery {
  limit: number;
  afterSeq?: number;
  filter?: Record<string, string | boolean>;
}

type Row = { id: string; seq: string | number; data: unknown; created_at: Date; updated_at: Date };

/**
 * Repository for the JSON-document resources (campaigns, contacts, users, caller ids, trunks,
 * webhook endpoints). Every query is scoped by tenant: there is no method without `tenantId`.
 */
export class ResourceRepository<T extends object> {
  constructor(private readonly table: ResourceTableName) {}

  /** The resource, or undefined when it does not exist in the tenant. */
  async find(db: Executor, tenantId: string, id: string): Promise<ResourceRow<T> | undefined> {
    const row = await db
      .selectFrom(this.table)
      .select(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRow<T>(row);
  }

  /** Like find, but takes a row lock for the rest of the transaction. */
  async findForUpdate(db: Executor, tenantId: string, id: string): Promise<ResourceRow<T> | undefined> {
    const row = await db
      .selectFrom(this.table)
      .select(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && toRow<T>(row);
  }

  /** Several resources by id (missing ones are absent from the result). */
  async findMany(db: Executor, tenantId: string, ids: readonly string[]): Promise<ResourceRow<T>[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom(this.table)
      .select(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    return rows.map((row) => toRow<T>(row));
  }

  /** A page in creation order. */
  async list(db: Executor, tenantId: string, query: ListQuery): Promise<ResourceRow<T>[]> {
    let q = db
      .selectFrom(this.table)
      .select(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .limit(query.limit);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', String(query.afterSeq));
    for (const [key, value] of Object.entries(query.filter ?? {})) {
      q = q.where(sql`data -> ${key}`, '=', sql`${JSON.stringify(value)}::jsonb`);
    }
    const rows = await q.execute();
    return rows.map((row) => toRow<T>(row));
  }

  /** Inserts a new resource; returns undefined when the id is taken. */
  async insert(
    db: Executor,
    tenantId: string,
    id: string,
    data: T,
    extra: Record<string, string> = {},
  ): Promise<ResourceRow<T> | undefined> {
    const row = await db
      .insertInto(this.table)
      .values({ tenant_id: tenantId, id, data: JSON.stringify(data), ...extra })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
      .returning(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .executeTakeFirst();
    return row && toRow<T>(row);
  }

  /** Replaces the document of an existing resource; undefined when it does not exist. */
  async update(
    db: Executor,
    tenantId: string,
    id: string,
    data: T,
    /** When the change is made (the request's clock). */
    now: Date,
    extra: Record<string, string> = {},
  ): Promise<ResourceRow<T> | undefined> {
    const row = await db
      .updateTable(this.table)
      .set({ data: JSON.stringify(data), updated_at: now, ...extra })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returning(['id', 'seq', 'data', 'created_at', 'updated_at'])
      .executeTakeFirst();
    return row && toRow<T>(row);
  }

  /** Deletes a resource; returns whether it existed. */
  async remove(db: Executor, tenantId: string, id: string): Promise<boolean> {
    const result = await db
      .deleteFrom(this.table)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toRow<T>(row: Row): ResourceRow<T> {
  return {
    id: row.id,
    seq: Number(row.seq),
    data: row.data as T,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
