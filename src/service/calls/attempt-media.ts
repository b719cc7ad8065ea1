import type { AnswerActions } from '../../domain/answer-action.ts';
import type { LegAnchor } from '../../domain/telephony.ts';
import type { Executor } from '../../store/database.ts';
import { findPromptAudio, findPromptVersions } from '../../store/prompts/prompts.ts';
import { type DialingSettings, dialingSettingsOf } from '../resources/campaign-dialing.ts';

/**
 * What a campaign asks of an attempt's contact media: the contact leg is anchored at pconn
 * (answer detection, prompts) until it is connected to the agent or hung up.
 */
export interface AttemptMedia {
  anchor: LegAnchor;
  actions: AnswerActions;
  /** Played after a machine's beep (machineAction leave_message). */
  machinePrompt: Int16Array | null;
  /** Played to a live answer that will not be connected (the abandon message). */
  abandonPrompt: Int16Array | null;
  /** After a machine verdict, how long to wait for its beep before leaving the message anyway. */
  beepTimeoutMs: number;
}

/**
 * Prompt audio kept per node, keyed by the upload's SHA-256: a dial asks the store only for the
 * prompts' current digests (a few bytes), and a replaced prompt is read once, on its first use.
 */
export class PromptAudioCache {
  private readonly audio = new Map<string, Int16Array>();

  constructor(private readonly maxEntries = 64) {}

  /** The prompts' audio (8 kHz 16-bit PCM), null for an id the tenant no longer has. */
  async load(
    db: Executor,
    tenantId: string,
    ids: readonly string[],
  ): Promise<Map<string, Int16Array | null>> {
    const found = new Map<string, Int16Array | null>(ids.map((id) => [id, null]));
    if (ids.length === 0) return found;
    for (const { id, sha256 } of await findPromptVersions(db, tenantId, ids)) {
      const key = `${tenantId}/${id}/${sha256}`;
      let pcm = this.audio.get(key);
      if (!pcm) {
        const bytes = await findPromptAudio(db, tenantId, id);
        if (!bytes) continue;
        // The store keeps little-endian 16-bit samples; copy so the view is aligned.
        const copy = new Uint8Array(bytes);
        pcm = new Int16Array(copy.buffer, 0, copy.byteLength >> 1);
        if (this.audio.size >= this.maxEntries) this.audio.delete(this.audio.keys().next().value as string);
        this.audio.set(key, pcm);
      }
      found.set(id, pcm);
    }
    return found;
  }
}

/**
 * The media plan of one attempt, or null when its campaign keeps media peer to peer (no answer
 * detection, agent first: today's flow). A contact-first attempt (`contactFirst`) is always
 * anchored — for the abandon prompt even without answer detection, whose absence makes the
 * answer itself count as a person. The thresholds were validated when the campaign was written.
 */
export async function attemptMediaFor(
  db: Executor,
  cache: PromptAudioCache,
  tenantId: string,
  campaign: Partial<DialingSettings> | null | undefined,
  contactFirst = false,
): Promise<AttemptMedia | null> {
  if (!campaign) return null;
  const settings = dialingSettingsOf(campaign);
  const { enabled, machineAction, silenceAction, ...thresholds } = settings.answerDetection;
  if (!enabled && !contactFirst) return null;
  const ids = [settings.abandonPromptId, settings.machinePromptId].filter((id): id is string => !!id);
  const prompts = await cache.load(db, tenantId, ids);
  return {
    anchor: enabled ? { answerDetection: thresholds } : {},
    actions: { machineAction, silenceAction },
    abandonPrompt: settings.abandonPromptId ? (prompts.get(settings.abandonPromptId) ?? null) : null,
    machinePrompt: settings.machinePromptId ? (prompts.get(settings.machinePromptId) ?? null) : null,
    beepTimeoutMs: thresholds.beepTimeoutMs,
  };
}
