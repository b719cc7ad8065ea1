import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NotFoundError } from '../../domain/pconn-error.ts';

const PREFIX = '/docs';
// Hop-by-hop, or set again by this node's own reply.
const UNFORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/**
 * Swagger UI at `/docs`, loaded on the first request for it: `@fastify/swagger-ui` and what it
 * brings (`@fastify/static` and its file matching, YAML) cost an idle node ~2 MB that most nodes
 * never use (docs/performance.md "Memory"). Fastify takes no plugin once it is listening, so the
 * UI runs in a small Fastify instance of its own, built on that first request with the document
 * `app.swagger()` makes, and `/docs` requests are passed to it in-process (`inject`); the answers
 * go out through this node's reply, with its hooks (metrics, request log). A path the UI does not
 * know gets this node's own 404 problem (`not_found`, like any unknown route).
 */
export function registerSwaggerUiOnDemand(app: FastifyInstance): void {
  let ui: Promise<FastifyInstance> | undefined;
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    ui ??= buildUi(app.swagger()).catch((error: unknown) => {
      ui = undefined; // the next request tries again
      throw error;
    });
    // Always GET: for a HEAD, Fastify answers with the GET's headers and drops the body itself.
    const answer = await (await ui).inject({ method: 'GET', url: request.url, headers: request.headers });
    if (answer.statusCode === 404)
      throw new NotFoundError('route', `${request.method} ${request.url.split('?')[0] ?? request.url}`);
    reply.code(answer.statusCode);
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined && !UNFORWARDED.has(name)) reply.header(name, value);
    return reply.send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined);
  };
  // Public and unaudited, like /openapi.json: the pages hold no tenant data.
  const options = { config: { scope: null, audit: false }, schema: { hide: true } };
  app.get(PREFIX, options, forward);
  app.get(`${PREFIX}/*`, options, forward);
}

/** The UI's own instance: the finished document (static mode) and Swagger UI at the same prefix. */
async function buildUi(document: unknown): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const ui = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  await ui.register(swagger, { mode: 'static', specification: { document: document as never } });
  await ui.register(swaggerUi, { routePrefix: PREFIX, uiConfig: { docExpansion: 'list' } });
  await ui.ready();
  return ui;
}
