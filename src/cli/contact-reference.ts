import { PconnApiError, type PconnClient } from '../sdk/index.ts';

// The API's id charset (shared/api-contract.md "Ids"); anything else can only be an external id.
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** How `--contact` was understood. */
export interface ContactReference {
  contactId: string;
  /** Set when the value was the contact's externalId (your CRM id), not its pconn id. */
  externalId?: string;
}

/**
 * Reads `--contact`: a pconn contact id (`ct_…` or the id you PUT it with) is used as it is; a
 * value that is no contact's id is looked up as an externalId (GET /v1/contacts?externalId=), so
 * the CRM id people have at hand works too. The id wins when a value is both. Neither is an
 * error that names both readings and where to find the right value. Without `contacts:read` the
 * value is sent as a contact id and the API answers for it.
 */
export async function resolveContact(client: PconnClient, value: string): Promise<ContactReference> {
  try {
    if (ID_PATTERN.test(value)) {
      const byId = await found(() => client.contacts.get(value));
      if (byId) return { contactId: byId.id };
    }
    const page = await client.contacts.page({ externalId: value, limit: 1 });
    const byExternalId = page.data[0];
    if (byExternalId) return { contactId: byExternalId.id, externalId: value };
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 403) return { contactId: value };
    throw error;
  }
  throw new Error(
    `--contact '${value}' is neither a contact id nor a contact's externalId in this tenant. ` +
      'Pass the id pconn answered for the contact (ct_… or the id you PUT it with) or your own ' +
      "externalId; find it with 'pconn contacts list --external-id <id>', or add the contact with " +
      "'pconn contacts import FILE --campaign <campaign>'.",
  );
}

async function found<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 404) return undefined;
    throw error;
  }
}
