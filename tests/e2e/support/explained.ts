/**
 * What a failed browser test leaves behind: a screenshot and the visible text of each page, the
 * page errors seen, and the end of the system's log (its warnings first), added to the error so
 * that a CI log alone says what the screens showed.
 */
import type { Page } from 'playwright-core';
import { screenshot } from './browser';
import type { RunningSystem } from './system';

export interface FailureContext {
  /** Screenshots are named `${prefix}-failure-${page name}`. */
  readonly prefix: string;
  readonly pages: () => Readonly<Record<string, Page | undefined>>;
  readonly system: () => RunningSystem | undefined;
  readonly problems: readonly string[];
}

export function failureExplainer(context: FailureContext) {
  return async function explained<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const texts: string[] = [];
      for (const [name, page] of Object.entries(context.pages())) {
        if (!page || page.isClosed()) continue;
        await screenshot(page, `${context.prefix}-failure-${name}`).catch(() => undefined);
        const text = await page
          .locator('body')
          .innerText()
          .catch(() => '(closed)');
        texts.push(`--- ${name}: ${text.slice(0, 500)}`);
      }
      const lines = (context.system()?.output() ?? '').split('\n');
      const warnings = lines.filter((line) => /"level":(40|50)/.test(line)).slice(-15);
      const log = [...warnings, '…', ...lines.slice(-10)].join('\n');
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${texts.join('\n')}\nproblems: ${JSON.stringify(context.problems.slice(-5))}\n--- log:\n${log}`,
      );
    }
  };
}
