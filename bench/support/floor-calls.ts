/**
 * The SIP half of bench/servers/cps-floor.ts: pconn's SIP driver placing a bridged call as
 * sip_cps_ratio's do (the agent's leg, then the contact's through the trunk, the bridge by
 * re-INVITE, the agent hung up when the contact leaves), each later step reported for the store.
 * Runs on the server's thread, or on a thread of its own (floor-sip-thread.ts); sip_driver_floor
 * runs it alone.
 */
import { loadConfig } from '../../src/config.ts';
import type { LegEvent, LegHandle, LegRequest } from '../../src/domain/telephony.ts';
import { SipDriver } from '../../src/telephony/sip-driver.ts';
import { SIP_BENCH_ENV } from './bench-pconn.ts';

/** One step of a call after its acceptance: its row's status and a timeline entry. */
export interface FloorStep {
  id: string;
  seq: number;
  status: 'dialing_contact' | 'connected' | 'completed' | 'failed';
  at: string;
  outcome: string | null;
  data: Record<string, unknown>;
}

/** A call to place: accepted, its agent's attempt committed. */
export interface FloorDial {
  id: string;
  userId: string;
}

/** As pconn-cps-node.ts configures its trunk. */
const PCONN_TRUNK_LIMITS = { maxConcurrent: 1000, cps: 1000 };

/**
 * Starts the driver (pconn's settings for the benches); `dial` places calls, `onStep` hears their
 * steps. `trunk`: the trunk's limits, pconn's bench trunk's by default.
 */
export async function startFloorCalls(
  ports: { agent: string | number; contact: string | number },
  onStep: (step: FloorStep) => void,
  trunk: { maxConcurrent: number; cps: number } = PCONN_TRUNK_LIMITS,
): Promise<{ dial: (call: FloorDial) => void; close: () => Promise<void> }> {
  const driver = await SipDriver.start({
    ...loadConfig({ ...process.env, ...SIP_BENCH_ENV }).sip,
    directory: {
      trunkFor: async () => ({
        id: 'floor',
        uri: `sip:127.0.0.1:${ports.contact}`,
        username: null,
        password: null,
        ...trunk,
        offerInInitialInvite: false,
      }),
      registeredAccounts: async () => [],
    },
  });
  const leg = (legId: string, target: LegRequest['target']): LegRequest => ({
    legId,
    tenantId: 'a',
    target,
    callerId: '+14155550100',
    ringTimeoutSeconds: 30,
  });
  const dial = ({ id, userId }: FloorDial) => {
    let seq = 2;
    let bridged = false;
    const step = (status: FloorStep['status'], outcome: string | null = null) =>
      onStep({ id, seq: ++seq, status, at: new Date().toISOString(), outcome, data: { status, attempt: 1 } });
    const agent: LegHandle = driver.dial(
      leg(`${id}/1/agent`, { kind: 'sip', uri: `sip:${userId}@127.0.0.1:${ports.agent}` }),
      (event: LegEvent) => {
        if (event.type === 'answered') {
          step('dialing_contact');
          const contact: LegHandle = driver.dial(
            leg(`${id}/1/contact`, { kind: 'phone', number: '+12125550120' }),
            (contactEvent) => {
              if (contactEvent.type === 'answered')
                driver.bridge(agent, contact).then(
                  () => {
                    bridged = true;
                    step('connected');
                  },
                  () => undefined,
                );
              if (contactEvent.type === 'ended') void driver.hangup(agent);
            },
          );
        }
        if (event.type === 'ended') step(bridged ? 'completed' : 'failed', bridged ? 'answered' : 'failed');
      },
    );
  };
  return { dial, close: () => driver.close() };
}
