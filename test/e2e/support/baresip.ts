import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithout } from './required-tool.ts';

/** The `skip` option of tests that need Debian's `baresip` (see skipWithout: fails on CI). */
export function skipWithoutBaresip(): false | string {
  return skipWithout('baresip', 'baresip', ['-h']);
}

/** A headless baresip softphone, run by the test in a temporary config dir. */
export interface Baresip {
  /** Everything baresip printed so far (stdout and stderr): for assertion messages. */
  output(): string;
  /** Resolves with the exit code once baresip is gone. */
  exited: Promise<number | null>;
  /** Stops baresip (SIGTERM: it un-REGISTERs; SIGKILL after 2 s) and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startBaresip}. */
export interface BaresipOptions {
  /**
   * The accounts line as an agent would type it: `<sip:user@host:port>;auth_pass=…;…`
   * (baresip's own syntax, https://github.com/baresip/baresip/wiki/Accounts).
   */
  account: string;
}

// Modules of Debian's package (/usr/lib/baresip/modules) that a headless phone needs: G.711,
// a sine source instead of a microphone (it only runs at 48 kHz stereo, hence ausrc_*), aubridge
// as a sink instead of a sound card, and the accounts file; menu only prints registration and
// call events, which failure messages show (answermode=auto is handled by baresip itself).
const CONFIG = `poll_method epoll
sip_listen 127.0.0.1:0
module_path /usr/lib/baresip/modules
module g711.so
module ausine.so
module aubridge.so
audio_source ausine,440
ausrc_srate 48000
ausrc_channels 2
audio_player aubridge,nil
audio_alert aubridge,nil
module_app account.so
module_app menu.so
`;

/**
 * Starts `baresip -f <temp dir>` with only the files written here (config, accounts), as a
 * child process the test owns. Its SIP socket is an OS-chosen port on 127.0.0.1.
 */
export function startBaresip(options: BaresipOptions): Baresip {
  const dir = mkdtempSync(join(tmpdir(), 'pconn-baresip-'));
  writeFileSync(join(dir, 'config'), CONFIG);
  writeFileSync(join(dir, 'accounts'), `${options.account}\n`);
  const child: ChildProcess = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Colour escapes (ESC [ … m) off: the output goes into assertion messages.
  const colour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8').replace(colour, '');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
