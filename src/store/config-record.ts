/** A tenant's JSON-document config resource as stored (a trunk, a user …): its document unread. */
export interface ConfigRecord {
  tenantId: string;
  id: string;
  data: Record<string, unknown>;
}
