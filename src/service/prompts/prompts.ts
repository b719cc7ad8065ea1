import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { ANALYSIS_SAMPLE_RATE } from '../../media/pcm-frame.ts';
import { resample } from '../../media/resample.ts';
import { WavFormatError } from '../../media/wav-format-error.ts';
import { readWav } from '../../media/wav-reader.ts';
import { writeWav } from '../../media/wav-writer.ts';
import type { Db } from '../../store/database.ts';
import { campaignsUsingPrompt, lockPromptForDelete } from '../../store/prompts/prompt-references.ts';
import {
  deletePrompt,
  findPrompt,
  findPromptAudio,
  listPrompts,
  type PromptRow,
  upsertPrompt,
} from '../../store/prompts/prompts.ts';

/** Prompts shorter than this are refused: nobody hears 100 ms of audio as a message. */
const MIN_DURATION_MS = 100;

/** What an upload held, as the prompt records it. */
export interface PromptSource {
  encoding: 'pcm16' | 'mulaw' | 'alaw';
  sampleRate: number;
  bytes: number;
}

/**
 * Stores a prompt from a WAV upload: decoded and resampled to 8 kHz once, here, so that a call
 * only ever copies frames. The same file sent again changes nothing (`changed` false). A file
 * pconn cannot play is 422 `unsupported_audio` naming what was found.
 */
export async function putPrompt(
  db: Db,
  ctx: RequestContext,
  id: string,
  file: Uint8Array,
  options: { name?: string | null; maxBytes: number },
): Promise<{ prompt: PromptRow; created: boolean; changed: boolean }> {
  const sha256 = createHash('sha256').update(file).digest('hex');
  const name = options.name ?? null;
  const existing = await findPrompt(db, ctx.tenant.id, id);
  if (existing && existing.sourceSha256 === sha256 && existing.name === name)
    return { prompt: existing, created: false, changed: false };
  const { samples, source } = decodePrompt(file, options.maxBytes);
  const prompt = await upsertPrompt(
    db,
    {
      tenantId: ctx.tenant.id,
      id,
      name,
      audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
      durationMs: Math.round((samples.length * 1000) / ANALYSIS_SAMPLE_RATE),
      source: { ...source },
      sourceSha256: sha256,
    },
    ctx.now,
  );
  return { prompt, created: !existing, changed: true };
}

/** The upload as 8 kHz 16-bit samples (little-endian in memory, as stored), or a 422. */
function decodePrompt(file: Uint8Array, maxBytes: number): { samples: Int16Array; source: PromptSource } {
  let wav: ReturnType<typeof readWav>;
  try {
    wav = readWav(file, { maxBytes });
  } catch (error) {
    if (!(error instanceof WavFormatError)) throw error;
    throw new PolicyRefusalError('unsupported_audio', `${error.message}.`.replace(/\.\.$/, '.'), {
      extensions: {
        reason: error.reason,
        ...(error.formatTag !== undefined ? { formatTag: error.formatTag } : {}),
      },
    });
  }
  const samples = resample(wav.samples, wav.sampleRate, ANALYSIS_SAMPLE_RATE);
  if ((samples.length * 1000) / ANALYSIS_SAMPLE_RATE < MIN_DURATION_MS)
    throw new PolicyRefusalError(
      'unsupported_audio',
      `The file holds ${Math.round((wav.samples.length * 1000) / wav.sampleRate)} ms of audio; a prompt needs at least ${MIN_DURATION_MS} ms.`,
      { extensions: { reason: 'too_short' } },
    );
  return { samples, source: { encoding: wav.encoding, sampleRate: wav.sampleRate, bytes: file.length } };
}

/** A prompt's description; 404 when it does not exist. */
export async function getPrompt(db: Db, ctx: RequestContext, id: string): Promise<PromptRow> {
  const prompt = await findPrompt(db, ctx.tenant.id, id);
  if (!prompt) throw new NotFoundError('prompt', id);
  return prompt;
}

/** A prompt's audio as pconn plays it, as a WAV file (8 kHz 16-bit mono); 404 when it does not exist. */
export async function getPromptWav(db: Db, ctx: RequestContext, id: string): Promise<Uint8Array> {
  const audio = await findPromptAudio(db, ctx.tenant.id, id);
  if (!audio) throw new NotFoundError('prompt', id);
  // bytea arrives as a Buffer that may share a pool at any offset: copy into an aligned array.
  const copy = new Uint8Array(audio.byteLength);
  copy.set(audio);
  return writeWav(new Int16Array(copy.buffer, 0, copy.byteLength >> 1), ANALYSIS_SAMPLE_RATE, 'pcm16');
}

/** A page of prompts in id order. */
export function listTenantPrompts(
  db: Db,
  ctx: RequestContext,
  page: { limit: number; afterId?: string },
): Promise<PromptRow[]> {
  return listPrompts(db, ctx.tenant.id, page);
}

/**
 * Deletes a prompt; 404 when it does not exist, 409 `prompt_in_use` naming the campaigns that
 * would be left without their abandon or machine message (a predictive campaign without its
 * abandon message breaks the law it dials under). The prompt is locked first, so a campaign
 * naming it concurrently either commits before (and is found) or finds it gone.
 */
export async function removePrompt(db: Db, ctx: RequestContext, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await lockPromptForDelete(tx, ctx.tenant.id, id))) throw new NotFoundError('prompt', id);
    const campaignIds = await campaignsUsingPrompt(tx, ctx.tenant.id, id);
    if (campaignIds.length > 0)
      throw new ConflictError(
        'prompt_in_use',
        `Prompt '${id}' is named by ${campaignIds.length === 1 ? 'campaign' : 'campaigns'} ${campaignIds.map((c) => `'${c}'`).join(', ')}; point ${campaignIds.length === 1 ? 'it' : 'them'} at another prompt first.`,
        { extensions: { campaignIds } },
      );
    await deletePrompt(tx, ctx.tenant.id, id);
  });
}
