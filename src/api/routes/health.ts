import type { FastifyInstance } from 'fastify';

/** Liveness and readiness probes. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { ping: () => Promise<boolean>; isShuttingDown: () => boolean },
): void {
  app.get(
    '/healthz',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the process serves HTTP',
        tags: ['Operations'],
        security: [],
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: the database answers and the server is not shutting down',
        tags: ['Operations'],
        security: [],
      },
    },
    async (_request, reply) => {
      const database = await deps.ping();
      const ready = database && !deps.isShuttingDown();
      if (!ready) reply.code(503).header('retry-after', '5');
      return {
        status: ready ? 'ready' : 'unavailable',
        database: database ? 'ok' : 'unreachable',
        shuttingDown: deps.isShuttingDown(),
      };
    },
  );
}
