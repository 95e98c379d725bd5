/**
 * An accessibility sweep of the admin console (RGAA 4.1 / WCAG 2.1 AA): each screen, put in its
 * state once per language, is audited by axe-core (support/axe.ts) at a desktop and a phone width
 * (and once more in dark mode, whose colours are the console's other palette), and its <title>
 * must be the one expected in that language (WCAG 2.4.2). Findings are collected rather than
 * thrown at the first, so one run names every screen that fails.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './axe';
import { waitFor } from './admin-console';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
/** A desktop and a phone (the narrowest width WCAG 1.4.10 reflow asks for is 320 CSS px). */
export const WIDTHS = [1280, 375] as const;

/** The document title a screen must have, per language. */
export type Titles = Record<Locale, string>;

export class AccessibilitySweep {
  /** One line per finding: screen, language, width, rule, help and where. */
  readonly findings: string[] = [];
  /** How many (screen, language, width) audits ran. */
  audits = 0;

  constructor(
    private readonly page: Page,
    private readonly context: BrowserContext,
    private readonly adminUrl: () => string,
  ) {}

  /** Chooses the console's language the way its language switch does (the `od_lang` cookie). */
  async useLocale(locale: Locale): Promise<void> {
    await this.context.addCookies([{ name: 'od_lang', value: locale, url: this.adminUrl() }]);
  }

  /**
   * Audits one screen: for each language, `prepare` loads the page and puts it in the state to
   * check (a confirmation open, a code just made), then axe-core runs at each width.
   */
  async screen(name: string, titles: Titles, prepare: (locale: Locale) => Promise<void>): Promise<void> {
    try {
      await this.screenInEachLocale(name, titles, prepare);
    } finally {
      // The next step, and the helpers that find controls by their English names, expect English.
      await this.page.emulateMedia({ colorScheme: 'light' });
      await this.page.setViewportSize({ width: WIDTHS[0], height: 900 });
      await this.useLocale('en');
    }
  }

  private async screenInEachLocale(
    name: string,
    titles: Titles,
    prepare: (locale: Locale) => Promise<void>,
  ): Promise<void> {
    for (const locale of LOCALES) {
      await this.page.setViewportSize({ width: WIDTHS[0], height: 900 });
      await this.useLocale(locale);
      await prepare(locale);
      const title = await this.settledTitle(titles[locale]);
      if (title !== titles[locale])
        this.findings.push(`${name} [${locale}] title is "${title}", expected "${titles[locale]}"`);
      for (const width of WIDTHS) {
        await this.page.setViewportSize({ width, height: 900 });
        await this.audit(`${name} [${locale}, ${width} px]`, titles[locale]);
      }
      // Colours do not depend on the language: dark mode once, in English, at the phone width.
      if (locale === 'en') {
        await this.page.emulateMedia({ colorScheme: 'dark' });
        await this.audit(`${name} [${locale}, ${WIDTHS[1]} px, dark]`, titles[locale]);
        await this.page.emulateMedia({ colorScheme: 'light' });
      }
    }
  }

  /**
   * One axe-core run, on the page once its title is back: a refresh started by the action just
   * taken (router.refresh) takes the <title> away until its metadata arrives, which on a loaded
   * machine can outlast several audits. A title that never comes back is still reported, by axe
   * (document-title) and by the title check.
   */
  private async audit(where: string, expectedTitle: string): Promise<void> {
    await this.settledTitle(expectedTitle);
    this.audits += 1;
    let violations = await axeViolations(this.page);
    // The refresh may also start between the title check and the audit (CI, stop 22). A missing
    // title is taken as that only if the title comes back: the audit then runs once more, and
    // whatever that run finds is reported.
    if (
      violations.some((v) => v.id === 'document-title') &&
      (await this.settledTitle(expectedTitle, 15_000)) === expectedTitle
    )
      violations = await axeViolations(this.page);
    for (const v of violations)
      this.findings.push(`${where} ${v.impact} ${v.id}: ${v.help} [${v.targets.slice(0, 5).join(', ')}]`);
  }

  /** The title once it is the expected one, or whatever it is after a few seconds (metadata may stream in). */
  private async settledTitle(expected: string, withinMs = 5_000): Promise<string> {
    return waitFor(
      'the page title',
      async () => ((await this.page.title()) === expected ? expected : undefined),
      withinMs,
    ).catch(() => this.page.title());
  }

  /** Fails with every finding so far, then starts afresh. */
  expectClean(): void {
    const found = this.findings.splice(0);
    if (found.length > 0) throw new Error(`${found.length} accessibility finding(s):\n${found.join('\n')}`);
  }
}
