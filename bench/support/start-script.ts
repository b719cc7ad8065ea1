import { readFileSync } from 'node:fs';

/** `npm start`'s script, as package.json has it. */
export function startScript(): string {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  return scripts.start;
}

/**
 * How `npm start` runs the node, read from package.json's start script (`… && VAR=value … exec
 * node --flag … dist/main.js`): its environment assignments and its Node/V8 flags. The measured
 * servers run with them, so a figure is the shipped configuration's: the start script's
 * `--max-semi-space-size` alone moved sip_cps_ratio_pg by ~9 % (2 MB: 0.114–0.120 against
 * 0.125–0.132 at V8's default).
 */
export function startScriptNode(): { env: Record<string, string>; flags: string[] } {
  const script = startScript();
  const command = script.split('&&').at(-1)?.trim().split(/\s+/) ?? [];
  const env: Record<string, string> = {};
  const flags: string[] = [];
  let i = 0;
  for (; i < command.length && /^[A-Z_][A-Z0-9_]*=/.test(command[i] as string); i++) {
    const [name, ...value] = (command[i] as string).split('=');
    env[name as string] = value.join('=');
  }
  if (command[i] === 'exec') i++;
  if (command[i] !== 'node')
    throw new Error(`package.json's start script does not end in a node command: ${script}`);
  for (i++; i < command.length && (command[i] as string).startsWith('--'); i++)
    flags.push(command[i] as string);
  return { env, flags };
}
