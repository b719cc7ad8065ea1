import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { PconnMetrics } from '../observability/metrics.ts';
import type { ConfigRecord } from '../store/config-record.ts';
import type { Db } from '../store/database.ts';
import { saveBindings } from '../store/registrations/save-bindings.ts';
import { useSipNonce } from '../store/sip-nonce-uses.ts';
import { findTenantTrunk } from '../store/trunks/find-tenant-trunk.ts';
import { listTrunks } from '../store/trunks/list-trunks.ts';
import { findDeviceUsers } from '../store/users/find-device-users.ts';
import { ShortLivedCache } from './short-lived-cache.ts';
import { ThreadedSipDriver } from './sip-thread/threaded-sip-driver.ts';

/**
 * How stale a tenant's trunk may be when a leg is dialled: a trunk changed through any node is
 * used by every node's next dials within this (README "Real telephony").
 */
const TRUNK_CACHE_MS = 1000;

/**
 * Tenants' trunks as the SIP driver dials through them, read once per second at most instead of
 * once per contact leg; the trunks service forgets a tenant's entry when it writes one of its
 * trunks here, so this node dials through a changed trunk at once, and others within the second.
 */
export function tenantTrunkCache(db: Db, clock: Clock): ShortLivedCache<ConfigRecord | undefined> {
  return new ShortLivedCache(
    (tenantId) => findTenantTrunk(db, tenantId),
    TRUNK_CACHE_MS,
    () => clock.now().getTime(),
  );
}

/**
 * Starts the SIP driver on its own thread with pconn's parts plugged into its hooks, which run
 * on this thread: the store as its directory, nonce ledger and mirror of the bindings (held by
 * `nodeId`), the metrics, and the log lines for registrations, refusals and trunk health.
 */
export async function startSipDriver(
  config: Config,
  {
    db,
    clock,
    logger,
    metrics,
    nodeId,
    trunks,
  }: {
    db: Db;
    clock: Clock;
    logger: Logger;
    metrics: PconnMetrics;
    nodeId: string;
    trunks: ShortLivedCache<ConfigRecord | undefined>;
  },
): Promise<ThreadedSipDriver> {
  return ThreadedSipDriver.start(config.sip, {
    records: {
      tenantTrunk: (tenantId) => trunks.get(tenantId),
      allTrunks: () => listTrunks(db),
      deviceUsers: (username) => findDeviceUsers(db, username),
    },
    onTransactionEvent: metrics.sip.observe,
    onEveryRegisterRefusal: metrics.sipRegister.observe,
    // Nonce-counts live in the store: a captured REGISTER header replays on no node.
    nonceLedger: {
      use: (nonce, nc, expiresAt) =>
        useSipNonce(db, { nonce, nc, expiresAt: new Date(expiresAt) }, clock.now()),
    },
    // Every node sees which node holds a phone's flow: that node places the agent's legs.
    onBindingsWritten: async (written) => {
      // The registrar's AOR is `tenant/username` (sip-directory.ts bindingKey); tenant ids hold no '/'.
      const slash = written.aor.indexOf('/');
      await saveBindings(db, {
        tenantId: written.aor.slice(0, slash),
        username: written.aor.slice(slash + 1),
        nodeId,
        transport: written.transport,
        source: written.source ?? null,
        saved: written.saved.map((binding) => ({
          contact: binding.contact,
          q: binding.q,
          expiresAt: new Date(binding.expiresAt),
          updatedAt: new Date(binding.updatedAt),
        })),
        removed: written.removed,
        removedAll: written.removedAll,
      });
    },
    onDroppedMessage: metrics.sipDrops.observe,
    onError: (error) => logger.error({ err: error }, 'SIP driver error'),
    // As when the store's thread ends (store-options.ts): a node that cannot place or hear its
    // legs must not claim calls only to fail them. It stops, and a supervisor starts a fresh one;
    // its calls are taken up again when their leases lapse.
    onThreadEnded: (error) => {
      logger.fatal({ err: error }, "the SIP driver's thread ended; the node stops");
      process.exit(1);
    },
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
