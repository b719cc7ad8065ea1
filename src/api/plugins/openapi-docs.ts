import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { EVENT_WEBHOOKS } from '../../contract/events.ts';
import { SCOPES } from '../../domain/scopes.ts';
import { registerSwaggerUiOnDemand } from './swagger-ui-on-demand.ts';

/**
 * The OpenAPI 3.1 document (`/openapi.json`) built from the routes' TypeBox schemas, and Swagger
 * UI at `/docs` (loaded on its first request); both public and unaudited (they hold no tenant data).
 */
export async function registerOpenApiDocs(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'pconn API',
        version: '1.0.0',
        description:
          'Outbound personal-connection calls. Errors are RFC 9457 problem details; see /problems.',
      },
      servers: [{ url: publicUrl }],
      // TypeBox schemas are JSON Schema but not typed as OpenAPI's SchemaObject.
      webhooks: EVENT_WEBHOOKS as unknown as Record<string, never>,
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            flows: {
              clientCredentials: {
                tokenUrl: `${publicUrl}/oauth/token`,
                scopes: Object.fromEntries(SCOPES.map((scope) => [scope, `Scope ${scope}`])),
              },
            },
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.get('/openapi.json', { config: { scope: null, audit: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  registerSwaggerUiOnDemand(app);
}
