/**
 * One web-client screen under axe-core in both languages at both widths (web-a11y.e2e.ts,
 * web-link.e2e.ts): its audit, that nothing spills sideways, its title when one is expected, and a
 * screenshot for each of the four combinations.
 */
import type { Page } from 'playwright-core';
import { expectAccessible } from './axe';
import { screenshot, setLanguage } from './browser';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const WIDTHS = [1280, 375] as const;
export type Width = (typeof WIDTHS)[number];

export const setWidth = (page: Page, width: Width) =>
  page.setViewportSize({ width, height: width === 375 ? 740 : 800 });

/** Nothing spills sideways: not the page, and not a dialog, a card or a header (their content would stick out or be cut). */
export async function expectNoHorizontalOverflow(page: Page, where: string): Promise<void> {
  const overflowing = await page.evaluate(() =>
    [
      document.documentElement,
      ...Array.from(
        document.querySelectorAll<HTMLElement>(
          'dialog[open], .dialog-content, .safety-card, .gate-card, .sidebar-header, .conversation-header, .bubble',
        ),
      ),
    ]
      .filter((element) => element.scrollWidth > element.clientWidth + 1)
      .map((element) => element.className || element.tagName),
  );
  expect({ where, overflowing }).toEqual({ where, overflowing: [] });
}

/** Closes the open dialog as a keyboard user does, and waits until it is gone. */
export async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

export interface SweepSteps {
  /** Brings the screen up (after the language and width are set). */
  show?: () => Promise<void>;
  /** Back to where the language switcher is visible. */
  hide?: () => Promise<void>;
  /** The page title expected in each language. */
  title?: Readonly<Record<Language, string>>;
}

/**
 * A sweep for one test file: screenshots are named `${prefix}-${screen}-${language}-${width}`, and
 * every combination audited is added to `audited` (the file reports the count).
 */
export function screenSweeper(prefix: string, audited: string[]) {
  return async function sweep(page: Page, screen: string, steps: SweepSteps = {}): Promise<void> {
    for (const language of LANGUAGES) {
      for (const width of WIDTHS) {
        const where = `${screen} (${language}, ${width} px)`;
        await setWidth(page, width);
        await setLanguage(page, language);
        await steps.show?.();
        await expectAccessible(page, where);
        await expectNoHorizontalOverflow(page, where);
        if (steps.title) expect(await page.title()).toBe(steps.title[language]);
        await screenshot(page, `${prefix}-${screen}-${language}-${width}`);
        audited.push(where);
        await steps.hide?.();
      }
    }
    await setLanguage(page, 'en');
    await setWidth(page, 1280);
  };
}
