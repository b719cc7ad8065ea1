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
 * A campaign that `--prune` would delete is checked to be stopped, as the server will require.
 */
export async function preflight(client: PconnClient, changes: ResourceChange[]): Promise<FieldError[]> {
  const puts = changes.filter(
    (c) => (c.action !== 'delete' && c.kind !== PHONE_TYPES.key && c.body) || isCampaignDeletion(c),
  );
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

function isCampaignDeletion(change: ResourceChange): boolean {
  return change.action === 'delete' && change.kind === 'campaigns';
}

// The server refuses to delete a campaign in these states (409 invalid_transition).
const UNDELETABLE = new Set(['running', 'scheduled', 'paused']);

/** A campaign `--prune` would delete must be stopped first; said now rather than after other writes. */
async function checkCampaignDeletion(client: PconnClient, change: ResourceChange): Promise<FieldError[]> {
  const { status } = await client.campaigns.get(change.id);
  if (!UNDELETABLE.has(status)) return [];
  return [
    {
      pointer: `/campaigns/${change.id}`,
      code: 'invalid_transition',
      detail: `--prune would delete campaign '${change.id}', which is ${status}; a ${status} campaign cannot be deleted.`,
      hint: `Stop it first (pconn campaigns stop ${change.id}), or declare it in the file.`,
    },
  ];
}

async function check(client: PconnClient, change: ResourceChange): Promise<FieldError[]> {
  if (isCampaignDeletion(change)) return checkCampaignDeletion(client, change);
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
