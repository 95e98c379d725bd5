/**
 * Debian's Chromium driven by playwright-core (`npx playwright install` cannot work offline).
 * Where /usr/bin/chromium is absent the browser tests skip with a note, except in CI, where
 * .ci/run installs it and a missing browser is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const screenshotDir = path.resolve(__dirname, '../../../test-output/screenshots');

if (!chromiumAvailable) {
  const note = `browser tests: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${note}; in CI the browser tests must run.`);
  console.warn(`${note}; SKIPPING the browser tests.`);
}

/** A fresh browser profile per call, so each context is a separate device. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'opendescent-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
