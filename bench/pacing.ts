/**
 * pacing_occupancy and pacing_small_team (shared/bench.md): `pconn simulate --json` on the
 * bench population, predictive beside progressive on the same population and seed. The
 * simulator runs the real pacing controller on a virtual clock, so the figures do not depend on
 * this machine's speed; only the run time printed beside them does.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PCONN = fileURLToPath(new URL('../bin/pconn.js', import.meta.url));
const POPULATION = [
  '--hours',
  '8',
  '--answer-rate',
  '0.25',
  '--machine-rate',
  '0.1',
  '--ring-seconds',
  '5-30',
  '--talk-mean',
  '120',
  '--wrap-seconds',
  '10',
  '--abandon-target',
  '0.03',
  '--seed',
  '1',
];

interface Summary {
  mode: string;
  occupancy: number;
  abandonRate: number;
  maxHourlyAbandonRate: number;
  liveAnswers: number;
  abandoned: number;
  dials: number;
}

function simulate(mode: string, agents: number): Promise<Summary & { seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PCONN, 'simulate', '--json', '--mode', mode, '--agents', String(agents), ...POPULATION],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`pconn simulate failed: ${stderr || error.message}`));
        resolve({ ...(JSON.parse(stdout) as Summary), seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}

const pct = (value: number) => `${(value * 100).toFixed(2)} %`;
const describe = (s: Summary & { seconds: number }) =>
  `${s.mode} occupancy ${s.occupancy.toFixed(3)}, abandoned ${s.abandoned}/${s.liveAnswers} live answers (${pct(s.abandonRate)}, worst hour ${pct(s.maxHourlyAbandonRate)}), ${s.dials} dials, ${s.seconds.toFixed(1)} s`;

/** pacing_occupancy: 50 agents, predictive occupancy beside progressive. */
export async function pacingOccupancy(): Promise<string> {
  const [predictive, progressive] = await Promise.all([
    simulate('predictive', 50),
    simulate('progressive', 50),
  ]);
  const ratio = predictive.occupancy / progressive.occupancy;
  const met =
    predictive.occupancy >= 0.8 && ratio >= 1.35 && predictive.maxHourlyAbandonRate <= 0.03
      ? 'met'
      : 'NOT met';
  return `pacing_occupancy: ${predictive.occupancy.toFixed(3)} (goal ≥ 0.80 and ≥ 1.35 × progressive, worst hour ≤ 3 %, ${met}; ${ratio.toFixed(2)} × progressive; ${describe(predictive)}; ${describe(progressive)}; 50 agents, 25 % live, 10 % machines, ring 5–30 s, talk mean 120 s, wrap 10 s, 8 h, seed 1)`;
}

/** pacing_small_team: the same population with 5 agents. */
export async function pacingSmallTeam(): Promise<string> {
  const [predictive, progressive] = await Promise.all([
    simulate('predictive', 5),
    simulate('progressive', 5),
  ]);
  const met = predictive.occupancy >= 0.55 && predictive.maxHourlyAbandonRate <= 0.03 ? 'met' : 'NOT met';
  return `pacing_small_team: ${predictive.occupancy.toFixed(3)} (goal ≥ 0.55, worst hour ≤ 3 %, ${met}; ${describe(predictive)}; ${describe(progressive)}; 5 agents, same population and seed)`;
}
