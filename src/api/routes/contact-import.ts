import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Id } from '../../contract/common.ts';
import { ContactInput, ImportResult } from '../../contract/contacts.ts';
import type { FieldError } from '../../domain/pconn-error.ts';
import { importContacts } from '../../service/contacts/import-contacts.ts';
import type { Db } from '../../store/database.ts';
import { bodyAjv } from '../ajv-instances.ts';
import { DEFAULT_IMPORT_MAX_BYTES, guardImportBody } from '../import-body.ts';
import { logAbortedImport } from '../import-log.ts';
import { importRecords, registerStreamParsers } from '../plugins/body-parsers.ts';
import { routeSchema } from '../route-schema.ts';
import { mapSchemaErrors } from '../schema-errors.ts';
import { findUnstorableText } from '../unstorable-text.ts';

const validateContact = bodyAjv.compile(ContactInput);

const DESCRIPTION = `Streams the file: the import holds one batch of 500 rows at a time, so its memory does not grow
with the file (bodies up to PCONN_IMPORT_MAX_BYTES, 100 MiB by default; beyond it 413 payload_too_large). Send text/csv (header row: externalId, name,
timezone, one column per phone type such as mobile or work, consent, attributes.<key>) or
application/x-ndjson (one contact object per line). Every row is validated first; if any row is
invalid nothing is imported and the 422 import_rejected problem lists the problems with their
line numbers (up to 100). Contacts are upserted by externalId.`;

/** Bulk contact import, tenant-wide or into a campaign. */
export function registerContactImportRoutes(app: FastifyInstance, deps: { db: Db; maxBytes?: number }): void {
  const maxBytes = deps.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  app.register(async (scope) => {
    registerStreamParsers(scope);
    const handler = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
      const ctx = await request.context();
      guardImportBody(request, maxBytes);
      const records = importRecords(request, ctx.tenant.phoneTypes);
      const validate = (value: unknown): FieldError[] => {
        const unstorable: FieldError[] = [];
        findUnstorableText(value, '', unstorable, 0);
        if (unstorable.length > 0) return unstorable;
        if (validateContact(value)) return [];
        return mapSchemaErrors(validateContact.errors ?? [], {
          part: 'body',
          route: 'contact',
          defaultRegion: ctx.tenant.defaultRegion,
        });
      };
      return logAbortedImport(request, importContacts(deps.db, ctx, records, validate, request.params.id));
    };
    const doc = {
      tags: ['Contacts'],
      scope: 'contacts:write' as const,
      success: { 200: ImportResult },
      errors: [404, 413, 415, 422],
      description: DESCRIPTION,
      consumes: ['text/csv', 'application/x-ndjson'],
    };
    scope.post(
      '/v1/contacts/import',
      {
        config: { scope: 'contacts:write', routeKind: 'contact' },
        bodyLimit: maxBytes,
        schema: routeSchema({
          ...doc,
          operationId: 'importContacts',
          summary: 'Import contacts (CSV or NDJSON)',
        }),
      },
      handler,
    );
    scope.post(
      '/v1/campaigns/:id/contacts/import',
      {
        config: { scope: 'contacts:write', routeKind: 'contact' },
        bodyLimit: maxBytes,
        schema: routeSchema({
          ...doc,
          operationId: 'importCampaignContacts',
          summary: 'Import contacts into a campaign (CSV or NDJSON)',
          params: Type.Object({ id: Id }),
        }),
      },
      handler,
    );
  });
}
