import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../../domain/error-codes.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import { PROBLEM_TYPES } from '../problem-types.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Serves the page each problem `type` URL points at (HTML for browsers, JSON on request). */
export function registerProblemPages(app: FastifyInstance): void {
  app.get<{ Params: { code: string } }>(
    '/problems/:code',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'getProblemType',
        summary: 'Documentation of one problem type',
        tags: ['Operations'],
        security: [],
      },
    },
    async (request, reply) => {
      const code = request.params.code;
      if (!(ERROR_CODES as readonly string[]).includes(code)) throw new NotFoundError('problem type', code);
      const type = PROBLEM_TYPES[code as ErrorCode];
      if ((request.headers.accept ?? '').includes('application/json')) {
        return { code, ...type };
      }
      reply.type('text/html; charset=utf-8');
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(type.title)} — pconn</title></head>
<body><h1>${escapeHtml(type.title)}</h1><p><code>${escapeHtml(code)}</code> · HTTP ${type.status}</p>
<h2>What happened</h2><p>${escapeHtml(type.description)}</p><h2>How to fix it</h2><p>${escapeHtml(type.fix)}</p>
<p><a href="/problems">All problem types</a> · <a href="/docs">API reference</a></p></body></html>`;
    },
  );
  app.get(
    '/problems',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'listProblemTypes',
        summary: 'All problem types',
        tags: ['Operations'],
        security: [],
      },
    },
    async (_request, reply) => {
      reply.type('text/html; charset=utf-8');
      const items = ERROR_CODES.map(
        (code) =>
          `<li><a href="/problems/${code}">${code}</a> — ${escapeHtml(PROBLEM_TYPES[code].title)} (${PROBLEM_TYPES[code].status})</li>`,
      );
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pconn problem types</title></head><body><h1>Problem types</h1><ul>${items.join('')}</ul></body></html>`;
    },
  );
}
