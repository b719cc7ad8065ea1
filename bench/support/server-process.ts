import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startScriptNode } from './start-script.ts';

/** A bench server running in a child process, talking over IPC. */
export interface ServerProcess<Ready> {
  ready: Ready;
  /** The server's process id (a cgroup or an RSS reading needs it). */
  pid: number;
  /** Messages after `ready` (e.g. dial reports). */
  onMessage(listener: (message: Record<string, unknown>) => void): void;
  /** The next message of `type` only. */
  onceMessage(type: string, listener: (message: Record<string, unknown>) => void): void;
  /** Sends the server a message. */
  send(message: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/**
 * Starts `bench/servers/<name>.ts` in its own Node process (its own event loop and, on two
 * cores, its own core) and waits for its `{type: 'ready'}` message.
 */
export async function startServerProcess<Ready>(
  name: string,
  env: Record<string, string> = {},
): Promise<ServerProcess<Ready>> {
  // As `npm start` runs the node: its flags (the V8 heap's sizing) and malloc settings.
  const start = startScriptNode();
  const child: ChildProcess = fork(fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url)), [], {
    execArgv: [
      '--import',
      'tsx',
      ...start.flags,
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      // V8 flags to try on the measured node (e.g. `--single-threaded-gc`), space-separated.
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    env: { ...process.env, ...start.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listeners: Array<(message: Record<string, unknown>) => void> = [];
  const once = new Map<string, Array<(message: Record<string, unknown>) => void>>();
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server ${name} exited with ${code}`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'ready') resolve(message as Ready);
      else {
        for (const listener of listeners) listener(message);
        const waiting = once.get(String(message.type));
        if (waiting?.length) waiting.shift()?.(message);
      }
    });
  });
  return {
    ready,
    pid: child.pid as number,
    onMessage: (listener) => listeners.push(listener),
    onceMessage: (type, listener) => once.set(type, [...(once.get(type) ?? []), listener]),
    send: (message) => child.send(message),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
