/**
 * The admin console as an administrator drives it in Chromium (apps/admin pages): first-admin
 * setup through the one-time link from the log, enrolment codes, device revocation.
 */
import type { Page } from 'playwright-core';

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Registers the first admin with a passkey (the page needs a virtual authenticator). */
export async function registerFirstAdmin(page: Page, adminUrl: string, output: () => string): Promise<void> {
  const link = await waitFor('the setup link in the log', () => /setup link[^\n]*: (http:\/\/localhost:\d+\/setup#token=[A-Za-z0-9_-]+)/.exec(output())?.[1]);
  if (!link.startsWith(`${adminUrl}/setup#token=`)) throw new Error(`unexpected setup link ${link}`);
  await page.goto(link);
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByRole('button', { name: 'Create my passkey' }).click();
  await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 15_000 });
}

export async function createEnrolmentCode(page: Page, adminUrl: string, address: string, displayName: string): Promise<string> {
  await page.goto(`${adminUrl}/members`);
  await page.getByLabel('Email address').fill(address);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByRole('button', { name: 'Create the code' }).click();
  return (await page.getByTestId('enrolment-code-text').textContent({ timeout: 15_000 })) ?? '';
}

/** Revokes a member's device (the one with this id, or the only one); returns when the UI confirms. */
export async function revokeDevice(page: Page, adminUrl: string, memberAddress: string, deviceIdHex?: string): Promise<void> {
  await page.goto(`${adminUrl}/members`);
  await page.getByRole('link', { name: memberAddress }).click();
  const row = deviceIdHex ? page.locator(`tr[data-device-id="${deviceIdHex}"]`) : page.locator('tr[data-device-id]').first();
  await row.getByRole('button', { name: 'Revoke…' }).click();
  await row.getByLabel('Reason').selectOption('lost_or_stolen');
  await row.getByRole('button', { name: 'Revoke', exact: true }).click();
  await row.getByTestId('device-status').and(page.getByText('revoked', { exact: true })).waitFor({ timeout: 15_000 });
}
