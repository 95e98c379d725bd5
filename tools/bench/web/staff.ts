/**
 * The people of the bench, set up as the e2e tests do (tests/e2e/support): an administrator
 * registers with a passkey and makes enrolment codes; Alice (whose browser is measured), Bob and
 * Carol each enrol a browser of their own; Alice starts a direct conversation with Bob and one
 * with Carol and writes in each, so both have a real, working conversation with her.
 */
import type { Page } from 'playwright-core';
import { pageWithPasskeys } from '../../../tests/e2e/support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from '../../../tests/e2e/support/admin-console';
import {
  enrolWebClient,
  launchBrowser,
  openConversation,
  sendMessage,
  type LaunchedBrowser,
} from '../../../tests/e2e/support/browser';
import type { RunningSystem } from '../../../tests/e2e/support/system';

export const PASSPHRASE = 'violet-harbour-47-lantern';

export const PEOPLE = {
  alice: { address: 'alice@ministry.example', name: 'Alice Martin' },
  bob: { address: 'bob@ministry.example', name: 'Bob Durand' },
  carol: { address: 'carol@ministry.example', name: 'Carol Petit' },
} as const;
export type Who = keyof typeof PEOPLE;

/** The first message of each of Alice's real conversations: the newest one once older messages are seeded. */
export const FIRST_LINES = { bob: 'bench: hello Bob', carol: 'bench: hello Carol' } as const;

export interface Person {
  readonly browser: LaunchedBrowser;
  page: Page;
}

export type Staff = Record<Who, Person>;

async function enrolmentCodes(system: RunningSystem): Promise<Record<Who, string>> {
  const adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost'); // passkeys need a domain name
  const admin = await launchBrowser();
  try {
    const { page } = await pageWithPasskeys(admin.context);
    await registerFirstAdmin(page, adminUrl, () => system.output());
    const codes = {} as Record<Who, string>;
    for (const who of Object.keys(PEOPLE) as Who[])
      codes[who] = await createEnrolmentCode(page, adminUrl, PEOPLE[who].address, PEOPLE[who].name);
    return codes;
  } finally {
    await admin.close();
  }
}

async function startDirect(page: Page, with_: { address: string; name: string }): Promise<void> {
  await page.getByTestId('new-chat-button').click();
  await page.getByTestId('new-chat-address').fill(with_.address);
  await page.getByTestId('new-chat-submit').click();
  await page.getByTestId('conversation-title').filter({ hasText: with_.name }).waitFor({ timeout: 60_000 });
}

export async function setUpStaff(system: RunningSystem): Promise<Staff> {
  const codes = await enrolmentCodes(system);
  const staff = {} as Staff;
  for (const who of Object.keys(PEOPLE) as Who[]) {
    const browser = await launchBrowser();
    const page = await browser.context.newPage();
    staff[who] = { browser, page };
    await enrolWebClient(page, system.webUrl, {
      passphrase: PASSPHRASE,
      code: codes[who],
      address: PEOPLE[who].address,
    });
    await relayOnline(page);
  }
  const alice = staff.alice.page;
  for (const who of ['bob', 'carol'] as const) {
    await startDirect(alice, PEOPLE[who]);
    await sendMessage(alice, FIRST_LINES[who]);
    await openConversation(staff[who].page, PEOPLE.alice.name);
    await staff[who].page.getByTestId('message').filter({ hasText: FIRST_LINES[who] }).waitFor({ timeout: 60_000 });
  }
  return staff;
}

export async function relayOnline(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: timeoutMs });
}

/** What the relay indicator says: its status and its per-relay details (the tooltip). */
export async function relayStatusText(page: Page): Promise<string> {
  const indicator = page.getByTestId('relay-status');
  return `${await indicator.getAttribute('data-status')} (${(await indicator.getAttribute('title')) ?? ''})`;
}

/** A fresh page load: a new worker, the vault locked, nothing decrypted. */
export async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.getByTestId('unlock-input').waitFor({ timeout: 60_000 });
}

/**
 * Unlocks and waits for the relay connection; resolves with whether it came up in time. Every
 * unlock spends relay access tokens, and the admin app issues a device at most 60 an hour
 * (apps/admin rate-limit.ts): late in a run Alice's client may stay offline, which opening a
 * conversation does not need, so the bench goes on and says how often that happened.
 */
export async function unlock(page: Page, relayWaitMs = 30_000): Promise<boolean> {
  await page.getByTestId('unlock-input').fill(PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await page.getByTestId('device-address').waitFor({ timeout: 120_000 });
  return relayOnline(page, relayWaitMs).then(
    () => true,
    () => false,
  );
}

export async function closeStaff(staff: Partial<Staff>): Promise<void> {
  for (const person of Object.values(staff)) await person?.browser.close().catch(() => undefined);
}
