/**
 * An axe-core audit of the page as it stands (WCAG 2.1 A and AA rules, which RGAA 4.1 maps onto).
 * The script is evaluated through the DevTools protocol, so the apps' Content-Security-Policy,
 * which rightly refuses injected scripts, does not have to be loosened for the test.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

export interface AxeFinding {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/** Every serious or critical violation on the page, as `rule: help [selectors]` lines. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: Document,
            options: object,
          ) => Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => BLOCKING.has(v.impact));
}

/** Fails the test with a readable list when the screen has any serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const found = await axeViolations(page);
  const lines = found.map((v) => `${v.impact} ${v.id}: ${v.help} [${v.targets.slice(0, 5).join(', ')}]`);
  if (lines.length > 0)
    throw new Error(
      `axe-core on "${screen}" found ${lines.length} serious or critical violation(s):\n${lines.join('\n')}`,
    );
}
