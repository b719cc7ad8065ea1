import type { ImportBody } from './campaigns-api.ts';
import { ResourceApi } from './resource-api.ts';
import type { Contact, ContactInput, ImportResult } from './types.ts';

/** Contacts: the config routes plus the tenant-wide bulk import. */
export class ContactsApi extends ResourceApi<ContactInput, Contact> {
  /** Bulk import (all-or-nothing; 422 import_rejected lists every bad line). */
  importContacts(input: ImportBody): Promise<ImportResult> {
    return this.client.request<ImportResult>('POST', `${this.path}/import`, {
      rawBody: input.body,
      contentType: input.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    });
  }
}
