/**
 * What Chromium itself keeps on disk after a staff member used the web client: no private text.
 * The messenger encrypts its own store (IndexedDB), but the browser has stores of its own that an
 * app feeds without asking: form autofill (`Default/Web Data`), the form state saved with each
 * session entry (`Sessions/`), page titles in `History`, the HTTP cache. A stolen laptop's profile
 * folder must not give away a group's name, a message, a draft or a colleague's address.
 *
 * Two staff members in Chromium, through `npm start`'s code path, with canary strings: a colleague's
 * address and display name, a group title `Cellule CANARY-…`, sent and received messages, and an
 * unsent draft left in the composer. Both browsers are then shut down (so every database is written
 * out), and every file of both profile folders is read as raw bytes and searched, case-insensitively,
 * for each canary in UTF-8 and in UTF-16LE (Chromium's own string encoding in session files and
 * Local Storage). A canary written on purpose to localStorage proves that the search reads what
 * Chromium wrote. Screenshots: test-output/screenshots/web-profile-*.png.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { pageWithPasskeys } from './support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from './support/admin-console';
import {
  chromiumAvailable,
  enrolWebClient,
  launchBrowser,
  openConversation,
  screenshot,
  sendMessage,
  type LaunchedBrowser,
} from './support/browser';
import { type RunningSystem, startSystem } from './support/system';

const PASSPHRASE = 'copper-meadow-19-falcon';
const token = () => `CANARY-${randomBytes(6).toString('hex')}`;
const CANARY = {
  address: token(),
  displayName: token(),
  groupTitle: token(),
  direct: token(),
  reply: token(),
  group: token(),
  draft: token(),
} as const;
/** Written to localStorage on purpose: the search must find it, or it reads nothing. */
const CONTROL = `CONTROL-${randomBytes(6).toString('hex')}`;

const ALICE = { address: 'alice@ministry.example', name: 'Alice Martin' };
const BOB = { address: `${CANARY.address.toLowerCase()}@ministry.example`, name: `Bob ${CANARY.displayName}` };

interface Found {
  readonly canary: string;
  readonly file: string;
  readonly encoding: 'utf8' | 'utf16le';
  readonly offset: number;
  readonly context: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) return []; // SingletonLock and friends point outside the profile
    return stat.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every place a needle's bytes appear in the profile, whatever the letter case. */
function searchProfile(
  profileDir: string,
  needles: readonly string[],
): { files: number; bytes: number; found: Found[] } {
  const files = filesUnder(profileDir);
  const found: Found[] = [];
  let bytes = 0;
  for (const file of files) {
    const raw = readFileSync(file);
    bytes += raw.length;
    const haystack = raw.toString('latin1').toLowerCase();
    for (const canary of needles) {
      for (const encoding of ['utf8', 'utf16le'] as const) {
        const needle = Buffer.from(canary.toLowerCase(), encoding).toString('latin1');
        const offset = haystack.indexOf(needle);
        if (offset < 0) continue;
        const around = raw.subarray(Math.max(0, offset - 40), offset + needle.length + 40);
        found.push({
          canary,
          file: path.relative(profileDir, file),
          encoding,
          offset,
          context: around.toString(encoding === 'utf8' ? 'utf8' : 'utf16le').replace(/[^\x20-\x7e]/g, '.'),
        });
      }
    }
  }
  return { files: files.length, bytes, found };
}

let system: RunningSystem | undefined;
let adminBrowser: LaunchedBrowser | undefined;
let aliceBrowser: LaunchedBrowser | undefined;
let bobBrowser: LaunchedBrowser | undefined;
let alice: Page;
let bob: Page;
const problems: string[] = [];

async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      if (page && !page.isClosed()) await screenshot(page, `web-profile-failure-${name}`).catch(() => undefined);
    }
    const log = (system?.output() ?? '').split('\n').slice(-25).join('\n');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nproblems: ${JSON.stringify(problems.slice(-5))}\n--- log:\n${log}`,
    );
  }
}

async function newWatchedPage(browser: LaunchedBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return page;
}

const received = (page: Page, text: string) =>
  page.getByTestId('message').filter({ hasText: text }).first().waitFor({ timeout: 30_000 });

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client leaves no private text in the Chromium profile', () => {
  beforeAll(async () => {
    // Both apps are built first when their sources changed: minutes on a machine shared with other builds.
    system = await startSystem({}, 420_000);
    adminBrowser = await launchBrowser();
    aliceBrowser = await launchBrowser();
    bobBrowser = await launchBrowser();
  }, 480_000);

  afterAll(async () => {
    for (const browser of [aliceBrowser, bobBrowser]) {
      await browser?.close().catch(() => undefined);
      browser?.removeProfile();
    }
    await adminBrowser?.close();
    await system?.stop();
  }, 60_000);

  test(
    'two staff members chat 1:1 and in a group, with canaries in every private field',
    () =>
      explained(async () => {
        const adminUrl = (system?.adminUrl ?? '').replace('127.0.0.1', 'localhost');
        const adminPage = (await pageWithPasskeys((adminBrowser as LaunchedBrowser).context)).page;
        await registerFirstAdmin(adminPage, adminUrl, () => system?.output() ?? '');
        const aliceCode = await createEnrolmentCode(adminPage, adminUrl, ALICE.address, ALICE.name);
        const bobCode = await createEnrolmentCode(adminPage, adminUrl, BOB.address, BOB.name);

        const webUrl = system?.webUrl ?? '';
        alice = await newWatchedPage(aliceBrowser as LaunchedBrowser);
        bob = await newWatchedPage(bobBrowser as LaunchedBrowser);
        await enrolWebClient(alice, webUrl, { passphrase: PASSPHRASE, code: aliceCode, address: ALICE.address });
        await enrolWebClient(bob, webUrl, { passphrase: PASSPHRASE, code: bobCode, address: BOB.address });
        await bob.locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 30_000 });

        // A 1:1 started from the colleague's address, typed in the "new chat" field.
        await alice.getByTestId('new-chat-button').click();
        await alice.getByTestId('new-chat-address').fill(BOB.address);
        await alice.getByTestId('new-chat-submit').click();
        await alice.getByTestId('conversation-title').filter({ hasText: BOB.name }).waitFor({ timeout: 30_000 });
        await sendMessage(alice, `Direct ${CANARY.direct} for Bob`);
        await openConversation(bob, ALICE.name);
        await received(bob, CANARY.direct);
        await sendMessage(bob, `Reply ${CANARY.reply} from Bob`);
        await received(alice, CANARY.reply);

        // A group whose name is private.
        await alice.getByTestId('new-group-button').click();
        await alice.getByTestId('new-group-title').fill(`Cellule ${CANARY.groupTitle}`);
        await alice.getByTestId('new-group-addresses').fill(BOB.address);
        await alice.getByTestId('new-group-submit').click();
        await alice
          .getByTestId('conversation-title')
          .filter({ hasText: CANARY.groupTitle })
          .waitFor({ timeout: 30_000 });
        await sendMessage(alice, `Group ${CANARY.group} kick-off`);
        await openConversation(bob, CANARY.groupTitle);
        await received(bob, CANARY.group);

        // Words typed and not sent stay in the composer while the browser is shut.
        await alice.getByTestId('composer-input').fill(`Draft ${CANARY.draft} not sent`);
        await alice.evaluate((control) => localStorage.setItem('opendescent.test-control', control), CONTROL);
        await screenshot(alice, 'web-profile-group');
        // Chromium saves the session (tabs, titles, form state) on a timer as well as at exit.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(problems).toEqual([]);
      }),
    240_000,
  );

  test(
    'after both browsers are shut down, no file of either profile holds a canary',
    () =>
      explained(async () => {
        const canaries = Object.values(CANARY);
        const results = [];
        for (const [name, browser] of [
          ['alice', aliceBrowser],
          ['bob', bobBrowser],
        ] as const) {
          await browser?.close({ keepProfile: true });
          const result = searchProfile((browser as LaunchedBrowser).profileDir, [...canaries, CONTROL]);
          console.info(`${name}'s Chromium profile: ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB read`);
          results.push({ name, ...result });
        }
        // The control canary, which alice's page wrote to localStorage, is found: the search reads what Chromium wrote.
        expect(results[0]?.found.some((hit) => hit.canary === CONTROL)).toBe(true);
        const leaks = results.flatMap(({ name, found }) =>
          found.filter((hit) => hit.canary !== CONTROL).map((hit) => ({ profile: name, ...hit })),
        );
        expect(leaks).toEqual([]);
      }),
    120_000,
  );
});
