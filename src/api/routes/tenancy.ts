import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id, IdParams } from '../../contract/common.ts';
import { PhoneTypes } from '../../contract/contacts.ts';
import { Client, ClientInput, CreatedClient, Tenant, TenantInput } from '../../contract/tenancy.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import { createClient, listTenantClients, revokeTenantClient } from '../../service/auth/clients.ts';
import { createTenant, type TenantSettingsCache } from '../../service/tenancy/tenants.ts';
import type { ClientRow } from '../../store/clients.ts';
import type { Db } from '../../store/database.ts';
import type { TenantRow } from '../../store/tenants.ts';
import { routeSchema } from '../route-schema.ts';

const presentTenant = (t: TenantRow) => ({ ...t, createdAt: t.createdAt.toISOString() });
const presentClient = (c: ClientRow) => ({
  clientId: c.id,
  tenantId: c.tenantId,
  name: c.name,
  scopes: c.scopes,
  status: c.status,
  createdAt: c.createdAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
});

const GRANT_RULE =
  'A client can only grant scopes it holds itself. Asking for scopes the caller lacks is 403 ' +
  '`insufficient_scope`, with `requiredScopes` listing exactly the missing ones and `grantedScopes` ' +
  "what the caller may grant (GitHub's and Stripe's answer to a key asking for more than it has: " +
  'a question of authority, not of syntax); an unknown scope is 400 `invalid_request` with the ' +
  'pointer `/scopes/N`.';

/** Tenants (scope `system`), OAuth clients (scope `admin`, own tenant) and tenant settings. */
export function registerTenancyRoutes(
  app: FastifyInstance,
  deps: {
    db: Db;
    tenants: TenantSettingsCache;
    /** Told after a client is revoked here, so this node refuses its tokens at once. */
    onClientRevoked?: () => void;
  },
): void {
  const { db } = deps;
  app.post<{ Body: { name: string; id?: string; defaultRegion?: string; phoneTypes?: string[] } }>(
    '/v1/tenants',
    {
      config: { scope: 'system' },
      schema: routeSchema({
        operationId: 'createTenant',
        summary: 'Create a tenant',
        tags: ['Tenancy'],
        scope: 'system',
        body: TenantInput,
        success: { 201: Tenant },
        errors: [409],
      }),
    },
    async (request, reply) => {
      const tenant = await createTenant(db, request.body);
      reply.code(201).header('location', `/v1/tenants/${tenant.id}`);
      return presentTenant(tenant);
    },
  );

  app.post<{ Params: { id: string }; Body: { name: string; scopes: string[] } }>(
    '/v1/tenants/:id/clients',
    {
      config: { scope: 'system' },
      schema: routeSchema({
        operationId: 'createTenantClient',
        summary: 'Create an OAuth client in a tenant (secret shown once)',
        tags: ['Tenancy'],
        scope: 'system',
        params: IdParams,
        description: GRANT_RULE,
        body: ClientInput,
        success: { 201: CreatedClient },
        errors: [404],
      }),
    },
    async (request, reply) => {
      const ctx = await request.context();
      const client = await createClient(
        db,
        { tenantId: request.params.id, ...request.body },
        ctx.principal.scopes,
      );
      return reply.code(201).header('cache-control', 'no-store').send(client);
    },
  );

  app.post<{ Body: { name: string; scopes: string[] } }>(
    '/v1/clients',
    {
      config: { scope: 'admin' },
      schema: routeSchema({
        operationId: 'createClient',
        summary: 'Create an OAuth client in your tenant (secret shown once)',
        tags: ['Tenancy'],
        scope: 'admin',
        description: `${GRANT_RULE} \`system\` is never granted here, only through POST /v1/tenants/{id}/clients.`,
        body: ClientInput,
        success: { 201: CreatedClient },
      }),
    },
    async (request, reply) => {
      const ctx = await request.context();
      // `system` administers every tenant: it is never granted through a tenant's own route.
      const grantable = new Set([...ctx.principal.scopes].filter((scope) => scope !== 'system'));
      const client = await createClient(db, { tenantId: ctx.tenant.id, ...request.body }, grantable);
      return reply.code(201).header('cache-control', 'no-store').send(client);
    },
  );

  app.get(
    '/v1/clients',
    {
      config: { scope: 'admin' },
      schema: routeSchema({
        operationId: 'listClients',
        summary: "List your tenant's OAuth clients",
        tags: ['Tenancy'],
        scope: 'admin',
        success: { 200: Type.Object({ data: Type.Array(Client), nextCursor: Type.Null() }) },
      }),
    },
    async (request) => {
      const ctx = await request.context();
      return { data: (await listTenantClients(db, ctx.tenant.id)).map(presentClient), nextCursor: null };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/clients/:id/revoke',
    {
      config: { scope: 'admin' },
      schema: routeSchema({
        operationId: 'revokeClient',
        summary: 'Revoke an OAuth client: its tokens stop working within seconds',
        tags: ['Tenancy'],
        scope: 'admin',
        params: Type.Object({ id: Id }),
        success: { 200: Client },
        errors: [404],
      }),
    },
    async (request) => {
      const ctx = await request.context();
      const revoked = await revokeTenantClient(
        db,
        ctx.tenant.id,
        request.params.id,
        ctx.principal.scopes.has('system'),
        ctx.now,
      );
      deps.onClientRevoked?.();
      return presentClient(revoked);
    },
  );

  app.get(
    '/v1/settings/phone-types',
    {
      config: { scope: 'contacts:read' },
      schema: routeSchema({
        operationId: 'getPhoneTypes',
        summary: "The tenant's phone types",
        tags: ['Contacts'],
        scope: 'contacts:read',
        success: { 200: PhoneTypes },
      }),
    },
    async (request) => ({ phoneTypes: (await request.context()).tenant.phoneTypes }),
  );

  app.put<{ Body: { phoneTypes: string[] } }>(
    '/v1/settings/phone-types',
    {
      config: { scope: 'admin' },
      schema: routeSchema({
        operationId: 'putPhoneTypes',
        summary: "Replace the tenant's phone types",
        tags: ['Contacts'],
        scope: 'admin',
        body: PhoneTypes,
        success: { 200: PhoneTypes },
      }),
    },
    async (request) => {
      const ctx = await request.context();
      await deps.tenants.setPhoneTypes(ctx.tenant.id, request.body.phoneTypes);
      const tenant = await deps.tenants.get(ctx.tenant.id);
      if (!tenant) throw new NotFoundError('tenant', ctx.tenant.id);
      return { phoneTypes: tenant.phoneTypes };
    },
  );
}
