import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, .ci/run); `npx playwright install` cannot work here. */
export const CHROMIUM = '/usr/bin/chromium';
/** Exactly the flags issue 18 names: no sandbox (containers), no GPU, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Screenshots of every page at both widths (ignored by git). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));
/** The widths the console must work at: a laptop and a phone. */
export const WIDTHS = [1280, 390] as const;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Launches the one browser a test file uses; fails clearly when Chromium is missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** One serious or critical accessibility violation, as the failure message lists it. */
interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now and fails on serious or critical violations. axe is
 * evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not
 * govern, so the page keeps its real policy during the test.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // A string, not a function: the test files are typed for Node, without the DOM's globals.
  const violations = (await page.evaluate(`axe.run(document).then((result) =>
    result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`)) as Violation[];
  assert.deepEqual(
    violations,
    [],
    `${what}: axe found serious or critical violations:\n${JSON.stringify(violations, null, 2)}`,
  );
}

/** What waitForText waits for: the exact text, or its start. */
export type TextMatch = { equals: string } | { startsWith: string };

/** Just what the predicate below uses of the page's DOM (the test files are typed for Node). */
type PageGlobals = { document: { querySelector(selector: string): { textContent: string | null } | null } };

/**
 * Waits until the element `selector` shows a text. A function predicate, not a string: the
 * console's CSP (no unsafe-eval) refuses strings evaluated in the page.
 */
export async function waitForText(
  page: Page,
  selector: string,
  match: TextMatch,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    ({ selector, match }) => {
      const text = (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent ?? '';
      return 'equals' in match ? text === match.equals : text.startsWith(match.startsWith);
    },
    { selector, match },
    { timeout },
  );
}

/** Checks the page with axe, then saves a screenshot at each width (`<name>-<width>.png`). */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await assertAccessible(page, `${name} at ${width} px`);
    // "Works at 390 px": nothing makes the page wider than the screen (wide tables scroll inside).
    const pageWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(pageWidth <= width, `${name} at ${width} px is ${pageWidth} px wide`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(viewport);
}
