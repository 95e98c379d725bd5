/**
 * Debian's Chromium driven by playwright-core (`npx playwright install` cannot work offline).
 * Where /usr/bin/chromium is absent the browser tests skip with a note, except in CI, where
 * .ci/run installs it and a missing browser is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const screenshotDir = path.resolve(__dirname, '../../../test-output/screenshots');

if (!chromiumAvailable) {
  const note = `browser tests: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${note}; in CI the browser tests must run.`);
  console.warn(`${note}; SKIPPING the browser tests.`);
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  /** The profile folder (`--user-data-dir`): what Chromium keeps on disk for this "device". */
  readonly profileDir: string;
  /**
   * Shuts Chromium down the way a person quitting it does, so it writes out its databases. The
   * profile is deleted unless `keepProfile` (the caller then reads it and calls `removeProfile`).
   */
  close(options?: { keepProfile?: boolean }): Promise<void>;
  removeProfile(): void;
}

/** The flags every Chromium of the tests runs with (the attachment bench's own launch adds its pipe's). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh browser profile per call, so each context is a separate device; `args` are added to CHROMIUM_ARGS. */
export async function launchBrowser(args: readonly string[] = []): Promise<LaunchedBrowser> {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
  });
  const removeProfile = () => rmSync(profileDir, { recursive: true, force: true });
  return {
    context,
    profileDir,
    close: async ({ keepProfile = false } = {}) => {
      await context.close();
      if (!keepProfile) removeProfile();
    },
    removeProfile,
  };
}

/** A full-page screenshot into test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** A first run of the web client: a passphrase for the vault, then the administrator's code. */
export async function enrolWebClient(
  page: Page,
  webUrl: string,
  staff: { passphrase: string; code: string; address: string },
): Promise<void> {
  await page.goto(webUrl);
  await page.getByTestId('passphrase-input').fill(staff.passphrase, { timeout: 60_000 });
  await page.getByTestId('passphrase-confirm').fill(staff.passphrase);
  await page.getByTestId('passphrase-submit').click();
  await page.getByTestId('enrol-code-input').fill(staff.code, { timeout: 60_000 });
  await page.getByTestId('enrol-submit').click();
  await page.getByTestId('device-address').filter({ hasText: staff.address }).waitFor({ timeout: 60_000 });
}

/** Opens the conversation whose list item shows `title` (a part of it is enough). */
export async function openConversation(page: Page, title: string): Promise<void> {
  const item = page.getByTestId('conversation-item').filter({ hasText: title });
  await item.first().click({ timeout: 30_000 });
  await page.getByTestId('conversation-title').filter({ hasText: title }).waitFor();
}

/** Types a message in the open conversation and sends it with Enter; resolves once it is on screen. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  await page.getByTestId('message').filter({ hasText: text }).first().waitFor();
}

/** At 375 px an open conversation covers the list (and its language switcher): "Back" to it. */
export async function showList(page: Page): Promise<void> {
  const back = page.getByRole('button', { name: /^(Back|Retour)$/ });
  if (await back.isVisible()) await back.click();
}

/** Switches the client's language with its own switcher (on every screen but an open conversation at 375 px). */
export async function setLanguage(page: Page, language: 'en' | 'fr'): Promise<void> {
  await showList(page);
  await page.getByTestId('language-select').selectOption(language);
  await page.locator(`html[lang="${language}"]`).waitFor({ state: 'attached' });
}

/*
 * Init scripts (page.addInitScript) that take away what the messenger needs, to reach the screens
 * a person sees in such a browser. They run in the page, before its own scripts.
 */

/** A browser without Web Locks: the "unsupported browser" screen. */
export function withoutWebLocks(): void {
  Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
}

/** The messenger's worker replaced: one that never answers ("Starting…"), or one whose script fails to load ("stopped"). */
export function withFakeWorker({ fails }: { fails: boolean }): void {
  const ignore = () => undefined;
  (window as unknown as { Worker: unknown }).Worker = class {
    addEventListener(type: string, listener: (event: Event) => void) {
      if (fails && type === 'error') setTimeout(() => listener(new Event('error')), 50);
    }
    removeEventListener = ignore;
    postMessage = ignore;
    terminate = ignore;
  };
}
