import type { RegistrarAccount } from '../sip/registrar/index.ts';
import { bindingKey, type SipDirectory, type TrunkRoute } from './sip-directory.ts';

/** A tenant's config document as the store returns it, not yet read. */
export interface DirectoryRecord {
  tenantId: string;
  id: string;
  data: Record<string, unknown>;
}

/**
 * Where the directory's records come from: queries of the store, wired by main.ts, so this
 * adapter never reads the database itself (test/architecture.test.ts keeps telephony off store).
 */
export interface DirectoryRecords {
  /** The trunk a tenant's phone-number legs use (`default`, else its oldest). */
  tenantTrunk(tenantId: string): Promise<DirectoryRecord | undefined>;
  /** Every trunk across tenants. */
  allTrunks(): Promise<DirectoryRecord[]>;
  /** Active users whose registered device signs in as `username`, across tenants. */
  deviceUsers(username: string): Promise<DirectoryRecord[]>;
}

// The documents as PUT /v1/trunks and /v1/users store them, reduced to what SIP reads.
type TrunkDocument = Omit<TrunkRoute, 'id'>;
interface UserDocument {
  device: { type: string; password?: string | null };
}

/**
 * Reads trunks and registered devices from stored config records. A trunk's route id is
 * `tenant/trunk`, so trunks of different tenants never share limits or keep-alive state.
 */
export class RecordDirectory implements SipDirectory {
  constructor(private readonly records: DirectoryRecords) {}

  async trunkFor(tenantId: string): Promise<TrunkRoute | undefined> {
    const record = await this.records.tenantTrunk(tenantId);
    return record ? routeOf(record) : undefined;
  }

  async trunks(): Promise<TrunkRoute[]> {
    return (await this.records.allTrunks()).map(routeOf);
  }

  async registeredAccounts(username: string): Promise<RegistrarAccount[]> {
    const records = await this.records.deviceUsers(username);
    return records.flatMap((record) => {
      const device = (record.data as unknown as UserDocument).device;
      return device.type === 'registered' && device.password
        ? [{ password: device.password, aor: bindingKey(record.tenantId, username) }]
        : [];
    });
  }
}

function routeOf(record: DirectoryRecord): TrunkRoute {
  return { id: `${record.tenantId}/${record.id}`, ...(record.data as unknown as TrunkDocument) };
}
