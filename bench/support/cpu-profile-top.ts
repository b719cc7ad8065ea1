/**
 * `node --import tsx bench/support/cpu-profile-top.ts <file.cpuprofile> [lastSeconds] [top]`:
 * the functions with the most self time in a V8 CPU profile (BENCH_CPU_PROF writes them), and
 * the same time summed per package, restricted to the profile's last `lastSeconds` (the load
 * window, without the seeding before it). Per request figures need the request count: divide.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, lastSecondsArg, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-top.ts <file.cpuprofile> [lastSeconds] [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const from = profile.endTime - Number(lastSecondsArg ?? 1e9) * 1e6;

const selfByFunction = new Map<string, number>();
const selfByPackage = new Map<string, number>();
let at = profile.startTime;
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < from) return;
  const frame = byId.get(id)?.callFrame;
  if (!frame) return;
  const where = frame.url
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
  const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  const pkg = frame.url.includes('node_modules/')
    ? (frame.url.split('node_modules/').pop() ?? '')
        .split('/')
        .slice(0, 2)
        .join('/')
        .replace(/\/[^@].*$/, '')
    : frame.url.startsWith('file://')
      ? frame.url.replace(/^file:\/\/.*?\/(src\/[^/]+\/?[^/]*)\/?.*$/, '$1')
      : frame.url || frame.functionName;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + delta);
  selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + delta);
  total += delta;
});

const top = Number(topArg ?? 40);
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${(us / 1e3).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`,
    );
};
show('self time by function', selfByFunction);
show('self time by package or file', selfByPackage);
