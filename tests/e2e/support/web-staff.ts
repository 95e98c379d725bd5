/**
 * Staff for a browser test of the web client: the first administrator registers in the admin
 * console, makes one enrolment code per person, and each person enrols a browser of their own
 * (one Chromium profile each, so each is a separate device). One system and one set of browsers
 * per test file.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { pageWithPasskeys } from './admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from './admin-console';
import { enrolWebClient, launchBrowser, type LaunchedBrowser } from './browser';
import type { RunningSystem } from './system';

export interface StaffMember {
  readonly address: string;
  readonly name: string;
}

export interface EnrolledStaff<Name extends string> {
  readonly browsers: Record<Name | 'admin', LaunchedBrowser>;
  readonly pages: Record<Name | 'admin', Page>;
}

/** How each member's browser starts: flags added to CHROMIUM_ARGS, and work on its context before its page opens. */
export interface StaffBrowserOptions<Name extends string> {
  readonly args?: readonly string[];
  readonly prepare?: (who: Name, context: BrowserContext) => Promise<void>;
  /** Flags for every browser, the administrator's included (a proxy's names and authority). */
  readonly everyBrowserArgs?: readonly string[];
  /** The apps as people reach them, when not the system's own addresses (behind a proxy). */
  readonly urls?: { readonly admin: string; readonly web: string };
}

/**
 * Registers the first administrator and enrols every member of `staff` in a browser of their
 * own; page errors are pushed to `problems`.
 */
export async function enrolStaff<Name extends string>(
  system: RunningSystem,
  staff: Readonly<Record<Name, StaffMember>>,
  passphrase: string,
  problems: string[],
  options: StaffBrowserOptions<Name> = {},
): Promise<EnrolledStaff<Name>> {
  // Passkeys need a domain name: localhost, unless a proxy gives the app one.
  const adminUrl = options.urls?.admin ?? system.adminUrl.replace('127.0.0.1', 'localhost');
  const webUrl = options.urls?.web ?? system.webUrl;
  const everyBrowser = options.everyBrowserArgs ?? [];
  const adminBrowser = await launchBrowser(everyBrowser);
  const browsers = { admin: adminBrowser } as Record<Name | 'admin', LaunchedBrowser>;
  const pages = { admin: (await pageWithPasskeys(adminBrowser.context)).page } as Record<Name | 'admin', Page>;
  await registerFirstAdmin(pages.admin, adminUrl, () => system.output());
  for (const who of Object.keys(staff) as Name[]) {
    const code = await createEnrolmentCode(pages.admin, adminUrl, staff[who].address, staff[who].name);
    browsers[who] = await launchBrowser([...everyBrowser, ...(options.args ?? [])]);
    await options.prepare?.(who, browsers[who].context);
    const page = await browsers[who].context.newPage();
    page.on('pageerror', (error) => problems.push(`${who} pageerror: ${error.message}`));
    await enrolWebClient(page, webUrl, { passphrase, code, address: staff[who].address });
    pages[who] = page;
  }
  // Connected: each device's keys are on the relay, so the others can reach it.
  for (const who of Object.keys(staff) as Name[])
    await pages[who].locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 60_000 });
  return { browsers, pages };
}

/** `from` starts a 1:1 conversation with `to` and says hello; `to` opens it once it arrived. */
export async function startDirectChat(from: Page, to: Page, toMember: StaffMember, fromMember: StaffMember) {
  await from.getByTestId('new-chat-button').click();
  await from.getByTestId('new-chat-address').fill(toMember.address);
  const opened = from.getByTestId('conversation-title').filter({ hasText: toMember.name });
  // A device enrolled a moment ago may not be found yet ("no enrolled device"): asked again, as a person would.
  for (let attempt = 1; ; attempt++) {
    await from.getByTestId('new-chat-submit').click();
    const refused = from.getByTestId('new-chat-dialog').getByTestId('error-message');
    await opened.or(refused).first().waitFor({ timeout: 30_000 });
    if (await opened.isVisible()) break;
    if (attempt === 10) throw new Error(`${fromMember.name} cannot start a chat with ${toMember.address}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  await from.getByTestId('composer-input').fill('Bonjour');
  await from.getByTestId('composer-input').press('Enter');
  const item = to.getByTestId('conversation-item').filter({ hasText: fromMember.name });
  await item.first().click({ timeout: 60_000 });
  await to.getByTestId('conversation-title').filter({ hasText: fromMember.name }).waitFor();
  await to.getByTestId('message').filter({ hasText: 'Bonjour' }).first().waitFor({ timeout: 30_000 });
}
