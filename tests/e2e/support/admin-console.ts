/**
 * The admin console as an administrator drives it in Chromium (apps/admin pages): first-admin
 * setup through the one-time link from the log, enrolment codes, device revocation.
 *
 * Every step waits for the state the page is in, never for time: a page is used only once React
 * has hydrated it (`<html data-hydrated>`, apps/admin/src/ui/hydration-marker.tsx), because until
 * then a click on a server-rendered button does nothing, a form submits natively, and text typed
 * into a field is lost. On a loaded machine that window lasts seconds.
 */
import type { Page } from 'playwright-core';

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Serves the pages' script chunks `delayMs` late, as a busy server does: the HTML (and its
 * buttons) is on screen well before React can handle a click. A step that does not wait for
 * hydration then fails every time instead of once in a while (the flaky `Revoke…` click of
 * issue 10). Routing also turns the browser's HTTP cache off, so every page pays the delay.
 */
export async function slowDownScripts(page: Page, delayMs: number): Promise<void> {
  await page.route('**/_next/static/chunks/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await route.continue();
  });
}

/** Resolves once React has attached its handlers to the page now shown. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 60_000 });
}

/** Opens a page and waits until it can be used. */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
}

/**
 * Follows a link that loads a new document (the console's links are plain <a>), then waits for
 * that document, not the one being left, to be hydrated.
 */
export async function followLink(page: Page, name: string, url: RegExp): Promise<void> {
  await page.getByRole('link', { name }).click();
  await page.waitForURL(url);
  await waitForHydration(page);
}

/** From the members list to one member's page, ready to use. */
export async function openMember(page: Page, adminUrl: string, memberAddress: string): Promise<void> {
  await gotoHydrated(page, `${adminUrl}/members`);
  await followLink(page, memberAddress, /\/members\/[0-9a-f-]{36}$/);
}

/** Registers the first admin with a passkey (the page needs a virtual authenticator). */
export async function registerFirstAdmin(page: Page, adminUrl: string, output: () => string): Promise<void> {
  const link = await waitFor(
    'the setup link in the log',
    () => /setup link[^\n]*: (https?:\/\/[a-z0-9.-]+:\d+\/setup#token=[A-Za-z0-9_-]+)/.exec(output())?.[1],
  );
  if (!link.startsWith(`${adminUrl}/setup#token=`)) throw new Error(`unexpected setup link ${link}`);
  await gotoHydrated(page, link);
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByRole('button', { name: 'Create my passkey' }).click();
  await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
}

export async function createEnrolmentCode(
  page: Page,
  adminUrl: string,
  address: string,
  displayName: string,
): Promise<string> {
  await gotoHydrated(page, `${adminUrl}/members`);
  await page.getByLabel('Email address').fill(address);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByRole('button', { name: 'Create the code' }).click();
  return (await page.getByTestId('enrolment-code-text').textContent({ timeout: 30_000 })) ?? '';
}

/**
 * Opens the revocation of one device (the one with this id, or the member's first) and confirms
 * it; resolves with the time of the confirming click.
 */
export async function confirmRevocation(
  page: Page,
  adminUrl: string,
  memberAddress: string,
  deviceIdHex?: string,
): Promise<number> {
  await openMember(page, adminUrl, memberAddress);
  const row = deviceIdHex
    ? page.locator(`tr[data-device-id="${deviceIdHex}"]`)
    : page.locator('tr[data-device-id]').first();
  await row.getByRole('button', { name: 'Revoke…' }).click();
  const reason = row.getByLabel('Reason');
  await reason.waitFor({ state: 'visible' });
  await reason.selectOption('lost_or_stolen');
  const clicked = Date.now();
  await row.getByRole('button', { name: 'Revoke', exact: true }).click();
  return clicked;
}
