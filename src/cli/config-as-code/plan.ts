import type { PconnClient } from '../../sdk/index.ts';
import { PconnApiError } from '../../sdk/index.ts';
import { HIDDEN, isSecretPath, redactSecrets } from '../secret-fields.ts';
import type { ConfigDocument } from './config-document.ts';
import { additions, diffDocument, type FieldChange, WRITE_ONLY_SET } from './diff-resources.ts';
import { PHONE_TYPES, RESOURCE_KINDS } from './resource-kinds.ts';

/** What applying the file would do to one resource. */
export interface ResourceChange {
  action: 'create' | 'update' | 'delete';
  kind: string;
  id: string;
  fields: FieldChange[];
  /** The document to PUT (create/update). */
  body?: Record<string, unknown>;
}

/** The changes of a plan, in apply order. */
export interface Plan {
  changes: ResourceChange[];
  summary: { create: number; update: number; delete: number };
}

async function existing(client: PconnClient, path: string): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for await (const item of client.paginate<Record<string, unknown>>(path)) found.set(String(item.id), item);
  return found;
}

/**
 * Supervisors and admins are people's console accounts (the first start creates `admin`), not
 * dialing configuration: `--prune` never deletes them, so pruning a file of agents cannot lock
 * the tenant out of its console. Deleting one is a deliberate DELETE /v1/users/{id}.
 */
function isConsoleAccount(kind: string, resource: Record<string, unknown>): boolean {
  return kind === 'users' && (resource.role === 'supervisor' || resource.role === 'admin');
}

/**
 * Compares the file with the server: reads every resource of the declared kinds once (a list
 * per kind, not a GET per resource) and answers field-level changes; with `prune`, resources of
 * those kinds that the file does not declare are deleted (kinds absent from the file are never
 * touched, nor are supervisors and admins).
 */
export async function makePlan(client: PconnClient, document: ConfigDocument, prune: boolean): Promise<Plan> {
  const changes: ResourceChange[] = [];
  if (document.phoneTypes) {
    const current = await client.settings.phoneTypes();
    const fields = diffDocument({ phoneTypes: document.phoneTypes }, current);
    if (fields.length > 0) {
      changes.push({
        action: 'update',
        kind: PHONE_TYPES.key,
        id: 'tenant',
        fields,
        body: { phoneTypes: document.phoneTypes },
      });
    }
  }
  const deletions: ResourceChange[] = [];
  for (const kind of RESOURCE_KINDS) {
    const declared = document.resources[kind.key];
    if (!declared) continue;
    let current: Map<string, Record<string, unknown>>;
    try {
      current = await existing(client, kind.path);
    } catch (error) {
      // Listing needs the read scope; without it every declared resource is planned as an upsert.
      if (!(error instanceof PconnApiError) || error.status !== 403) throw error;
      current = new Map();
    }
    for (const [id, body] of Object.entries(declared)) {
      const have = current.get(id);
      if (!have) changes.push({ action: 'create', kind: kind.key, id, fields: additions(body), body });
      else {
        const fields = diffDocument(body, have);
        if (fields.length > 0) changes.push({ action: 'update', kind: kind.key, id, fields, body });
      }
    }
    if (prune) {
      for (const [id, have] of current) {
        if (!(id in declared) && !isConsoleAccount(kind.key, have))
          deletions.unshift({ action: 'delete', kind: kind.key, id, fields: [] });
      }
    }
  }
  changes.push(...deletions);
  const count = (action: ResourceChange['action']) => changes.filter((c) => c.action === action).length;
  return { changes, summary: { create: count('create'), update: count('update'), delete: count('delete') } };
}

/** A field change as printed: values of secret-like members shown as `(hidden)`. */
function maskField(field: FieldChange): FieldChange {
  if (!isSecretPath(field.path)) return field;
  const mask = (value: unknown) => (value === WRITE_ONLY_SET ? value : HIDDEN);
  return {
    ...field,
    ...('from' in field ? { from: mask(field.from) } : {}),
    ...('to' in field ? { to: mask(field.to) } : {}),
  };
}

/** A change as printed or written as JSON: no secret value in its fields or its body. */
export function publicChange(change: ResourceChange): ResourceChange {
  return {
    ...change,
    fields: change.fields.map(maskField),
    ...(change.body ? { body: redactSecrets(change.body) as Record<string, unknown> } : {}),
  };
}

/** The plan as `--json` prints it (secrets hidden). */
export function publicPlan(plan: Plan): Plan {
  return { ...plan, changes: plan.changes.map(publicChange) };
}

/** The plan as people read it: `+ kind/id` created, `~` changed (with each field), `-` deleted. */
export function planLines(plan: Plan): string[] {
  plan = publicPlan(plan);
  if (plan.changes.length === 0) return ['No changes: the server matches the file.'];
  const sign = { create: '+', update: '~', delete: '-' } as const;
  const lines = plan.changes.flatMap((change) => [
    `${sign[change.action]} ${change.kind}/${change.id}`,
    ...change.fields.map((f) =>
      f.op === '~'
        ? `    ~ ${f.path}: ${JSON.stringify(f.from)} → ${JSON.stringify(f.to)}`
        : `    ${f.op} ${f.path}: ${JSON.stringify(f.op === '+' ? f.to : f.from)}`,
    ),
  ]);
  const { create, update, delete: remove } = plan.summary;
  return [...lines, '', `Plan: ${create} to create, ${update} to change, ${remove} to delete.`];
}
