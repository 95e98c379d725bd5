/**
 * Every screen of the web client under axe-core (WCAG 2.1 A/AA, which RGAA 4.1 maps onto), in
 * English and French, at 1280 and 375 px, through `npm start`'s code path and Debian's Chromium:
 * first run (passphrase, enrolment), the conversation list, a 1:1 and a group conversation, every
 * dialog, the unlock screen, the revoked device's screen and the status screens (loading, another
 * tab, unsupported browser, stopped). One system and one set of devices; each screen is audited in
 * the four language × width combinations rather than replaying a journey for each.
 *
 * Also here, because they are about the same screens:
 *  - page titles say where one is, in the chosen language, and never name a conversation;
 *  - long addresses (60 characters) and titles (100) stay readable: nothing is cut, nothing spills
 *    sideways;
 *  - a 100,000-character paste is refused with a sentence and kept whole, not cut and sent; the
 *    same for a too-long group name or address;
 *  - keyboard only: dialogs take and keep the focus and give it back, "Back" at 375 px lands on the
 *    conversation that was open, the message list is reachable to scroll.
 * Screenshots: test-output/screenshots/web-a11y-*.png.
 */
import type { Page } from 'playwright-core';
import { pageWithPasskeys } from './support/admin-browser';
import { confirmRevocation, createEnrolmentCode, registerFirstAdmin } from './support/admin-console';
import { expectAccessible } from './support/axe';
import {
  chromiumAvailable,
  enrolWebClient,
  launchBrowser,
  openConversation,
  screenshot,
  sendMessage,
  setLanguage,
  showList,
  withFakeWorker,
  withoutWebLocks,
  type LaunchedBrowser,
} from './support/browser';
import { failureExplainer } from './support/explained';
import { type RunningSystem, startSystem } from './support/system';
import { WIDTHS, closeDialog, screenSweeper, setWidth, type Language, type SweepSteps } from './support/web-sweep';

const PASSPHRASE = 'saffron-orchard-63-beacon';
/** 60 characters, as long as real ones get in a ministry. */
const LONG_ADDRESS = 'jean-baptiste.delacroix@direction-generale.ministere.example';
const ALICE = { address: LONG_ADDRESS, name: 'Jean-Baptiste Delacroix-Fontaine de Saint-Exupéry' };
const BOB = { address: 'bob@ministry.example', name: 'Bob Durand' };
const CAROL = { address: 'carol@ministry.example', name: 'Carol Petit' };
/** 100 characters: the longest group name the client accepts. */
const GROUP_TITLE =
  'Cellule interministérielle de coordination des mesures de sécurité des systèmes d’information, 2027'.padEnd(
    100,
    '!',
  );

/** The title each screen must have (page-title.ts), never a conversation's name. */
const TITLES: Record<string, Record<Language, string>> = {
  'create-passphrase': { en: 'Create a passphrase — OpenDescent', fr: 'Créer une phrase secrète — OpenDescent' },
  enrol: { en: 'Connect this device — OpenDescent', fr: 'Connecter cet appareil — OpenDescent' },
  main: { en: 'Messages — OpenDescent', fr: 'Messages — OpenDescent' },
  unlock: { en: 'Unlock — OpenDescent', fr: 'Déverrouiller — OpenDescent' },
  wiped: { en: 'Device disconnected — OpenDescent', fr: 'Appareil déconnecté — OpenDescent' },
  loading: { en: 'Starting — OpenDescent', fr: 'Démarrage — OpenDescent' },
  'other-tab': { en: 'Open in another tab — OpenDescent', fr: 'Ouvert dans un autre onglet — OpenDescent' },
  unsupported: { en: 'Browser not supported — OpenDescent', fr: 'Navigateur non pris en charge — OpenDescent' },
  failed: { en: 'Stopped — OpenDescent', fr: 'Arrêté — OpenDescent' },
};

let system: RunningSystem | undefined;
const browsers: LaunchedBrowser[] = [];
let alice: Page;
let bob: Page;
let carol: Page;
let adminPage: Page;
let adminUrl = '';
const problems: string[] = [];
const audited: string[] = [];

const explained = failureExplainer({
  prefix: 'web-a11y',
  pages: () => ({ alice, bob, carol }),
  system: () => system,
  problems,
});

async function newPage(browser: LaunchedBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return page;
}

/** Opens a conversation from the list, whatever the width and whatever was open. */
async function open(page: Page, title: string): Promise<void> {
  await showList(page);
  await openConversation(page, title);
}

const sweepScreen = screenSweeper('web-a11y', audited);

/** A sweep whose title is named by its key in TITLES. */
function sweep(page: Page, screen: string, steps: Omit<SweepSteps, 'title'> & { title?: string } = {}): Promise<void> {
  return sweepScreen(page, screen, { ...steps, title: steps.title === undefined ? undefined : TITLES[steps.title] });
}

/** The test id of the focused element, or its tag name. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return element?.getAttribute('data-testid') ?? element?.tagName.toLowerCase() ?? 'none';
  });

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: every screen accessible, readable and usable by keyboard', () => {
  beforeAll(async () => {
    // Both apps are built first when their sources changed: minutes on a machine shared with other builds.
    system = await startSystem({ WEB_REVOCATION_POLL_SECONDS: '2' }, 420_000);
    adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost');
    for (let i = 0; i < 4; i++) browsers.push(await launchBrowser());
    adminPage = (await pageWithPasskeys((browsers[0] as LaunchedBrowser).context)).page;
    alice = await newPage(browsers[1] as LaunchedBrowser);
    bob = await newPage(browsers[2] as LaunchedBrowser);
    carol = await newPage(browsers[3] as LaunchedBrowser);
  }, 480_000);

  afterAll(async () => {
    console.info(`axe-core audits passed: ${audited.length}`);
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await system?.stop();
  }, 60_000);

  test(
    'first run: the passphrase and enrolment screens, then the empty conversation list',
    () =>
      explained(async () => {
        await registerFirstAdmin(adminPage, adminUrl, () => system?.output() ?? '');
        const codes = new Map<string, string>();
        for (const staff of [ALICE, BOB, CAROL])
          codes.set(staff.address, await createEnrolmentCode(adminPage, adminUrl, staff.address, staff.name));

        await alice.goto(system?.webUrl ?? '');
        await alice.getByTestId('passphrase-input').waitFor({ timeout: 60_000 });
        await sweep(alice, 'create-passphrase', { title: 'create-passphrase' });
        await alice.getByTestId('passphrase-input').fill(PASSPHRASE);
        await alice.getByTestId('passphrase-confirm').fill(PASSPHRASE);
        await alice.getByTestId('passphrase-submit').click();
        await alice.getByTestId('enrol-code-input').waitFor({ timeout: 60_000 });
        await sweep(alice, 'enrol', { title: 'enrol' });
        await alice.getByTestId('enrol-code-input').fill('not a code');
        await alice.getByTestId('enrol-submit').click();
        await alice.getByTestId('error-message').waitFor();
        await sweep(alice, 'enrol-error', { title: 'enrol' });
        await alice.getByTestId('enrol-code-input').fill(codes.get(ALICE.address) ?? '');
        await alice.getByTestId('enrol-submit').click();
        await alice.locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 60_000 });
        // One status at a time: "Finishing setup" is gone once "Connected" shows.
        expect(await alice.getByTestId('not-reachable').count()).toBe(0);
        await sweep(alice, 'main-empty', { title: 'main' });

        for (const [page, staff] of [
          [bob, BOB],
          [carol, CAROL],
        ] as const) {
          await enrolWebClient(page, system?.webUrl ?? '', {
            passphrase: PASSPHRASE,
            code: codes.get(staff.address) ?? '',
            address: staff.address,
          });
          await page.locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 60_000 });
        }
      }),
    240_000,
  );

  test(
    'the new-conversation dialogs and the passkey dialog; too-long addresses and names are refused, not cut',
    () =>
      explained(async () => {
        const dialog = (button: string, testId: string) => ({
          show: async () => {
            await alice.getByTestId(button).click();
            await alice.getByTestId(testId).waitFor();
          },
          hide: () => closeDialog(alice),
        });
        await sweep(alice, 'new-chat', dialog('new-chat-button', 'new-chat-dialog'));
        await sweep(alice, 'new-group', dialog('new-group-button', 'new-group-dialog'));
        await sweep(alice, 'passkey', dialog('passkey-button', 'passkey-dialog'));

        // A pasted address far over 320 characters: kept whole in the field, refused with its length.
        const pasted = `${'a'.repeat(400)}@ministry.example`;
        await alice.getByTestId('new-chat-button').click();
        await alice.getByTestId('new-chat-address').fill(pasted);
        await alice.getByTestId('new-chat-submit').click();
        await alice.locator('[data-testid="error-message"][data-error="address.too-long"]').waitFor();
        expect(await alice.getByTestId('new-chat-address').inputValue()).toBe(pasted);
        await expectAccessible(alice, 'new-chat with an error');
        await closeDialog(alice);

        // A 130-character group name: kept whole, refused, and no group is made.
        const longName = 'G'.repeat(130);
        await alice.getByTestId('new-group-button').click();
        await alice.getByTestId('new-group-title').fill(longName);
        await alice.getByTestId('new-group-addresses').fill(BOB.address);
        await alice.getByTestId('new-group-submit').click();
        await alice.locator('[data-testid="error-message"][data-error="new-group.title-too-long"]').waitFor();
        expect(await alice.getByTestId('new-group-title').inputValue()).toBe(longName);
        await expectAccessible(alice, 'new-group with an error');
        await closeDialog(alice);
        expect(await alice.getByTestId('conversation-item').count()).toBe(0);
      }),
    240_000,
  );

  test(
    'a 1:1 and a group with a 100-character name: conversations, safety numbers and group details',
    () =>
      explained(async () => {
        await alice.getByTestId('new-chat-button').click();
        await alice.getByTestId('new-chat-address').fill(BOB.address);
        await alice.getByTestId('new-chat-submit').click();
        await alice.getByTestId('conversation-title').filter({ hasText: BOB.name }).waitFor({ timeout: 30_000 });
        await sendMessage(alice, 'Bonjour Bob, the minutes are ready.');
        await openConversation(bob, ALICE.name);
        await bob.getByTestId('message').filter({ hasText: 'minutes are ready' }).waitFor({ timeout: 30_000 });
        await sendMessage(bob, 'Thanks!');
        await alice.getByTestId('message').filter({ hasText: 'Thanks!' }).waitFor({ timeout: 30_000 });

        await alice.getByTestId('new-group-button').click();
        await alice.getByTestId('new-group-title').fill(GROUP_TITLE);
        await alice.getByTestId('new-group-addresses').fill(`${BOB.address}\n${CAROL.address}`);
        await alice.getByTestId('new-group-submit').click();
        await alice.getByTestId('conversation-title').filter({ hasText: GROUP_TITLE }).waitFor({ timeout: 30_000 });
        await sendMessage(alice, 'Kick-off at ten in room 4.');
        await openConversation(carol, GROUP_TITLE.slice(0, 40));
        await sendMessage(carol, 'Carol here, I will bring the figures.');
        await alice.getByTestId('message').filter({ hasText: 'bring the figures' }).waitFor({ timeout: 30_000 });

        // Screen readers are told who wrote each message, one's own included (the bubble's side says it only to the eye).
        const authors = await alice.locator('[data-testid="message"] .visually-hidden:first-child').allTextContents();
        expect(authors).toContain('You wrote:');

        const conversation = (title: string) => ({ show: () => open(alice, title) });
        const inConversation = (title: string, button: string, ready: string) => ({
          show: async () => {
            await open(alice, title);
            await alice.getByTestId(button).click();
            await alice.getByTestId(ready).first().waitFor({ timeout: 30_000 });
          },
          hide: () => closeDialog(alice),
        });
        await sweep(alice, 'main-list', { title: 'main' });
        await sweep(alice, 'direct', { ...conversation(BOB.name), title: 'main' });
        await sweep(alice, 'group', { ...conversation(GROUP_TITLE.slice(0, 40)), title: 'main' });
        await sweep(alice, 'safety-numbers', inConversation(BOB.name, 'safety-numbers-button', 'safety-number-digits'));
        await sweep(alice, 'group-details', inConversation(GROUP_TITLE.slice(0, 40), 'group-details-button', 'member'));

        // Long names read in full where there is room for them: the open group's heading is not cut.
        for (const width of WIDTHS) {
          await setWidth(alice, width);
          await open(alice, GROUP_TITLE.slice(0, 40));
          const heading = alice.getByTestId('conversation-title');
          expect(await heading.textContent()).toBe(GROUP_TITLE);
          expect(
            await heading.evaluate(
              (element) => element.scrollWidth <= element.clientWidth && element.scrollHeight <= element.clientHeight,
            ),
          ).toBe(true);
          // The sidebar's own address: on screen whole (no ellipsis, nothing hidden) and inside the sidebar.
          await showList(alice);
          const address = alice.getByTestId('device-address');
          expect(await address.textContent()).toBe(LONG_ADDRESS);
          const fits = await address.evaluate((element) => {
            const box = element.getBoundingClientRect();
            const sidebar = (element.closest('.sidebar') as HTMLElement).getBoundingClientRect();
            return (
              box.width > 0 &&
              box.left >= sidebar.left &&
              box.right <= sidebar.right &&
              element.scrollWidth <= element.clientWidth
            );
          });
          expect({ width, fits }).toEqual({ width, fits: true });
        }
        await setWidth(alice, 1280);

        // The dark theme too (prefers-color-scheme), on the main screens, once the buttons' colour transitions are over.
        await alice.emulateMedia({ colorScheme: 'dark' });
        try {
          await alice.waitForTimeout(500);
          await expectAccessible(alice, 'main list, dark');
          await open(alice, BOB.name);
          await expectAccessible(alice, 'direct, dark');
          await open(alice, GROUP_TITLE.slice(0, 40));
          await alice.getByTestId('group-details-button').click();
          await expectAccessible(alice, 'group details, dark');
          await screenshot(alice, 'web-a11y-group-details-dark');
          await closeDialog(alice);
        } finally {
          await alice.emulateMedia({ colorScheme: 'light' });
        }
      }),
    240_000,
  );

  test(
    'a 100,000-character paste is refused with a sentence and kept whole; shortened, it is sent',
    () =>
      explained(async () => {
        await open(alice, BOB.name);
        await alice.getByTestId('message').filter({ hasText: 'Thanks!' }).waitFor(); // the history is on screen before it is counted
        const before = await alice.getByTestId('message').count();
        const composer = alice.getByTestId('composer-input');
        await composer.fill('a'.repeat(3_612));
        expect((await alice.getByTestId('composer-counter').textContent())?.includes('3,612 / 4,000')).toBe(true);
        const pasted = `Start ${'x'.repeat(99_988)} end.`;
        await composer.fill(pasted);
        await alice.locator('[data-testid="error-message"][data-error="composer.too-long"]').waitFor();
        expect(await alice.locator('[data-testid="composer-counter"][data-over="true"]').count()).toBe(1);
        await composer.press('Enter');
        await alice.getByTestId('composer-send').click();
        expect((await composer.inputValue()).length).toBe(pasted.length);
        expect(await alice.getByTestId('message').count()).toBe(before);
        const overTheLimit = async () => {
          await open(alice, BOB.name);
          await composer.fill(pasted);
          await alice.locator('[data-testid="error-message"][data-error="composer.too-long"]').waitFor();
        };
        await sweep(alice, 'composer-too-long', { show: overTheLimit, hide: () => showList(alice) });

        await open(alice, BOB.name);
        await composer.fill(`Shortened: ${'y'.repeat(3_900)}`);
        expect(await alice.locator('[data-testid="error-message"][data-error="composer.too-long"]').count()).toBe(0);
        await composer.press('Enter');
        await alice.getByTestId('message').filter({ hasText: 'Shortened:' }).waitFor();
        expect(await alice.getByTestId('message').count()).toBe(before + 1);
      }),
    240_000,
  );

  test(
    'keyboard only: dialogs take, keep and return the focus; "Back" at 375 px lands on the conversation left',
    () =>
      explained(async () => {
        await setWidth(alice, 1280);
        // Open "New chat" from the keyboard: the focus goes into the dialog and stays there.
        await alice.getByTestId('new-chat-button').focus();
        await alice.keyboard.press('Enter');
        await alice.getByTestId('new-chat-dialog').waitFor();
        expect(await focused(alice)).toBe('new-chat-address');
        for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
          await alice.keyboard.press(key);
          expect({
            key,
            inside: await alice.evaluate(
              () => document.querySelector('dialog[open]')?.contains(document.activeElement) ?? false,
            ),
          }).toEqual({ key, inside: true });
        }
        await alice.keyboard.press('Escape');
        await alice.locator('dialog[open]').waitFor({ state: 'detached' });
        expect(await focused(alice)).toBe('new-chat-button');

        // In a conversation, Tab goes from the header's controls to the message list (to scroll it) to the composer.
        await open(alice, BOB.name);
        await alice.getByTestId('safety-numbers-button').focus();
        const order: string[] = [];
        for (let i = 0; i < 4; i++) {
          await alice.keyboard.press('Tab');
          order.push(await focused(alice));
        }
        expect(order.indexOf('message-log')).toBeGreaterThanOrEqual(0);
        expect(order.indexOf('message-log')).toBeLessThan(order.indexOf('composer-input'));

        // At 375 px "Back" (pressed from the keyboard) lands on the conversation just left, not on <body>.
        await setWidth(alice, 375);
        const id = await alice.getByTestId('conversation').getAttribute('data-conversation-id');
        await alice.getByRole('button', { name: 'Back' }).focus();
        await alice.keyboard.press('Enter');
        await alice.getByTestId('conversation-list').waitFor();
        expect(await alice.evaluate(() => document.activeElement?.getAttribute('data-conversation-id'))).toBe(id);
        await setWidth(alice, 1280);
      }),
    120_000,
  );

  test(
    "the unlock screen, and the revoked device's screen with its reason in words",
    () =>
      explained(async () => {
        await alice.getByTestId('lock-button').click();
        await alice.getByTestId('unlock-screen').waitFor();
        await sweep(alice, 'unlock', { title: 'unlock' });
        await alice.getByTestId('unlock-input').fill(PASSPHRASE);
        await alice.getByTestId('unlock-submit').click();
        await alice.getByTestId('device-address').waitFor({ timeout: 60_000 });

        await confirmRevocation(adminPage, adminUrl, CAROL.address);
        await carol.getByTestId('wiped-notice').waitFor({ timeout: 30_000 });
        const reason = carol.getByTestId('wiped-reason');
        expect(await reason.getAttribute('data-reason')).toBe('lost_or_stolen');
        expect(await reason.textContent()).toBe('Reason: the device was reported lost or stolen.');
        expect(await carol.getByTestId('wiped-notice').textContent()).not.toContain('lost_or_stolen');
        await sweep(carol, 'wiped', { title: 'wiped' });
        await setLanguage(carol, 'fr');
        expect(await reason.textContent()).toBe('Motif : l’appareil a été déclaré perdu ou volé.');
      }),
    180_000,
  );

  test(
    'the status screens: loading, another tab, an unsupported browser, a stopped messenger',
    () =>
      explained(async () => {
        // Another tab of the same browser profile waits for the one running the messenger.
        const second = await newPage(browsers[1] as LaunchedBrowser);
        await second.goto(system?.webUrl ?? '');
        await second.getByTestId('other-tab-screen').waitFor({ timeout: 30_000 });
        await sweep(second, 'other-tab', { title: 'other-tab' });
        await second.close();

        // The others in a fresh profile, with the browser made to lack or break what the messenger needs.
        const fresh = await launchBrowser();
        browsers.push(fresh);
        const cases = [
          ['unsupported', 'unsupported-screen', withoutWebLocks, undefined],
          ['loading', 'loading-screen', withFakeWorker, { fails: false }],
          ['failed', 'failed-screen', withFakeWorker, { fails: true }],
        ] as const;
        for (const [screen, testId, breakBrowser, arg] of cases) {
          const page = await newPage(fresh);
          await page.addInitScript(breakBrowser, arg);
          await page.goto(system?.webUrl ?? '');
          await page.getByTestId(testId).waitFor({ timeout: 30_000 });
          await sweep(page, screen, { title: screen });
          await page.close();
        }
        expect(problems).toEqual([]);
      }),
    180_000,
  );
});
