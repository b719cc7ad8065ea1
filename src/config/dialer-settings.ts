import type { Setting } from '../config-settings.ts';

/** The sandbox's and the dialer's rows of the settings table (SETTINGS lists them in this order). */
export const DIALER_SETTINGS = {
  PCONN_SANDBOX_TIME_SCALE: {
    group: 'Sandbox',
    default: '1',
    description: 'multiplies every sandbox delay (tests use `0.01`)',
  },
  PCONN_SANDBOX_DIAL_LOG: {
    group: 'Sandbox',
    description: 'file the sandbox appends every dial to (one JSON line), for audits and crash tests',
  },
  PCONN_DIALER: {
    group: 'Dialer',
    default: 'on',
    description: '`off` runs the API without placing calls (calls stay queued)',
  },
  PCONN_DIALER_POLL_MS: {
    group: 'Dialer',
    default: '200',
    description: 'how often the dialer looks for due calls (new calls on the same node wake it at once)',
  },
  PCONN_DIALER_LEASE_SECONDS: {
    group: 'Dialer',
    default: '30',
    description:
      "lease on a claimed call or session; a node that dies loses its calls to another node after this, and the phones registered with it stop being rung through it (its heartbeat's reach)",
  },
  PCONN_DIALER_BATCH: { group: 'Dialer', default: '50', description: 'calls claimed per round' },
  PCONN_DIALER_AGENT_WAIT_MS: {
    group: 'Dialer',
    default: '2000',
    description:
      "a call that finds no free agent is looked at again after this long — or at once when one of its campaign's agents finishes a call on the same node",
  },
  PCONN_MAX_CONCURRENT_CALLS: { group: 'Dialer', default: '1000', description: 'live calls per node' },
  PCONN_AGENT_RING_SECONDS: {
    group: 'Dialer',
    default: '30',
    description: "ring time for the agent's leg before `agent_no_answer`",
  },
  PCONN_CONTACT_RING_SECONDS: {
    group: 'Dialer',
    default: '30',
    description: 'ring time for the contact before `no_answer`',
  },
  PCONN_MAX_CALL_SECONDS: {
    group: 'Dialer',
    default: '14400',
    description:
      'a connected call is hung up after this long (4 h): a cost guard, and the end of calls whose far end vanished without a BYE',
  },
  PCONN_PREVIEW_OFFER_SECONDS: {
    group: 'Dialer',
    default: '30',
    description: 'a preview offer not accepted or skipped within this goes back to the queue',
  },
  PCONN_WRAP_UP_SECONDS: {
    group: 'Dialer',
    default: '10',
    description: 'wrap-up after a session call with no campaign (campaigns set wrapUpSeconds; 0: none)',
  },
} as const satisfies Record<string, Setting>;
