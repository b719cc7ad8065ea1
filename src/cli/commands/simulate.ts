import type { Command } from 'commander';
import { DIALING_MODES, type DialingMode } from '../../domain/pacing/pacing-controller.ts';
import { runSimulation } from '../../domain/pacing/simulator/simulate.ts';
import type { SimulationOptions } from '../../domain/pacing/simulator/simulation-options.ts';
import { EXIT, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/*
 * `pconn simulate`: the call-centre simulator (docs/dialing-modes.md). Local and offline: it runs
 * the real pacing controller and agent state machine on a virtual clock, so it needs no server,
 * and the same flags and seed always print the same figures. The defaults are the population of
 * the pacing_occupancy bench line.
 */

interface SimulateFlags {
  mode: string;
  agents: string;
  hours: string;
  answerRate: string;
  machineRate: string;
  ringSeconds: string;
  talkMean: string;
  talkSigma: string;
  wrapSeconds: string;
  abandonTarget: string;
  linesPerAgent: string;
  trunkLines?: string;
  previewSeconds: string;
  jurisdiction: string;
  seed: string;
  json?: boolean;
}

function number(flag: string, text: string, min: number, max: number, integer = false): number {
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    throw new UsageError(`--${flag} must be ${kind} from ${min} to ${max}, not '${text}'.`);
  }
  return value;
}

/** The simulation the flags ask for; a UsageError (exit 2) names the first bad flag. */
export function simulationFromFlags(flags: SimulateFlags): SimulationOptions {
  if (!(DIALING_MODES as readonly string[]).includes(flags.mode)) {
    throw new UsageError(`--mode must be one of ${DIALING_MODES.join(', ')}, not '${flags.mode}'.`);
  }
  if (flags.jurisdiction !== 'us_fcc' && flags.jurisdiction !== 'uk_ofcom') {
    throw new UsageError(`--jurisdiction must be us_fcc or uk_ofcom, not '${flags.jurisdiction}'.`);
  }
  const ring = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(flags.ringSeconds);
  const ringMin = Number(ring?.[1]);
  const ringMax = Number(ring?.[2]);
  if (!ring || ringMin > ringMax || ringMax > 300) {
    throw new UsageError(
      `--ring-seconds must be MIN-MAX seconds (e.g. 5-30, at most 300), not '${flags.ringSeconds}'.`,
    );
  }
  const answerRate = number('answer-rate', flags.answerRate, 0, 1);
  const machineRate = number('machine-rate', flags.machineRate, 0, 1);
  if (answerRate + machineRate > 1) {
    throw new UsageError('--answer-rate and --machine-rate add up to more than 1.');
  }
  return {
    mode: flags.mode as DialingMode,
    agents: number('agents', flags.agents, 1, 2000, true),
    hours: number('hours', flags.hours, 0.01, 744),
    answerRate,
    machineRate,
    ringMinSeconds: ringMin,
    ringMaxSeconds: ringMax,
    talkMeanSeconds: number('talk-mean', flags.talkMean, 1, 36_000),
    talkSigma: number('talk-sigma', flags.talkSigma, 0, 3),
    wrapSeconds: number('wrap-seconds', flags.wrapSeconds, 0, 3600),
    abandonTarget: number('abandon-target', flags.abandonTarget, 0.001, 1),
    linesPerAgent: number('lines-per-agent', flags.linesPerAgent, 1, 20),
    trunkLines:
      flags.trunkLines === undefined
        ? undefined
        : number('trunk-lines', flags.trunkLines, 1, 1_000_000, true),
    previewSeconds: number('preview-seconds', flags.previewSeconds, 0, 3600),
    jurisdiction: flags.jurisdiction,
    seed: number('seed', flags.seed, 0, 2 ** 32 - 1, true),
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)} %`;
}

/** Registers `pconn simulate`. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'simulate a campaign on a virtual clock with the real pacing controller (offline, deterministic for a seed)',
    )
    .option('--mode <mode>', `dialing mode: ${DIALING_MODES.join(', ')}`, 'predictive')
    .option('--agents <n>', 'agents logged in the whole time', '50')
    .option('--hours <h>', 'length of the shift', '8')
    .option('--answer-rate <p>', 'share of dials a person answers', '0.25')
    .option('--machine-rate <p>', 'share of dials a machine answers', '0.1')
    .option('--ring-seconds <min-max>', 'answered dials ring uniformly this long', '5-30')
    .option('--talk-mean <s>', 'mean talk time, seconds (lognormal)', '120')
    .option('--talk-sigma <s>', 'sigma of ln(talk time)', '0.6')
    .option('--wrap-seconds <s>', 'wrap-up time, seconds', '10')
    .option('--abandon-target <p>', "abandon-rate target (at most the jurisdiction's cap)", '0.03')
    .option('--lines-per-agent <n>', 'most ringing dials per agent (predictive)', '3')
    .option('--trunk-lines <n>', 'lines of the trunk (ringing and connected calls); default unlimited')
    .option('--preview-seconds <s>', 'preview: seconds an agent reads an offer before accepting', '10')
    .option('--jurisdiction <j>', 'abandonment rules: us_fcc or uk_ofcom', 'us_fcc')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print one JSON object')
    .action((flags: SimulateFlags) =>
      run(flags, async () => {
        const { summary } = runSimulation(simulationFromFlags(flags));
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return EXIT.ok;
        }
        process.stdout.write(
          [
            `${summary.mode}: ${summary.agents} agents, ${summary.hours} h`,
            `  occupancy               ${summary.occupancy.toFixed(3)}`,
            `  abandon rate            ${percent(summary.abandonRate)}`,
            `  worst hour abandon rate ${percent(summary.maxHourlyAbandonRate)}`,
            `  live answers            ${summary.liveAnswers}`,
            `  abandoned               ${summary.abandoned}`,
            `  dials                   ${summary.dials}`,
            '',
          ].join('\n'),
        );
        return EXIT.ok;
      }),
    );
}
