import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { PconnMetrics } from '../observability/metrics.ts';
import type { Db } from '../store/database.ts';
import { useSipNonce } from '../store/sip-nonce-uses.ts';
import { findTenantTrunk } from '../store/trunks/find-tenant-trunk.ts';
import { listTrunks } from '../store/trunks/list-trunks.ts';
import { findDeviceUsers } from '../store/users/find-device-users.ts';
import { RecordDirectory } from '../telephony/sip-driver/record-directory.ts';
import { SipDriver } from '../telephony/sip-driver.ts';

/**
 * Starts the SIP driver with pconn's parts plugged into its hooks: the store as its directory and
 * nonce ledger, the metrics, and the log lines for registrations, refusals and trunk health.
 */
export async function startSipDriver(
  config: Config,
  { db, clock, logger, metrics }: { db: Db; clock: Clock; logger: Logger; metrics: PconnMetrics },
): Promise<SipDriver> {
  return SipDriver.start({
    ...config.sip,
    directory: new RecordDirectory({
      tenantTrunk: (tenantId) => findTenantTrunk(db, tenantId),
      allTrunks: () => listTrunks(db),
      deviceUsers: (username) => findDeviceUsers(db, username),
    }),
    onTransactionEvent: metrics.sip.observe,
    onEveryRegisterRefusal: metrics.sipRegister.observe,
    // Nonce-counts live in the store: a captured REGISTER header replays on no node.
    nonceLedger: {
      use: (nonce, nc, expiresAt) =>
        useSipNonce(db, { nonce, nc, expiresAt: new Date(expiresAt) }, clock.now()),
    },
    now: () => clock.now().getTime(),
    onDroppedMessage: metrics.sipDrops.observe,
    onError: (error) => logger.error({ err: error }, 'SIP driver error'),
    onRegisterRefused: (report) =>
      report.kind === 'refused'
        ? logger.warn({ sipRegister: report.refusal }, 'SIP REGISTER refused')
        : logger.warn(
            {
              suppressed: report.count,
              windowSeconds: report.windowSeconds,
              topSources: report.topSources,
            },
            'SIP REGISTER refusals not logged one by one (rate limit)',
          ),
    onBindingChange: (change) => {
      const { added, removed, ...phone } = change;
      if (added.length > 0) logger.info({ ...phone, contacts: added }, 'SIP phone registered');
      if (removed.length > 0) logger.info({ ...phone, contacts: removed }, 'SIP phone unregistered');
    },
    onTrunkHealth: (health) =>
      logger[health.reachable ? 'info' : 'warn'](
        { trunk: health.trunkId, status: health.status, rttMs: health.rttMs },
        health.reachable ? 'SIP trunk answers OPTIONS' : 'SIP trunk stopped answering OPTIONS',
      ),
  });
}
