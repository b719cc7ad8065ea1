import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Id, ListOf, ListQuery } from '../../contract/common.ts';
import { Prompt, PromptPutQuery } from '../../contract/prompts.ts';
import { InvalidInputError } from '../../domain/pconn-error.ts';
import {
  getPrompt,
  getPromptWav,
  listTenantPrompts,
  putPrompt,
  removePrompt,
} from '../../service/prompts/prompts.ts';
import type { Db } from '../../store/database.ts';
import type { PromptRow } from '../../store/prompts/prompts.ts';
import { routeSchema } from '../route-schema.ts';

/** Largest prompt upload by default: 10 MiB, about 10 minutes of 8 kHz 16-bit audio. */
export const DEFAULT_PROMPT_MAX_BYTES = 10 * 1024 * 1024;

/** The media types of a WAV file in the wild (RFC 2361 names audio/vnd.wave). */
const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];
const TAGS = ['Prompts'];
const Params = Type.Object({ id: Id });

function present(row: PromptRow): Prompt {
  const self = `/v1/prompts/${encodeURIComponent(row.id)}`;
  const source = row.source as { encoding: 'pcm16' | 'mulaw' | 'alaw'; sampleRate: number; bytes: number };
  return {
    id: row.id,
    name: row.name,
    durationMs: row.durationMs,
    format: { encoding: 'pcm16', sampleRate: 8000, channels: 1 },
    source: { ...source, sha256: row.sourceSha256 },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    links: { self, audio: `${self}/audio` },
  };
}

function cursorAfter(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function idFromCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id.length === 0 || cursorAfter(id) !== cursor)
    throw new InvalidInputError(
      'invalid_request',
      'The cursor is not one pconn issued; pass nextCursor from the previous page unchanged.',
      { errors: [{ pointer: '', code: 'format', detail: 'Unreadable cursor (query parameter "cursor").' }] },
    );
  return id;
}

/**
 * Prompts: audio uploaded as a WAV file (`PUT /v1/prompts/{id}` with the file as the body) and
 * played into calls. Reads need `campaigns:read`, writes `campaigns:write` (prompts belong to
 * campaigns' settings).
 */
export function registerPromptRoutes(app: FastifyInstance, deps: { db: Db; maxBytes?: number }): void {
  const maxBytes = deps.maxBytes ?? DEFAULT_PROMPT_MAX_BYTES;
  app.register(async (scope) => {
    scope.addContentTypeParser(
      WAV_TYPES,
      { parseAs: 'buffer', bodyLimit: maxBytes },
      (_request, body, done) => done(null, body),
    );
    scope.put<{ Params: { id: string }; Querystring: { name?: string } }>(
      '/v1/prompts/:id',
      {
        config: { scope: 'campaigns:write' },
        bodyLimit: maxBytes,
        schema: routeSchema({
          operationId: 'putPrompt',
          summary: 'Upload a prompt (WAV)',
          description: `The body is the audio file itself, Content-Type audio/wav: PCM 16-bit mono or G.711 (µ-law/A-law) mono, at 8, 16, 44.1 or 48 kHz (any rate is resampled to 8 kHz once, here). Up to PCONN_PROMPT_MAX_BYTES (${maxBytes.toLocaleString('en')} bytes; beyond it 413). Another media type is 415; a WAV pconn cannot play (MP3 inside WAV, stereo, float, too short) is 422 \`unsupported_audio\` naming what was found. 201 for a new prompt, 200 when replaced; the same file sent again changes nothing.`,
          tags: TAGS,
          scope: 'campaigns:write',
          params: Params,
          querystring: PromptPutQuery,
          consumes: WAV_TYPES,
          success: { 200: Prompt, 201: Prompt },
          errors: [413, 415, 422],
        }),
      },
      async (request, reply) => {
        const file = wavBody(request);
        const { prompt, created } = await putPrompt(
          deps.db,
          await request.context(),
          request.params.id,
          file,
          {
            name: request.query.name ?? null,
            maxBytes,
          },
        );
        const shown = present(prompt);
        if (created) reply.code(201).header('location', shown.links.self);
        return shown;
      },
    );
  });

  app.get<{ Params: { id: string } }>(
    '/v1/prompts/:id',
    {
      config: { scope: 'campaigns:read' },
      schema: routeSchema({
        operationId: 'getPrompt',
        summary: 'Get a prompt',
        tags: TAGS,
        scope: 'campaigns:read',
        params: Params,
        success: { 200: Prompt },
        errors: [404],
      }),
    },
    async (request) => present(await getPrompt(deps.db, await request.context(), request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/prompts/:id/audio',
    {
      config: { scope: 'campaigns:read' },
      schema: routeSchema({
        operationId: 'getPromptAudio',
        summary: 'Download a prompt’s audio as pconn plays it (WAV, 8 kHz 16-bit mono)',
        tags: TAGS,
        scope: 'campaigns:read',
        params: Params,
        success: {},
        errors: [404],
      }),
    },
    async (request, reply) => {
      const wav = await getPromptWav(deps.db, await request.context(), request.params.id);
      return reply.type('audio/wav').send(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/prompts',
    {
      config: { scope: 'campaigns:read' },
      schema: routeSchema({
        operationId: 'listPrompts',
        summary: 'List prompts',
        tags: TAGS,
        scope: 'campaigns:read',
        querystring: ListQuery,
        success: { 200: ListOf(Prompt) },
      }),
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listTenantPrompts(deps.db, await request.context(), {
        limit: limit + 1,
        ...(request.query.cursor ? { afterId: idFromCursor(request.query.cursor) } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        data: page.map(present),
        nextCursor: rows.length > limit && last ? cursorAfter(last.id) : null,
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/prompts/:id',
    {
      config: { scope: 'campaigns:write' },
      schema: routeSchema({
        operationId: 'deletePrompt',
        summary: 'Delete a prompt',
        tags: TAGS,
        scope: 'campaigns:write',
        params: Params,
        success: { 204: null },
        errors: [404, 409],
      }),
    },
    async (request, reply) => {
      await removePrompt(deps.db, await request.context(), request.params.id);
      return reply.code(204).send();
    },
  );
}

/** The uploaded file; a JSON (or any non-WAV) body that reached the route is 415. */
function wavBody(request: FastifyRequest): Uint8Array {
  if (!Buffer.isBuffer(request.body))
    throw new InvalidInputError(
      'unsupported_media_type',
      `Prompts are uploaded as the WAV file itself, Content-Type audio/wav; this request sent ${request.headers['content-type'] ?? 'no Content-Type'}.`,
    );
  return request.body;
}
