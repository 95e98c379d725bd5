/**
 * Passkey unlock in the web client (docs/protocol/storage.md §2.1), through `npm start`'s code
 * path and Debian's Chromium with a virtual authenticator that has the PRF extension (CDP
 * WebAuthn, hasPrf):
 *  - a staff member creates a passphrase, enrols, and turns on passkey unlock;
 *  - locked, she unlocks with the passkey and sees her device again; after a reload too;
 *  - she turns it off: the locked screen offers only the passphrase, which still works.
 * The web client is opened at localhost, not 127.0.0.1: WebAuthn needs a domain name as rp id.
 * Screenshots: test-output/screenshots/web-passkey-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { pageWithPasskeys, type PasskeyPage } from './support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from './support/admin-console';
import { chromiumAvailable, launchBrowser, screenshotDir } from './support/browser';
import { type RunningSystem, startSystem } from './support/system';

const PASSPHRASE = 'amber-lighthouse-82-quartz';
const DANA = { address: 'dana@ministry.example', name: 'Dana Leroy' };

let system: RunningSystem | undefined;
let adminBrowser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let staffBrowser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let adminPage: Page;
let dana: PasskeyPage;
let webUrl = '';
let code = '';
/** Why passkey unlock cannot be shown in this Chromium, if it cannot (the tests then only say so). */
let prfUnavailable: string | undefined;
const problems: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `web-passkey-${name}.png`), fullPage: true });
}

async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await shot(dana.page, 'failure').catch(() => undefined);
    const text = await dana.page
      .locator('body')
      .innerText()
      .catch(() => '(closed)');
    const log = (system?.output() ?? '').split('\n').slice(-25).join('\n');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- page (${dana.page.url()}), problems: ${JSON.stringify(problems.slice(-5))}\n${text.slice(0, 800)}\n--- log:\n${log}`,
    );
  }
}

function skippedBecausePrfIsMissing(): boolean {
  if (prfUnavailable === undefined) return false;
  console.warn(`web passkey e2e: SKIPPED, this Chromium cannot show passkey unlock: ${prfUnavailable}`);
  return true;
}

async function unlockWithPasskey(page: Page): Promise<void> {
  await page.getByTestId('unlock-screen').waitFor({ timeout: 60_000 });
  await page.getByTestId('unlock-passkey').click({ timeout: 30_000 });
  await page.getByTestId('device-address').filter({ hasText: DANA.address }).waitFor({ timeout: 60_000 });
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: unlocking with a passkey (WebAuthn PRF)', () => {
  beforeAll(async () => {
    system = await startSystem();
    webUrl = system.webUrl.replace('127.0.0.1', 'localhost');
    adminBrowser = await launchBrowser();
    adminPage = (await pageWithPasskeys(adminBrowser.context)).page;
    staffBrowser = await launchBrowser();
    try {
      dana = await pageWithPasskeys(staffBrowser.context, { prf: true });
    } catch (error) {
      prfUnavailable = `the virtual authenticator refuses hasPrf (${error instanceof Error ? error.message : String(error)})`;
      dana = { page: await staffBrowser.context.newPage() } as PasskeyPage;
    }
    dana.page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    dana.page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await staffBrowser?.close();
    await adminBrowser?.close();
    await system?.stop();
  }, 60_000);

  test(
    'an administrator makes an enrolment code',
    () =>
      explained(async () => {
        const adminUrl = system?.adminUrl.replace('127.0.0.1', 'localhost') ?? '';
        await registerFirstAdmin(adminPage, adminUrl, () => system?.output() ?? '');
        code = await createEnrolmentCode(adminPage, adminUrl, DANA.address, DANA.name);
        expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
      }),
    120_000,
  );

  test(
    'a staff member enrols at localhost and turns on passkey unlock',
    () =>
      explained(async () => {
        const { page } = dana;
        await page.goto(webUrl);
        await page.getByTestId('passphrase-input').fill(PASSPHRASE);
        await page.getByTestId('passphrase-confirm').fill(PASSPHRASE);
        await page.getByTestId('passphrase-submit').click();
        await page.getByTestId('enrol-code-input').fill(code, { timeout: 60_000 });
        await page.getByTestId('enrol-submit').click();
        await page.getByTestId('device-address').filter({ hasText: DANA.address }).waitFor({ timeout: 60_000 });
        if (skippedBecausePrfIsMissing()) return;

        await page.getByTestId('passkey-button').click();
        await page.getByTestId('enable-passkey').click();
        await page
          .locator('[data-testid="passkey-status"], [data-testid="error-message"]')
          .first()
          .waitFor({ timeout: 30_000 });
        const error = await page
          .getByTestId('error-message')
          .getAttribute('data-error')
          .catch(() => null);
        if (error === 'passkey.error.no_prf') {
          prfUnavailable = 'the virtual authenticator gave no PRF output, on create() nor on get()';
          skippedBecausePrfIsMissing();
          return;
        }
        expect(error).toBeNull();
        await page.locator('[data-testid="passkey-status"][data-state="enabled"]').waitFor();
        const passkeys = await dana.credentials();
        expect(passkeys).toHaveLength(1);
        expect(passkeys[0]?.rpId).toBe('localhost');
        await page.getByTestId('disable-passkey').waitFor();
        await shot(page, 'enabled');
        await page.keyboard.press('Escape');
        await page.locator('[data-testid="passkey-button"][data-passkey="on"]').waitFor();
      }),
    180_000,
  );

  test(
    'locked, she unlocks with the passkey instead of the passphrase',
    () =>
      explained(async () => {
        if (skippedBecausePrfIsMissing()) return;
        const { page } = dana;
        await page.getByTestId('lock-button').click();
        await page.getByTestId('unlock-screen').waitFor();
        expect(await page.getByTestId('device-address').count()).toBe(0);
        await page.getByTestId('unlock-passkey').waitFor();
        // The passphrase stays available next to it.
        await page.getByTestId('unlock-input').waitFor();
        await shot(page, 'locked');
        const before = (await dana.credentials())[0]?.signCount ?? 0;
        await unlockWithPasskey(page);
        // The passkey was really used (one more assertion), and nothing was typed.
        expect((await dana.credentials())[0]?.signCount).toBeGreaterThan(before);
        await shot(page, 'unlocked');
      }),
    120_000,
  );

  test(
    'after a reload the client is locked, and the passkey unlocks it again',
    () =>
      explained(async () => {
        if (skippedBecausePrfIsMissing()) return;
        const { page } = dana;
        await page.reload();
        await unlockWithPasskey(page);
        await page.locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 30_000 });
      }),
    120_000,
  );

  test(
    'she turns passkey unlock off: only the passphrase is offered, and it works',
    () =>
      explained(async () => {
        if (skippedBecausePrfIsMissing()) return;
        const { page } = dana;
        await page.getByTestId('passkey-button').click();
        await page.getByTestId('disable-passkey').click();
        await page.locator('[data-testid="passkey-status"][data-state="disabled"]').waitFor();
        await page.getByTestId('enable-passkey').waitFor();
        await page.keyboard.press('Escape');
        await page.getByTestId('lock-button').click();
        await page.getByTestId('unlock-screen').waitFor();
        expect(await page.getByTestId('unlock-passkey').count()).toBe(0);
        await page.getByTestId('unlock-input').fill(PASSPHRASE);
        await page.getByTestId('unlock-submit').click();
        await page.getByTestId('device-address').filter({ hasText: DANA.address }).waitFor({ timeout: 60_000 });
        expect(problems.filter((problem) => problem.startsWith('pageerror'))).toEqual([]);
      }),
    120_000,
  );
});
