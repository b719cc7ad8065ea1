import { type FieldError, PconnApiError, type PconnClient } from '../../sdk/index.ts';
import type { ResourceChange } from './plan.ts';
import { PHONE_TYPES, RESOURCE_KINDS } from './resource-kinds.ts';

// Dry runs in flight at once: enough to make a large file quick, few enough not to crowd the
// server's rate limit or its single embedded-store connection.
const PARALLEL = 8;

/**
 * Asks the server to check every create and update of a plan before anything is written
 * (`PUT …/{id}?dryRun=true`: the server's own rules — webhook URLs on private addresses, who may
 * verify a caller id, unique external ids — run, nothing is stored). Answers every refusal, each
 * pointer prefixed with the resource (`/webhooks/crm/url`) as in the file; empty when all pass.
 */
export async function preflight(client: PconnClient, changes: ResourceChange[]): Promise<FieldError[]> {
  const puts = changes.filter((c) => c.action !== 'delete' && c.kind !== PHONE_TYPES.key && c.body);
  const errors: FieldError[][] = new Array(puts.length);
  let next = 0;
  const worker = async () => {
    while (next < puts.length) {
      const index = next++;
      errors[index] = await check(client, puts[index] as ResourceChange);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, puts.length) }, worker));
  return errors.flat();
}

async function check(client: PconnClient, change: ResourceChange): Promise<FieldError[]> {
  const kind = RESOURCE_KINDS.find((k) => k.key === change.kind);
  if (!kind) return [];
  const prefix = `/${change.kind}/${change.id}`;
  try {
    await client.request('PUT', `${kind.path}/${encodeURIComponent(change.id)}`, {
      body: change.body,
      query: { dryRun: true },
    });
    return [];
  } catch (error) {
    if (!(error instanceof PconnApiError) || error.status >= 500 || error.status === 401) throw error;
    const problem = error.problem;
    if (problem.errors?.length)
      return problem.errors.map((e) => ({ ...e, pointer: `${prefix}${e.pointer}` }));
    const pointer = typeof problem.pointer === 'string' ? problem.pointer : '';
    return [{ pointer: `${prefix}${pointer}`, code: problem.code, detail: problem.detail }];
  }
}
