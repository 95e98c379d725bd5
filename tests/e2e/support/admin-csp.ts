/**
 * Counts Content-Security-Policy violations in a page, across its navigations: every
 * `securitypolicyviolation` event (reported to the test through a binding the page cannot
 * block) and every console message the browser writes about a refused script or style. Page
 * errors and React hydration errors are kept too: a refused script often surfaces as one.
 */
import type { Page } from 'playwright-core';

export interface CspWatch {
  /** One line per violation: the page, the directive and what was blocked. */
  readonly violations: string[];
  /** Uncaught errors in the page (a blocked script often shows up as one), and failed hydrations. */
  readonly pageErrors: string[];
}

export async function watchCsp(page: Page): Promise<CspWatch> {
  const watch: CspWatch = { violations: [], pageErrors: [] };
  await page.exposeBinding('__reportCspViolation', (_source, line: string) => {
    watch.violations.push(line);
  });
  // Runs before any script of each new document, outside the page's CSP (CDP injection).
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation: (line: string) => void }).__reportCspViolation;
      report(
        `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text()))
      watch.violations.push(`${page.url()}: console: ${message.text()}`);
    else if (message.type() === 'error' && /hydrat/i.test(message.text()))
      watch.pageErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watch.pageErrors.push(`${page.url()}: ${error.message}`));
  return watch;
}
