import type { CampaignInput } from '../../contract/campaigns.ts';
import {
  ABANDON_MESSAGE_REQUIRED,
  abandonmentRulesFor,
  type CampaignJurisdiction,
  DEFAULT_JURISDICTION,
} from '../../domain/pacing/campaign-jurisdiction.ts';
import type { FieldError } from '../../domain/pconn-error.ts';
import { PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  type AnswerDetectionSettings,
  DEFAULT_ANSWER_DETECTION,
  resolveAnswerDetectionSettings,
} from '../../media/answer-detection-settings.ts';
import type { Executor } from '../../store/database.ts';
import { lockExistingPrompts } from '../../store/prompts/prompt-references.ts';
import { FieldErrors } from '../field-errors.ts';

/*
 * A campaign's dialing and media settings (issues 16 and 17): the mode, pacing, jurisdiction,
 * wrap-up, answer detection and the prompts. Defaults are applied here, once, so every stored
 * campaign carries every setting; migration 0016 gave the campaigns written before them the same
 * defaults, and dialingSettingsOf fills any gap for readers that want certainty.
 */

/** How a campaign dials. `manual` is the historical name kept for compatibility. */
export type DialingMode = 'manual' | 'preview' | 'progressive' | 'predictive';
/** What happens when answer detection hears a machine. */
export type MachineAction = 'hangup' | 'leave_message' | 'connect';
/** What happens when nobody speaks after answering. */
export type SilenceAction = 'connect' | 'hangup';

/** Answer detection as a campaign stores it: on/off, the machine action and every threshold. */
export interface CampaignAnswerDetection extends AnswerDetectionSettings {
  enabled: boolean;
  machineAction: MachineAction;
  silenceAction: SilenceAction;
}

/** The dialing settings of a stored campaign, every one present. */
export interface DialingSettings {
  dialingMode: DialingMode;
  /** progressive: the agent is rung first (today's flow) or the contact first, agent reserved. */
  agentFirst: boolean;
  pacing: { abandonRateTarget: number; maxLinesPerAgent: number };
  jurisdiction: CampaignJurisdiction;
  wrapUpSeconds: number;
  answerDetection: CampaignAnswerDetection;
  abandonPromptId: string | null;
  machinePromptId: string | null;
}

/** The mode of a campaign that names none (the mode pconn has always dialled: agent first). */
export const DEFAULT_DIALING_MODE: DialingMode = 'progressive';
/** Pacing defaults: the 3 % every known rule allows, three lines per agent. */
export const DEFAULT_PACING: Readonly<DialingSettings['pacing']> = Object.freeze({
  abandonRateTarget: 0.03,
  maxLinesPerAgent: 3,
});
/** Wrap-up after a call before the agent is available again. */
export const DEFAULT_WRAP_UP_SECONDS = 10;

/** Every setting at its default. */
export function defaultDialingSettings(): DialingSettings {
  return {
    dialingMode: DEFAULT_DIALING_MODE,
    agentFirst: true,
    pacing: { ...DEFAULT_PACING },
    jurisdiction: DEFAULT_JURISDICTION,
    wrapUpSeconds: DEFAULT_WRAP_UP_SECONDS,
    answerDetection: {
      enabled: false,
      machineAction: 'hangup',
      silenceAction: 'connect',
      ...DEFAULT_ANSWER_DETECTION,
    },
    abandonPromptId: null,
    machinePromptId: null,
  };
}

/**
 * The settings of a stored campaign document with defaults for anything it lacks: what the
 * dialer should read instead of the raw document.
 */
export function dialingSettingsOf(stored: Partial<DialingSettings>): DialingSettings {
  const defaults = defaultDialingSettings();
  return {
    dialingMode: stored.dialingMode ?? defaults.dialingMode,
    agentFirst: stored.agentFirst ?? defaults.agentFirst,
    pacing: { ...defaults.pacing, ...stored.pacing },
    jurisdiction: stored.jurisdiction ?? defaults.jurisdiction,
    wrapUpSeconds: stored.wrapUpSeconds ?? defaults.wrapUpSeconds,
    answerDetection: { ...defaults.answerDetection, ...stored.answerDetection },
    abandonPromptId: stored.abandonPromptId ?? null,
    machinePromptId: stored.machinePromptId ?? null,
  };
}

/**
 * The settings a campaign input asks for, defaults applied. Bounds are the schema's (400); the
 * one rule between thresholds (total analysis longer than the after-greeting silence) is checked
 * here, also as a 400 at its pointer.
 */
export function dialingSettingsFrom(input: CampaignInput): DialingSettings {
  const defaults = defaultDialingSettings();
  const { enabled, machineAction, silenceAction, ...thresholds } = input.answerDetection ?? {};
  const resolved = resolveAnswerDetectionSettings(thresholds);
  if ('errors' in resolved) {
    const errors = new FieldErrors();
    for (const error of resolved.errors)
      errors.add(
        `/answerDetection/${error.setting}`,
        'too_small',
        `${error.detail} (got ${JSON.stringify(error.value)}).`,
        error.setting === 'totalAnalysisMs'
          ? `Raise answerDetection.totalAnalysisMs above afterGreetingSilenceMs (${resolvedAfterGreeting(thresholds)} ms).`
          : undefined,
      );
    errors.throwIfAny('The answer detection settings contradict each other.');
  }
  const settings = 'settings' in resolved ? resolved.settings : DEFAULT_ANSWER_DETECTION;
  return {
    dialingMode: (input.dialingMode as DialingMode | undefined) ?? defaults.dialingMode,
    agentFirst: input.agentFirst ?? defaults.agentFirst,
    pacing: {
      abandonRateTarget: input.pacing?.abandonRateTarget ?? defaults.pacing.abandonRateTarget,
      maxLinesPerAgent: input.pacing?.maxLinesPerAgent ?? defaults.pacing.maxLinesPerAgent,
    },
    jurisdiction: (input.jurisdiction as CampaignJurisdiction | undefined) ?? defaults.jurisdiction,
    wrapUpSeconds: input.wrapUpSeconds ?? defaults.wrapUpSeconds,
    answerDetection: {
      enabled: enabled ?? defaults.answerDetection.enabled,
      machineAction: (machineAction as MachineAction | undefined) ?? defaults.answerDetection.machineAction,
      silenceAction: (silenceAction as SilenceAction | undefined) ?? defaults.answerDetection.silenceAction,
      ...settings,
    },
    abandonPromptId: input.abandonPromptId ?? null,
    machinePromptId: input.machinePromptId ?? null,
  };
}

function resolvedAfterGreeting(thresholds: Partial<AnswerDetectionSettings>): number {
  return thresholds.afterGreetingSilenceMs ?? DEFAULT_ANSWER_DETECTION.afterGreetingSilenceMs;
}

/**
 * The rules between settings and the prompts they name (stage "body references", 422), every
 * problem at once: prompts that do not exist in the tenant (`prompt_not_found`), a pacing target
 * above the jurisdiction's cap (`abandon_rate_above_cap`), a predictive campaign without the
 * abandon message its jurisdiction requires and a leave_message action without a message
 * (`prompt_required`). The prompts named stay share-locked until the write commits.
 */
export async function checkDialingSettings(
  db: Executor,
  ctx: RequestContext,
  settings: DialingSettings,
): Promise<void> {
  const problems: FieldError[] = [];
  const named = [settings.abandonPromptId, settings.machinePromptId].filter(
    (id): id is string => id !== null,
  );
  // (the sandbox demo is written at bootstrap without a request: it names no prompt)
  const existing =
    named.length > 0 ? await lockExistingPrompts(db, ctx.tenant.id, [...new Set(named)]) : new Set();
  for (const field of ['abandonPromptId', 'machinePromptId'] as const) {
    const id = settings[field];
    if (id !== null && !existing.has(id))
      problems.push({
        pointer: `/${field}`,
        code: 'prompt_not_found',
        detail: `No prompt with id '${id}' exists in this tenant.`,
        hint: `Upload it first (PUT /v1/prompts/${id} with the WAV file), or name one GET /v1/prompts lists.`,
      });
  }
  const rules = abandonmentRulesFor(settings.jurisdiction);
  if (rules && settings.pacing.abandonRateTarget > rules.maxAbandonRate)
    problems.push({
      pointer: '/pacing/abandonRateTarget',
      code: 'abandon_rate_above_cap',
      detail: `pacing.abandonRateTarget ${settings.pacing.abandonRateTarget} is above the ${settings.jurisdiction} cap of ${rules.maxAbandonRate}.`,
      hint: `Use a target of at most ${rules.maxAbandonRate}, or omit it for ${DEFAULT_PACING.abandonRateTarget}.`,
    });
  if (
    settings.dialingMode === 'predictive' &&
    ABANDON_MESSAGE_REQUIRED[settings.jurisdiction] &&
    settings.abandonPromptId === null
  )
    problems.push({
      pointer: '/abandonPromptId',
      code: 'prompt_required',
      detail: `A predictive campaign under ${settings.jurisdiction} must play a message (the caller's identity and a call-back number) to a contact it cannot connect within 2 s.`,
      hint: 'Upload the message (PUT /v1/prompts/{id}) and name it in abandonPromptId, or dial progressive.',
    });
  if (settings.answerDetection.machineAction === 'leave_message' && settings.machinePromptId === null)
    problems.push({
      pointer: '/machinePromptId',
      code: 'prompt_required',
      detail: 'answerDetection.machineAction leave_message needs the message to leave: machinePromptId.',
      hint: 'Upload the message (PUT /v1/prompts/{id}) and name it in machinePromptId, or use machineAction hangup.',
    });
  const first = problems[0];
  if (!first) return;
  throw new PolicyRefusalError(
    first.code as 'prompt_not_found',
    problems.length === 1
      ? first.detail
      : `The campaign's dialing settings have ${problems.length} problems; see errors[].`,
    { errors: problems },
  );
}
