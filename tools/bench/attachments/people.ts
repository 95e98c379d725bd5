/**
 * The people of the attachments bench in Chromium, set up as the e2e tests do (tests/e2e/support):
 * an administrator registers with a passkey and makes enrolment codes; Alice enrols a browser of
 * her own (her worker is measured); a device of the bench's own enrols through the API and admits
 * uploads (./relay-admission.ts). When the `sendFile` path is measured, Bob enrols a second
 * browser and Alice starts a direct conversation with him. Alice's and Bob's browsers are the
 * bench's own (./chromium-pipe.ts): Playwright drives them through the setup, then lets go.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { pageWithPasskeys } from '../../../tests/e2e/support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from '../../../tests/e2e/support/admin-console';
import { enrolWebClient, launchBrowser, openConversation, sendMessage } from '../../../tests/e2e/support/browser';
import type { RunningSystem } from '../../../tests/e2e/support/system';
import { PASSPHRASE, relayOnline } from '../web/staff';
import { ChromiumPipe, type CdpSession } from './chromium-pipe';
import { RelayAdmission } from './relay-admission';

export const PEOPLE = {
  alice: { address: 'alice@ministry.example', name: 'Alice Martin' },
  bob: { address: 'bob@ministry.example', name: 'Bob Durand' },
  device: { address: 'bench-attachments@ministry.example', name: 'Bench Attachments' },
} as const;

/** A person's browser, and their page of the web client once Playwright has let go of it. */
export interface Person {
  readonly chromium: ChromiumPipe;
  readonly page: CdpSession;
}

export interface People {
  readonly alice: Person;
  readonly bob?: Person;
  readonly admission: RelayAdmission;
}

async function enrolmentCodes(system: RunningSystem, withBob: boolean): Promise<Record<string, string>> {
  const adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost'); // passkeys need a domain name
  const admin = await launchBrowser();
  try {
    const { page } = await pageWithPasskeys(admin.context);
    await registerFirstAdmin(page, adminUrl, () => system.output());
    const codes: Record<string, string> = {};
    for (const who of withBob ? (['alice', 'bob', 'device'] as const) : (['alice', 'device'] as const))
      codes[who] = await createEnrolmentCode(page, adminUrl, PEOPLE[who].address, PEOPLE[who].name);
    return codes;
  } finally {
    await admin.close();
  }
}

/** Enrols the web client in a browser of the bench's own, Playwright connected (setUpPeople lets go of it). */
async function enrolBrowser(
  system: RunningSystem,
  code: string,
  address: string,
  opened: ChromiumPipe[],
): Promise<{ chromium: ChromiumPipe; playwright: Browser; page: Page }> {
  const browser = await ChromiumPipe.launch();
  opened.push(browser);
  const playwright = await chromium.connectOverCDP(browser.wsEndpoint);
  const context = playwright.contexts()[0];
  if (!context) throw new Error('Chromium has no default context');
  const page = await context.newPage();
  await enrolWebClient(page, system.webUrl, { passphrase: PASSPHRASE, code, address });
  await relayOnline(page);
  return { chromium: browser, playwright, page };
}

/**
 * Fills `opened` as it goes, so that what was launched before a failure is still closed
 * (closePeople). Playwright disconnects at the end: the pages and their workers live on.
 */
export async function setUpPeople(system: RunningSystem, withBob: boolean, opened: Opened): Promise<People> {
  const codes = await enrolmentCodes(system, withBob);
  const admission = await RelayAdmission.enrol(system.adminUrl, system.relayUrl, codes['device'] as string);
  opened.admission = admission;
  const alice = await enrolBrowser(system, codes['alice'] as string, PEOPLE.alice.address, opened.browsers);
  let bob: Awaited<ReturnType<typeof enrolBrowser>> | undefined;
  if (withBob) {
    bob = await enrolBrowser(system, codes['bob'] as string, PEOPLE.bob.address, opened.browsers);
    await alice.page.getByTestId('new-chat-button').click();
    await alice.page.getByTestId('new-chat-address').fill(PEOPLE.bob.address);
    await alice.page.getByTestId('new-chat-submit').click();
    await alice.page
      .getByTestId('conversation-title')
      .filter({ hasText: PEOPLE.bob.name })
      .waitFor({ timeout: 60_000 });
    await sendMessage(alice.page, 'bench: files follow');
    await openConversation(bob.page, PEOPLE.alice.name);
    await bob.page.getByTestId('message').filter({ hasText: 'bench: files follow' }).waitFor({ timeout: 60_000 });
  }
  const letGo = async (person: NonNullable<typeof bob>): Promise<Person> => {
    await person.playwright.close(); // disconnects only: the browser was not launched by Playwright
    return { chromium: person.chromium, page: await person.chromium.page(system.webUrl) };
  };
  return { alice: await letGo(alice), ...(bob ? { bob: await letGo(bob) } : {}), admission };
}

/** What was opened so far, for closePeople. */
export interface Opened {
  admission?: RelayAdmission;
  readonly browsers: ChromiumPipe[];
}

export async function closePeople(opened: Opened): Promise<void> {
  opened.admission?.close();
  for (const browser of opened.browsers) await browser.close().catch(() => undefined);
}
