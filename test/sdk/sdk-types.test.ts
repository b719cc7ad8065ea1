import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

async function typecheck(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '--noEmit', '-p', project], { cwd: ROOT });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  }
}

describe('SDK types follow the OpenAPI contract (TypeBox Static<>)', () => {
  test('the fixtures type-check: correct usage, and wrong fields flagged where expected', async () => {
    const result = await typecheck('test/sdk/fixtures/tsconfig.json');
    assert.equal(result.code, 0, result.output);
  });

  test('without the @ts-expect-error directives each wrong field is a type error', async () => {
    // Compiled outside the repository so `npx tsc --noEmit` of the project never sees it.
    const dir = mkdtempSync(join(tmpdir(), 'pconn-sdk-types-'));
    try {
      const source = readFileSync(join(FIXTURES, 'wrong-field.ts'), 'utf8')
        .split('\n')
        .filter((line) => !line.includes('@ts-expect-error'))
        .join('\n')
        .replace('../../../src/sdk/index.ts', join(ROOT, 'src/sdk/index.ts'));
      // .mts: an ES module without a package.json next to it.
      writeFileSync(join(dir, 'wrong-field.mts'), source);
      const config = JSON.parse(readFileSync(join(FIXTURES, 'tsconfig.json'), 'utf8'));
      config.compilerOptions.typeRoots = [join(ROOT, 'node_modules/@types')];
      config.files = ['wrong-field.mts'];
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
      const result = await typecheck(join(dir, 'tsconfig.json'));
      assert.notEqual(result.code, 0, 'tsc accepted fields the contract does not have');
      const lineOf = (marker: string) => source.split('\n').findIndex((l) => l.includes(marker)) + 2;
      assert.match(
        result.output,
        new RegExp(`wrong-field\\.mts\\(${lineOf('WRONG-1')},\\d+\\).*'phone' does not exist`),
      );
      assert.match(
        result.output,
        new RegExp(`wrong-field\\.mts\\(${lineOf('WRONG-2')},\\d+\\).*'status' does not exist`),
      );
      assert.match(
        result.output,
        new RegExp(`wrong-field\\.mts\\(${lineOf('WRONG-3')},\\d+\\).*'state' does not exist`),
      );
      assert.match(
        result.output,
        new RegExp(`wrong-field\\.mts\\(${lineOf('WRONG-4')},\\d+\\).*'campaignId' does not exist`),
      );
      assert.equal(result.output.match(/error TS/g)?.length, 4, result.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
