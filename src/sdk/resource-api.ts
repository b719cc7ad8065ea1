import type { PconnClient, Query } from './pconn-client.ts';
import type { Page } from './types.ts';

/** Options of list calls: filters plus paging. */
export type ListOptions = Query & { limit?: number; cursor?: string };

/**
 * The routes every config resource has (shared/api-contract.md "Ids"): idempotent PUT with a
 * client-chosen id — the config-as-code path — POST with a generated id, GET, list, PATCH, DELETE.
 */
export class ResourceApi<Input extends object, Wire extends object> {
  constructor(
    protected readonly client: PconnClient,
    /** Collection path, e.g. /v1/campaigns. */
    readonly path: string,
  ) {}

  /** `/v1/<collection>/{id}` with the id escaped. */
  protected item(id: string): string {
    return `${this.path}/${encodeURIComponent(id)}`;
  }

  /** Creates or replaces the resource `id` (PUT; safe to repeat). */
  async put(id: string, input: Input): Promise<{ resource: Wire; created: boolean }> {
    const answer = await this.client.send<Wire>('PUT', this.item(id), { body: input });
    return { resource: answer.body, created: answer.status === 201 };
  }

  /** Creates a resource with a server-generated id (POST, with an Idempotency-Key). */
  create(input: Input, options: { idempotencyKey?: string } = {}): Promise<Wire> {
    return this.client.request<Wire>('POST', this.path, { body: input, ...options });
  }

  /** Reads one resource. */
  get(id: string): Promise<Wire> {
    return this.client.request<Wire>('GET', this.item(id));
  }

  /** One page of the collection. */
  page(options: ListOptions = {}): Promise<Page<Wire>> {
    return this.client.request<Page<Wire>>('GET', this.path, { query: options });
  }

  /** Every resource of the collection, page after page. */
  list(filter: Query = {}): AsyncGenerator<Wire> {
    return this.client.paginate<Wire>(this.path, filter);
  }

  /** Changes some top-level fields (null clears an optional one). */
  patch(id: string, changes: { [K in keyof Input]?: Input[K] | null }): Promise<Wire> {
    return this.client.request<Wire>('PATCH', this.item(id), { body: changes });
  }

  /** Deletes the resource. */
  async delete(id: string): Promise<void> {
    await this.client.request<undefined>('DELETE', this.item(id));
  }
}
