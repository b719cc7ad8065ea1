import { readFileSync } from 'node:fs';
import type { LegAnchor, LegEvent, LegHandle, LegTarget } from '../../../src/domain/telephony.ts';
import { DEFAULT_ANSWER_DETECTION } from '../../../src/media/answer-detection-settings.ts';
import { decodeForAnalysis } from '../../../src/media/read-audio-file.ts';
import type { SipDirectory, TrunkRoute } from '../../../src/telephony/sip-driver/sip-directory.ts';
import { SipDriver } from '../../../src/telephony/sip-driver.ts';
import { type CorpusClip, loadAmdCorpus } from '../../support/amd-corpus.ts';
import { waitFor } from '../../support/wait-for.ts';

/** Helpers of the anchored-media tests: a SIP driver on loopback, legs with their events, clips. */

/** Starts a SIP driver on 127.0.0.1 with fast timers and its RTP ports in `ports`. */
export function startDriver(trunk?: TrunkRoute, ports = { min: 31000, max: 31999 }): Promise<SipDriver> {
  const directory: SipDirectory = {
    trunkFor: async () => trunk,
    registeredAccounts: async () => [],
  };
  return SipDriver.start({
    listen: { transport: 'udp', host: '127.0.0.1', port: 0 },
    t1Ms: 20,
    realm: 'test',
    maxRegisterExpires: 3600,
    digestAlgorithms: ['MD5'],
    directory,
    rtp: { ports },
  });
}

/** A leg dialled on the driver, with every event it reported. */
export interface DialledLeg {
  handle: LegHandle;
  events: LegEvent[];
  /** Resolves with the first event of `type` (times out naming it). */
  next<T extends LegEvent['type']>(type: T, timeout?: number): Promise<Extract<LegEvent, { type: T }>>;
  /** The types of the events after `trying`/`ringing`, in order. */
  story(): string[];
}

/** Answer detection with the default thresholds. */
export const DETECTING: LegAnchor = { answerDetection: { ...DEFAULT_ANSWER_DETECTION } };

/** Every leg dialled, so a failed test cannot leave legs (and ports) to the next one. */
const dialled: Array<{ driver: SipDriver; handle: LegHandle }> = [];

/** Hangs up every leg dialled so far (an afterEach: a no-op for legs already ended). */
export async function hangUpAll(): Promise<void> {
  const legs = dialled.splice(0);
  await Promise.all(legs.map(({ driver, handle }) => driver.hangup(handle).catch(() => undefined)));
}

/** Dials `legId` to `target`, anchored when `anchor` is given. */
export function dial(
  driver: SipDriver,
  legId: string,
  target: LegTarget,
  anchor?: LegAnchor,
  extra: { persistent?: boolean } = {},
): DialledLeg {
  const events: LegEvent[] = [];
  const handle = driver.dial(
    { legId, target, callerId: null, ringTimeoutSeconds: 10, ...(anchor ? { anchor } : {}), ...extra },
    (event) => events.push(event),
  );
  dialled.push({ driver, handle });
  return {
    handle,
    events,
    async next(type, timeout = 10_000) {
      const found = await waitFor(() => events.find((e) => e.type === type), {
        timeout,
        what: `${legId} ${type} (so far: ${events.map((e) => e.type).join(', ')})`,
      });
      return found as never;
    },
    story: () => events.map((e) => e.type).filter((t) => t !== 'trying' && t !== 'ringing'),
  };
}

let corpus: Promise<CorpusClip[]> | undefined;

/** A corpus clip's audio at 8 kHz (the corpus is built on first use, then cached). */
export async function clip(name: string): Promise<Int16Array> {
  corpus ??= loadAmdCorpus();
  const found = (await corpus).find((c) => c.name === name);
  if (!found) throw new Error(`no corpus clip ${name}`);
  return decodeForAnalysis(readFileSync(found.file)).samples;
}

/**
 * The best normalised correlation of `needle` within `haystack` (1 = identical up to gain), so
 * a test can tell that what a peer received is a prompt, after G.711 and wherever it started
 * (`step` 160: playback starts on a packet boundary).
 */
export function bestCorrelation(haystack: Int16Array, needle: Int16Array, step = 160): number {
  let needleEnergy = 0;
  for (const s of needle) needleEnergy += s * s;
  let best = 0;
  for (let offset = 0; offset + needle.length <= haystack.length; offset += step) {
    let dot = 0;
    let energy = 0;
    for (let i = 0; i < needle.length; i += 1) {
      const h = haystack[offset + i] as number;
      dot += h * (needle[i] as number);
      energy += h * h;
    }
    if (energy > 0) best = Math.max(best, dot / Math.sqrt(energy * needleEnergy));
  }
  return best;
}
