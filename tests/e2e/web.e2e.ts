/**
 * The web client end to end, through `npm start`'s code path (relay with its memory store, admin
 * app with its embedded database, web client) and Debian's Chromium, one isolated browser profile
 * per device:
 *  - an administrator makes three enrolment codes in the admin console;
 *  - three staff members create a passphrase and enrol their browser (one from a picture of the
 *    admin console's QR code);
 *  - two chat 1:1 (delivered status), then all three in a group;
 *  - a message sent while the recipient's browser is closed arrives when it comes back, and the
 *    reload keeps the history (after the passphrase);
 *  - a member is removed from the group and cannot read later group messages;
 *  - IndexedDB, read raw, holds no plaintext;
 *  - the member is added back and gets what she missed only through a shared, signed bundle;
 *  - the administrator revokes a device: it wipes its keys and says why, the others carry on.
 * Screenshots of the main screens: test-output/screenshots/web-*.png.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { pageWithPasskeys } from './support/admin-browser';
import { confirmRevocation, createEnrolmentCode, openMember, registerFirstAdmin } from './support/admin-console';
import { occurrences, processMemory, relayPid } from './support/process-memory';
import { chromiumAvailable, launchBrowser, openConversation, screenshot, sendMessage as send } from './support/browser';
import { type RunningSystem, startSystem } from './support/system';

const PASSPHRASE = 'violet-harbour-47-lantern';
const STAFF = {
  alice: { address: 'alice@ministry.example', name: 'Alice Martin' },
  bob: { address: 'bob@ministry.example', name: 'Bob Durand' },
  carol: { address: 'carol@ministry.example', name: 'Carol Petit' },
} as const;
type StaffName = keyof typeof STAFF;

interface Staff {
  readonly who: StaffName;
  readonly context: BrowserContext;
  page: Page;
  readonly problems: string[];
  readonly close: () => Promise<void>;
}

let system: RunningSystem | undefined;
let adminUrl = '';
let adminBrowser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let adminPage: Page;
const staff = new Map<StaffName, Staff>();
const codes = new Map<StaffName, string>();
/** A picture of the admin console's QR code for Carol's enrolment (she enrols from it). */
let carolQrPng: Buffer | undefined;

const person = (who: StaffName): Staff => {
  const entry = staff.get(who);
  if (!entry) throw new Error(`${who} has no browser`);
  return entry;
};

const shot = (page: Page, name: string) => screenshot(page, `web-${name}`);

/** On a failure: every staff page's text and the system's log tail, so the report says why. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const pages: string[] = [];
    for (const [who, entry] of staff) {
      await shot(entry.page, `failure-${who}`).catch(() => undefined);
      const text = await entry.page
        .locator('body')
        .innerText()
        .catch(() => '(closed)');
      pages.push(
        `--- ${who} (${entry.page.url()}), problems: ${JSON.stringify(entry.problems.slice(-5))}\n${text.slice(0, 800)}`,
      );
    }
    const log = (system?.output() ?? '').split('\n').slice(-25).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${pages.join('\n')}\n--- log:\n${log}`);
  }
}

function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
}

async function openClient(who: StaffName): Promise<Staff> {
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  const problems: string[] = [];
  watch(page, problems);
  await page.goto(system?.webUrl ?? '');
  const entry: Staff = { who, context: browser.context, page, problems, close: browser.close };
  staff.set(who, entry);
  return entry;
}

/** The browser's tab closed and opened again (the worker and its relay connection go with it). */
async function reopen(entry: Staff): Promise<void> {
  await entry.page.close();
  const page = await entry.context.newPage();
  watch(page, entry.problems);
  await page.goto(system?.webUrl ?? '');
  entry.page = page;
}

async function unlock(page: Page): Promise<void> {
  await page.getByTestId('unlock-input').fill(PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await page.getByTestId('device-address').waitFor({ timeout: 60_000 });
}

const message = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });

async function expectMessage(page: Page, text: string, timeout = 30_000): Promise<void> {
  await message(page, text).first().waitFor({ timeout });
  expect(await message(page, text).count()).toBe(1);
}

/** Every IndexedDB entry of the client's database, read raw in the page: key and value bytes. */
async function rawIndexedDb(page: Page): Promise<{ key: string; value: number[] }[]> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const out: { key: string; value: number[] }[] = [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        await new Promise<void>((resolve, reject) => {
          const cursor = db.transaction(storeName, 'readonly').objectStore(storeName).openCursor();
          cursor.onerror = () => reject(cursor.error);
          cursor.onsuccess = () => {
            const current = cursor.result;
            if (!current) return resolve();
            const value = current.value as unknown;
            const bytes =
              value instanceof ArrayBuffer
                ? new Uint8Array(value)
                : value instanceof Uint8Array
                  ? value
                  : new TextEncoder().encode(JSON.stringify(value));
            out.push({ key: `${name}/${storeName}/${String(current.key)}`, value: Array.from(bytes) });
            current.continue();
          };
        });
      }
      db.close();
    }
    return out;
  });
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: three staff members in Chromium', () => {
  beforeAll(async () => {
    system = await startSystem({ WEB_REVOCATION_POLL_SECONDS: '2' });
    adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost');
    adminBrowser = await launchBrowser();
    adminPage = (await pageWithPasskeys(adminBrowser.context)).page;
  }, 240_000);

  afterAll(async () => {
    for (const entry of staff.values()) await entry.close().catch(() => undefined);
    await adminBrowser?.close();
    await system?.stop();
  }, 60_000);

  test(
    'an administrator makes one enrolment code per staff member',
    () =>
      explained(async () => {
        await registerFirstAdmin(adminPage, adminUrl, () => system?.output() ?? '');
        for (const who of Object.keys(STAFF) as StaffName[]) {
          const code = await createEnrolmentCode(adminPage, adminUrl, STAFF[who].address, STAFF[who].name);
          expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
          codes.set(who, code);
          if (who === 'carol')
            carolQrPng = await adminPage.getByTestId('enrolment-code').locator('img.qr').screenshot();
        }
      }),
    120_000,
  );

  test(
    'three staff members protect their browser with a passphrase and enrol it',
    () =>
      explained(async () => {
        for (const who of Object.keys(STAFF) as StaffName[]) {
          const { page } = await openClient(who);
          await page.getByTestId('passphrase-input').fill(PASSPHRASE);
          await page.getByTestId('passphrase-confirm').fill(PASSPHRASE);
          if (who === 'alice') await shot(page, 'first-run');
          await page.getByTestId('passphrase-submit').click();
          if (who === 'carol') {
            // Carol enrols from a picture of the QR code the admin console shows.
            await page
              .getByTestId('enrol-qr-file')
              .setInputFiles(
                { name: 'enrolment-qr.png', mimeType: 'image/png', buffer: carolQrPng ?? Buffer.alloc(0) },
                { timeout: 60_000 },
              );
            await page.getByTestId('enrol-qr-read').waitFor();
            expect(await page.getByTestId('enrol-code-input').inputValue()).toBe(codes.get(who));
            await shot(page, 'enrol-from-qr');
          } else {
            await page.getByTestId('enrol-code-input').fill(codes.get(who) ?? '', { timeout: 60_000 });
          }
          if (who === 'alice') await shot(page, 'enrol');
          await page.getByTestId('enrol-submit').click();
          await page.getByTestId('device-address').filter({ hasText: STAFF[who].address }).waitFor({ timeout: 60_000 });
        }
        for (const who of Object.keys(STAFF) as StaffName[]) {
          await person(who)
            .page.locator('[data-testid="relay-status"][data-status="online"]')
            .waitFor({ timeout: 30_000 });
        }
        await shot(person('alice').page, 'empty');
      }),
    240_000,
  );

  test(
    'two of them chat 1:1: in order, once each, and the sender sees "delivered" ("read" once read)',
    () =>
      explained(async () => {
        const alice = person('alice').page;
        const bob = person('bob').page;
        await alice.getByTestId('new-chat-button').click();
        await alice.getByTestId('new-chat-address').fill(STAFF.bob.address);
        await alice.getByTestId('new-chat-submit').click();
        await alice.getByTestId('conversation-title').filter({ hasText: STAFF.bob.name }).waitFor({ timeout: 30_000 });
        await send(alice, 'Bonjour Bob, the minutes are ready.');
        await send(alice, 'Second message, same order.');
        await openConversation(bob, STAFF.alice.name);
        await expectMessage(bob, 'Bonjour Bob, the minutes are ready.');
        await expectMessage(bob, 'Second message, same order.');
        const texts = await bob.locator('[data-testid="message"] .message-text').allTextContents();
        expect(texts.indexOf('Bonjour Bob, the minutes are ready.')).toBeLessThan(
          texts.indexOf('Second message, same order.'),
        );
        await send(bob, 'Thanks Alice!');
        await expectMessage(alice, 'Thanks Alice!');
        await alice
          .locator('[data-testid="message"][data-mine="true"]:is([data-status="delivered"], [data-status="read"])')
          .filter({ hasText: 'Second message' })
          .waitFor({ timeout: 30_000 });
        await shot(alice, 'direct');
        await alice.getByTestId('safety-numbers-button').click();
        const digits = (await alice.getByTestId('safety-number-digits').first().textContent()) ?? '';
        expect(digits.replace(/\D/g, '')).toMatch(/^\d{60}$/);
        await shot(alice, 'safety-numbers');
        await alice.keyboard.press('Escape');
        // Bob's screen shows the same number for Alice's device.
        await bob.getByTestId('safety-numbers-button').click();
        expect(((await bob.getByTestId('safety-number-digits').first().textContent()) ?? '').replace(/\D/g, '')).toBe(
          digits.replace(/\D/g, ''),
        );
        await bob.keyboard.press('Escape');
      }),
    120_000,
  );

  test(
    'all three chat in a group',
    () =>
      explained(async () => {
        const alice = person('alice').page;
        await alice.getByTestId('new-group-button').click();
        await alice.getByTestId('new-group-title').fill('Budget 2027');
        await alice.getByTestId('new-group-addresses').fill(`${STAFF.bob.address}\n${STAFF.carol.address}`);
        await alice.getByTestId('new-group-submit').click();
        await alice.getByTestId('conversation-title').filter({ hasText: 'Budget 2027' }).waitFor({ timeout: 30_000 });
        await send(alice, 'Kick-off at ten in room 4.');
        for (const who of ['bob', 'carol'] as const) {
          await openConversation(person(who).page, 'Budget 2027');
          await expectMessage(person(who).page, 'Kick-off at ten in room 4.');
        }
        await send(person('carol').page, 'Carol here, I will bring the figures.');
        await expectMessage(alice, 'Carol here, I will bring the figures.');
        await expectMessage(person('bob').page, 'Carol here, I will bring the figures.');
        await send(person('bob').page, 'Bob too.');
        await expectMessage(alice, 'Bob too.');
        await expectMessage(person('carol').page, 'Bob too.');
        await shot(person('carol').page, 'group');
      }),
    120_000,
  );

  test(
    'a message sent while the recipient is offline arrives when it comes back; the reload keeps the history',
    () =>
      explained(async () => {
        const carol = person('carol');
        await carol.page.close();
        const alice = person('alice').page;
        await alice.getByTestId('new-chat-button').click();
        await alice.getByTestId('new-chat-address').fill(STAFF.carol.address);
        await alice.getByTestId('new-chat-submit').click();
        await alice
          .getByTestId('conversation-title')
          .filter({ hasText: STAFF.carol.name })
          .waitFor({ timeout: 30_000 });
        await send(alice, 'Carol, read this when you are back.');
        await alice
          .locator('[data-testid="message"][data-status="sent"]')
          .filter({ hasText: 'when you are back' })
          .waitFor({ timeout: 30_000 });

        await reopen(carol);
        // A locked client shows nothing but the passphrase prompt.
        await carol.page.getByTestId('unlock-input').waitFor({ timeout: 30_000 });
        expect(await carol.page.getByTestId('conversation-list').count()).toBe(0);
        expect(await carol.page.locator('body').innerText()).not.toContain('Budget 2027');
        await shot(carol.page, 'locked');
        await unlock(carol.page);
        await openConversation(carol.page, STAFF.alice.name);
        await expectMessage(carol.page, 'Carol, read this when you are back.');
        await alice
          .locator('[data-testid="message"]:is([data-status="delivered"], [data-status="read"])')
          .filter({ hasText: 'when you are back' })
          .waitFor({ timeout: 30_000 });
        // History survived the reload.
        await openConversation(carol.page, 'Budget 2027');
        await expectMessage(carol.page, 'Kick-off at ten in room 4.');
        await expectMessage(carol.page, 'Bob too.');
      }),
    180_000,
  );

  test(
    'a removed member cannot read later group messages',
    () =>
      explained(async () => {
        const alice = person('alice').page;
        await openConversation(alice, 'Budget 2027');
        await alice.getByTestId('group-details-button').click();
        await shot(alice, 'group-details');
        await alice.getByTestId(`remove-member-${STAFF.carol.address}`).click();
        await alice
          .getByTestId('member')
          .filter({ hasText: STAFF.carol.address })
          .waitFor({ state: 'detached', timeout: 30_000 });
        await alice.keyboard.press('Escape');
        const carol = person('carol').page;
        await openConversation(carol, 'Budget 2027');
        await carol.getByTestId('conversation-inactive').waitFor({ timeout: 30_000 });
        await carol.locator('[data-testid="system-line"][data-system-type="member_removed"]').waitFor();
        await send(alice, 'Now without Carol: the confidential part.');
        const bob = person('bob').page;
        await openConversation(bob, 'Budget 2027');
        await expectMessage(bob, 'Now without Carol: the confidential part.');
        await send(bob, 'Bob replies after the removal.');
        await expectMessage(alice, 'Bob replies after the removal.');
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect(await message(carol, 'the confidential part').count()).toBe(0);
        expect(await message(carol, 'Bob replies after the removal').count()).toBe(0);
        await shot(carol, 'removed');
      }),
    120_000,
  );

  test(
    'IndexedDB, read raw, holds no plaintext: no message, name, address or group title',
    () =>
      explained(async () => {
        for (const who of Object.keys(STAFF) as StaffName[]) {
          const entries = await rawIndexedDb(person(who).page);
          expect(entries.length).toBeGreaterThan(10);
          const haystack = entries
            .map(
              (e) =>
                `${e.key}\n${Buffer.from(e.value).toString('latin1')}\n${Buffer.from(e.value).toString('base64')}\n${Buffer.from(e.value).toString('base64url')}`,
            )
            .join('\n');
          for (const needle of [
            'Bonjour Bob',
            'Kick-off at ten',
            'Budget 2027',
            'ministry.example',
            'Alice Martin',
            'Carol Petit',
            'when you are back',
            'confidential part',
          ]) {
            expect({ who, needle, found: haystack.includes(needle) }).toEqual({ who, needle, found: false });
          }
        }
      }),
    60_000,
  );

  test(
    'a memory dump of the live relay while staff chat holds no address, display name, device id or message text',
    () =>
      explained(async () => {
        const running = system as RunningSystem;
        const deviceIds: string[] = [];
        for (const who of Object.keys(STAFF) as StaffName[]) {
          await openMember(adminPage, adminUrl, STAFF[who].address);
          for (const id of await adminPage
            .locator('tr[data-device-id]')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-device-id') ?? '')))
            deviceIds.push(id);
        }
        expect(deviceIds.length).toBeGreaterThanOrEqual(3);
        const memory = processMemory(relayPid(running.survivors()));
        // The dump is real: the relay's own environment is in it.
        expect(occurrences(memory, 'RELAY_ORG_ID=')).toBeGreaterThan(0);
        const found: Record<string, number> = {};
        for (const who of Object.keys(STAFF) as StaffName[]) {
          found[STAFF[who].address] = occurrences(memory, STAFF[who].address);
          found[STAFF[who].name] = occurrences(memory, STAFF[who].name);
        }
        for (const id of deviceIds) {
          found[`device ${id} (hex)`] = occurrences(memory, id);
          found[`device ${id} (bytes)`] = occurrences(memory, Buffer.from(id, 'hex'));
        }
        for (const text of ['Bonjour Bob', 'Kick-off at ten', 'Budget 2027', 'confidential part'])
          found[text] = occurrences(memory, text);
        console.info(
          `relay memory dump: ${(memory.reduce((sum, region) => sum + region.length, 0) / 1e6).toFixed(0)} MB read`,
        );
        expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, 0])));
      }),
    120_000,
  );

  test(
    'a re-added member gets what she missed only when a member shares it, and the group sees that',
    () =>
      explained(async () => {
        const alice = person('alice').page;
        await openConversation(alice, 'Budget 2027');
        await alice.getByTestId('group-details-button').click();
        await alice.getByTestId('add-member-address').fill(STAFF.carol.address);
        await alice.getByTestId('add-member-submit').click();
        await alice.getByTestId('member').filter({ hasText: STAFF.carol.address }).waitFor({ timeout: 30_000 });
        const carol = person('carol').page;
        await openConversation(carol, 'Budget 2027');
        await carol.getByTestId('composer-input').waitFor({ timeout: 30_000 });
        expect(await message(carol, 'the confidential part').count()).toBe(0);
        await alice.getByTestId(`share-history-${STAFF.carol.address}`).click();
        await alice.getByTestId('history-shared-notice').waitFor({ timeout: 30_000 });
        await alice.keyboard.press('Escape');
        await expectMessage(carol, 'Now without Carol: the confidential part.');
        await message(carol, 'the confidential part').getByTestId('message-shared-by').waitFor();
        await carol.locator('[data-testid="system-line"][data-system-type="history_shared"]').waitFor();
        const bob = person('bob').page;
        await openConversation(bob, 'Budget 2027');
        await bob
          .locator('[data-testid="system-line"][data-system-type="history_shared"]')
          .waitFor({ timeout: 30_000 });
        await shot(carol, 'history-shared');
      }),
    120_000,
  );

  test(
    'the administrator revokes a device: every online contact shows it within 2 s, it wipes its keys and says why; the others carry on',
    () =>
      explained(async () => {
        const alice = person('alice').page;
        await openConversation(alice, STAFF.bob.name);
        // The admin app pushes the new list to the relay, which forwards it to every connection (relay.md §7).
        const clicked = await confirmRevocation(adminPage, adminUrl, STAFF.bob.address);
        await alice
          .locator('[data-testid="system-line"][data-system-type="device_revoked"]')
          .waitFor({ timeout: 30_000 });
        const shownAfter = Date.now() - clicked;
        console.info(`a contact's client showed the revocation ${shownAfter} ms after the administrator's click`);
        expect(shownAfter).toBeLessThan(2_000);
        const bob = person('bob').page;
        await bob.getByTestId('wiped-notice').waitFor({ timeout: 30_000 });
        await shot(bob, 'revoked');
        const left = await rawIndexedDb(bob);
        expect(left.filter((e) => e.key.includes('/r:'))).toEqual([]);
        expect(left.some((e) => e.key.endsWith('meta:vault'))).toBe(false);

        await openConversation(alice, 'Budget 2027');
        await send(alice, 'Group carries on without the lost laptop.');
        // Carol still answers; Bob's device is gone and is not waited for: delivered, not stuck at "sent".
        await message(alice, 'Group carries on without the lost laptop.')
          .and(alice.locator(':is([data-status="delivered"], [data-status="read"])'))
          .waitFor({ timeout: 30_000 });
        await openConversation(alice, STAFF.carol.name);
        await send(alice, 'Carol, still with me?');
        const carol = person('carol').page;
        await openConversation(carol, STAFF.alice.name);
        await expectMessage(carol, 'Carol, still with me?');
        await send(carol, 'Yes.');
        await expectMessage(alice, 'Yes.');
        await alice.setViewportSize({ width: 375, height: 740 });
        await shot(alice, 'mobile-conversation');
        for (const who of Object.keys(STAFF) as StaffName[]) {
          expect({ who, problems: person(who).problems.filter((p) => !p.includes('Failed to load resource')) }).toEqual(
            { who, problems: [] },
          );
        }
      }),
    120_000,
  );
});
