import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** True when `command` runs (it exists on PATH), whatever it exits with. */
export function commandAvailable(command: string, args: readonly string[] = ['-v']): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
}

/** True on a CI run (`CI=true`, as GitHub Actions, GitLab and .ci/run set it; `1` too). */
export function onCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * The `skip` option for tests that need an external tool: `false` when it is installed, else a
 * message naming the Debian package. Locally the tests are skipped with that message; on CI a
 * missing tool is a failure, never a silent skip: a failing test saying what is missing is
 * registered in the calling file, and the tests that need the tool are skipped next to it.
 */
export function skipWithout(
  command: string,
  debianPackage: string,
  args: readonly string[] = ['-v'],
): false | string {
  if (commandAvailable(command, args)) return false;
  const message = `${command} is not installed (Debian package ${debianPackage}: apt-get install -y ${debianPackage})`;
  if (onCi()) {
    test(`${command} is installed (required on CI)`, () => {
      assert.fail(`${message}; .ci/run installs it before the tests, so this CI image could not.`);
    });
  }
  return message;
}
