/**
 * The admin console's accessibility (RGAA 4.1 / WCAG 2.1 AA), in a real Chromium through `npm
 * start`'s code path:
 *  - every screen and state an administrator meets (signed out: sign-in, recovery, setup with and
 *    without its link, not found; signed in: members, a code just made, a member's devices, each
 *    confirmation, a revoked device, a disabled member, directory alerts and suspension, the
 *    organisation and its next key, the audit log, administrators and their links) is audited by
 *    axe-core in English and French at 1280 and 375 px, failing on any serious or critical
 *    violation, and carries a title in its language saying where one is (2.4.2);
 *  - the main flows work with the keyboard alone (2.1.1): a passkey registered and used, an
 *    enrolment code made, a device revoked, and after each action focus lands on something that
 *    says what happened, never on <body> (2.4.3).
 * One system start for the whole file. Screenshots: test-output/screenshots/admin-a11y-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { AccessibilitySweep, type Locale } from './support/admin-a11y';
import { pageWithPasskeys, type PasskeyPage } from './support/admin-browser';
import { createEnrolmentCode, gotoHydrated, openMember, waitFor } from './support/admin-console';
import { AdminApiDevice } from './support/admin-device';
import { focused, focusSettlesOn, named, tabTo } from './support/admin-keyboard';
import { chromiumAvailable, launchBrowser, screenshotDir } from './support/browser';
import { type RunningSystem, startSystem } from './support/system';

let adminDbDir: string;
let system: RunningSystem | undefined;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let passkeys: PasskeyPage;
let page: Page;
let sweep: AccessibilitySweep;
let adminUrl = '';
let setupLink = '';

const SUFFIX: Record<Locale, string> = { en: ' · OpenDescent administration', fr: ' · Administration OpenDescent' };
/** The title of a screen in both languages, from the part before the application's name. */
const titled = (en: string, fr: string) => ({ en: `${en}${SUFFIX.en}`, fr: `${fr}${SUFFIX.fr}` });
const T = {
  signIn: titled('Sign in', 'Connexion'),
  recover: titled('Recover access', 'Récupérer l’accès'),
  setup: titled('Register your passkey', 'Enregistrer votre clé d’accès'),
  notFound: titled('Page not found', 'Page introuvable'),
  members: titled('Members', 'Membres'),
  member: (name: string) => titled(`${name} · Members`, `${name} · Membres`),
  organisation: titled('Organisation', 'Organisation'),
  audit: titled('Audit log', 'Journal d’audit'),
  admins: titled('Administrators', 'Administrateurs'),
};

/** Screenshots for a person to look at: test-output/screenshots/admin-a11y-*.png. */
const shot = async (name: string) => {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `admin-a11y-${name}.png`), fullPage: true });
};

const adminLog = () =>
  (system?.output() ?? '')
    .split('\n')
    .filter((line) => line.startsWith('[admin]'))
    .slice(-20);

/** On a failure: the page as it was and the admin app's log. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const text = await page
      .locator('body')
      .innerText()
      .catch(() => '(no page)');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- page ${page.url()}:\n${text.slice(0, 1500)}\n--- admin log:\n${adminLog().join('\n')}`,
    );
  }
}

/** Opens a page of the console, ready to use. */
const open = (pathname: string) => gotoHydrated(page, `${adminUrl}${pathname}`);

/** A device of a new member, enrolled through the real API with a code made in the UI (English). */
async function enrolledDevice(address: string, name: string): Promise<AdminApiDevice> {
  const device = await AdminApiDevice.create();
  const enrolled = await device.enrol(system?.adminUrl ?? '', await createEnrolmentCode(page, adminUrl, address, name));
  if (enrolled.status !== 201) throw new Error(`enrolment refused: ${JSON.stringify(enrolled.json)}`);
  return device;
}

/** Opens the confirmation of a ConfirmAction (found by its test id), whatever the language. */
async function openConfirmation(testId: string): Promise<void> {
  const control = page.getByTestId(testId).first();
  await control.getByRole('button').first().click();
  await control.getByRole('group').waitFor();
}

/** The outcome of the last action, as the console announces it. */
const outcome = () => page.getByTestId('action-outcome');

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the admin console, for everyone (axe-core in EN and FR at 1280 and 375 px; keyboard alone)', () => {
  beforeAll(async () => {
    adminDbDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-admin-a11y-'));
    // Directory limits small enough that three look-ups raise an alert and a suspension.
    system = await startSystem({
      ADMIN_DB_DIR: adminDbDir,
      ADMIN_DIRECTORY_LOOKUPS_PER_HOUR: '1',
      ADMIN_DIRECTORY_SUSPEND_AFTER_REFUSED: '2',
      ADMIN_DIRECTORY_ANSWER_FLOOR_MS: '0',
    });
    adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
    passkeys = await pageWithPasskeys(browser.context);
    page = passkeys.page;
    sweep = new AccessibilitySweep(page, browser.context, () => adminUrl);
    setupLink = await waitFor(
      'the setup link in the log',
      () => /setup link[^\n]*: (http:\/\/localhost:\d+\/setup#token=[A-Za-z0-9_-]+)/.exec(system?.output() ?? '')?.[1],
    );
  }, 240_000);

  afterAll(async () => {
    console.info(`axe-core audits run: ${sweep?.audits ?? 0}`);
    await browser?.close();
    await system?.stop();
    if (adminDbDir)
      for (const dir of [adminDbDir, `${adminDbDir}-secrets`]) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('signed out: sign-in, recovery, setup with and without its link, and not found', () =>
    explained(async () => {
      await sweep.screen('sign-in', T.signIn, () => open('/sign-in'));
      await sweep.screen('recovery', T.recover, () => open('/recover'));
      await sweep.screen('setup without its link', T.setup, async () => {
        await open('/setup');
        await page.locator('main .error').waitFor();
      });
      await sweep.screen('setup through its link', T.setup, async () => {
        // A fresh document each time: the page reads the link's token once, then drops it from the address.
        await page.goto('about:blank');
        await gotoHydrated(page, setupLink);
        await page.locator('input[name="displayName"]').waitFor();
      });
      await sweep.screen('not found', T.notFound, () => open('/no-such-page'));
      sweep.expectClean();
      // The language switch, by keyboard: the page, its language and its title change; focus stays put.
      await open('/sign-in');
      await tabTo(page, 'Français', named('button', 'Français'));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Connexion', level: 2 }).waitFor();
      await waitFor('the French title', async () => ((await page.title()) === T.signIn.fr ? true : undefined), 10_000);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
      expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Français' });
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toMatchObject({ tag: 'button', name: 'English' });
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
    }));

  test('keyboard alone: the first administrator registers a passkey, signs out and signs in again', () =>
    explained(async () => {
      await page.goto('about:blank');
      await gotoHydrated(page, setupLink);
      await tabTo(page, 'the name field', named('input', 'Your name'));
      await page.keyboard.type('Ada Admin');
      await tabTo(page, 'the passkey button', named('button', 'Create my passkey'));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      // The first stop of every console page skips to its content, and focus goes there.
      await tabTo(page, 'the skip link', named('a', 'Skip to content'), 1);
      await page.keyboard.press('Enter');
      await focusSettlesOn(page, 'the main content', (f) => f.tag === 'main');
      await tabTo(page, 'Sign out', named('button', 'Sign out'));
      await page.keyboard.press('Space');
      await page.waitForURL(`${adminUrl}/sign-in`);
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      await tabTo(page, 'the sign-in button', named('button', 'Sign in with a passkey'));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      expect((await passkeys.credentials())[0]?.signCount).toBeGreaterThanOrEqual(2);
    }));

  test('keyboard alone: an enrolment code is made and a device revoked; focus follows each step and never falls to <body>', () =>
    explained(async () => {
      await open('/members');
      await tabTo(page, 'the address field', named('input', 'Email address'));
      await page.keyboard.type('kim@example.org');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ tag: 'input', name: 'Display name' });
      await page.keyboard.type('Kim Keys');
      await page.keyboard.press('Enter');
      // The code is shown once: focus goes to it, so a screen reader reads it out.
      await focusSettlesOn(page, 'the new code', named('h3', 'Enrolment code for Kim Keys'));
      const code = (await page.getByTestId('enrolment-code-text').textContent()) ?? '';
      // A refused action keeps focus on its button and says why: the code is used while its
      // cancellation is being asked.
      await tabTo(page, 'Cancel the code', named('button', 'Cancel the code'));
      await page.keyboard.press('Enter');
      await focusSettlesOn(page, 'the question', (f) => f.tag === 'p');
      const device = await AdminApiDevice.create();
      expect((await device.enrol(system?.adminUrl ?? '', code)).status).toBe(201);
      await tabTo(page, 'the confirming button', named('button', 'Cancel the code'), 2);
      await page.keyboard.press('Enter');
      await page.getByTestId('cancel-code').getByText('Refused:').waitFor();
      expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Cancel the code' });
      await page.keyboard.press('Escape');
      await focusSettlesOn(page, 'the first button again', named('button', 'Cancel the code'));
      expect(await page.getByTestId('cancel-code').getByRole('group').count()).toBe(0);

      await open('/members');
      await tabTo(page, "Kim's page", named('a', 'kim@example.org'));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Kim Keys', level: 1 }).waitFor();
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      await tabTo(page, 'Revoke…', named('button', 'Revoke…'));
      await page.keyboard.press('Enter');
      // The question takes focus; choosing a reason keeps it on the list; Cancel gives it back.
      await focusSettlesOn(page, 'the question', (f) => f.tag === 'p');
      expect(await page.locator('p:focus').textContent()).toMatch(
        new RegExp(`^Revoke device ${device.deviceIdHex}\\?`),
      );
      await tabTo(page, 'the reason', (f) => f.tag === 'select', 1);
      await page.keyboard.press('ArrowDown');
      expect(await page.locator('select:focus').inputValue()).toBe('compromised');
      await tabTo(page, 'Revoke', named('button', 'Revoke'), 1);
      await tabTo(page, 'Cancel', named('button', 'Cancel'), 1);
      await page.keyboard.press('Enter');
      await focusSettlesOn(page, 'Revoke… again', named('button', 'Revoke…'));
      // Escape also leaves the question, back where one was.
      await page.keyboard.press('Enter');
      await focusSettlesOn(page, 'the question', (f) => f.tag === 'p');
      await page.keyboard.press('Escape');
      await focusSettlesOn(page, 'Revoke… again', named('button', 'Revoke…'));
      await page.keyboard.press('Enter');
      await tabTo(page, 'the reason', (f) => f.tag === 'select', 1);
      await tabTo(page, 'Revoke', named('button', 'Revoke'), 1);
      await page.keyboard.press('Space');
      // The row's controls are gone with the device: focus goes to the outcome, which says what happened.
      const row = page.locator(`tr[data-device-id="${device.deviceIdHex}"]`);
      await row.getByTestId('device-status').getByText('revoked', { exact: true }).waitFor({ timeout: 15_000 });
      await focusSettlesOn(page, 'the outcome', (f) => f.role === 'status');
      expect(await outcome().textContent()).toMatch(/^Revoked 1; revocation list version \d+\.$/);
      await shot('revoked-by-keyboard');
      await page.setViewportSize({ width: 375, height: 900 });
      await shot('revoked-by-keyboard-narrow');
      await page.setViewportSize({ width: 1280, height: 900 });
    }));

  test('members: the list, a code just made, and the question before cancelling a code', () =>
    explained(async () => {
      let n = 0;
      await sweep.screen('members, a code just made', T.members, async (locale: Locale) => {
        await open('/members');
        await page.locator('input[name="address"]').fill(`member-${locale}-${++n}@example.org`);
        await page.locator('input[name="displayName"]').fill(locale === 'en' ? 'Ann Member' : 'Anne Membre');
        await page.locator('form button[type="submit"]').click();
        await page.getByTestId('enrolment-code-text').waitFor();
      });
      await sweep.screen('members, cancelling a code', T.members, async () => {
        await open('/members');
        await openConfirmation('cancel-code');
      });
      sweep.expectClean();
    }));

  test("a member's page: devices, every question, a revoked device, a disabled member", () =>
    explained(async () => {
      for (let i = 0; i < 2; i++) await enrolledDevice(`ines.${i}@example.org`, `Inès Dupont ${i}`);
      await sweep.screen(
        "a member's page, the revocation and disabling questions open",
        T.member('Inès Dupont 0'),
        async () => {
          await openMember(page, adminUrl, 'ines.0@example.org');
          await openConfirmation('revoke-device');
          await openConfirmation('disable-member');
        },
      );
      // Three more devices: one to revoke in each language, and still two for "Revoke all devices…".
      for (let i = 0; i < 3; i++) await enrolledDevice('ines.0@example.org', 'Inès Dupont 0');
      await sweep.screen("a member's page, a device just revoked", T.member('Inès Dupont 0'), async () => {
        await openMember(page, adminUrl, 'ines.0@example.org');
        const control = page.getByTestId('revoke-device').first();
        await control.getByRole('button').click();
        await control.getByRole('combobox').selectOption('compromised');
        await control.getByRole('group').getByRole('button').first().click();
        await outcome().waitFor();
        await openConfirmation('revoke-all');
      });
      await sweep.screen(
        'a disabled member, and the question to enable it again',
        T.member('Inès Dupont 1'),
        async (locale: Locale) => {
          await openMember(page, adminUrl, 'ines.1@example.org');
          if (locale === 'en') {
            await openConfirmation('disable-member');
            await page.getByTestId('disable-member').getByRole('group').getByRole('button').first().click();
            await page.getByTestId('enable-member').waitFor();
          }
          await openConfirmation('enable-member');
        },
      );
      sweep.expectClean();
    }));

  test('directory alerts: the banner on every page, the suspended member and the acknowledgement', () =>
    explained(async () => {
      const device = await enrolledDevice('carol@example.org', 'Carol Petit');
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await device.lookUp(system?.adminUrl ?? '', `someone-${i}@example.org`)).status);
      expect(statuses.slice(1)).toEqual([429, 429]);
      await sweep.screen('organisation, with directory alerts', T.organisation, async () => {
        await open('/organisation');
        await page.getByTestId('directory-alerts').waitFor();
      });
      await sweep.screen("a suspended member's page", T.member('Carol Petit'), async () => {
        await openMember(page, adminUrl, 'carol@example.org');
        await page.getByTestId('directory-suspended').waitFor();
      });
      // Acknowledging removes its own button: focus goes to the outcome.
      await openMember(page, adminUrl, 'carol@example.org');
      await page.getByTestId('directory-acknowledge').first().getByRole('button').focus();
      await page.keyboard.press('Enter');
      await focusSettlesOn(page, 'the outcome', (f) => f.role === 'status');
      sweep.expectClean();
    }));

  test('organisation: keys, a next key and the question before activating it', () =>
    explained(async () => {
      await sweep.screen(
        'organisation, a next key prepared and its activation asked',
        T.organisation,
        async (locale: Locale) => {
          await open('/organisation');
          if (locale === 'en') {
            await page.getByRole('button', { name: 'Prepare a next key' }).click();
            await outcome().waitFor();
            await page.getByTestId('org-keys').getByText('next (pinned, not signing yet)').waitFor();
          }
          await openConfirmation('activate-key');
        },
      );
      sweep.expectClean();
    }));

  test('audit log, administrators (an invitation link, cancelling it, resetting and removing another), members in every state, and a console page not found', () =>
    explained(async () => {
      await sweep.screen('audit log', T.audit, () => open('/audit'));
      await sweep.screen('administrators, an invitation just made', T.admins, async () => {
        await open('/admins');
        const pendingBefore = await page.getByTestId('cancel-link').count();
        await page.getByTestId('invite-admin').getByRole('button').click();
        await page.getByTestId('one-time-link').waitFor();
        // The link shows before the page refreshes its list of pending links; audit the page the
        // refresh leaves (Next.js takes the <title> away while a refresh is under way).
        await waitFor('the new link among the pending links', async () =>
          (await page.getByTestId('cancel-link').count()) > pendingBefore ? true : undefined,
        );
      });
      await sweep.screen('administrators, cancelling a link', T.admins, async () => {
        await open('/admins');
        await openConfirmation('cancel-link');
      });
      await sweep.screen('members, with members in every state', T.members, () => open('/members'));
      await sweep.screen('a member that does not exist', T.notFound, () =>
        open('/members/0190b3c2-7d4e-7a00-8000-000000000000'),
      );

      // A second administrator registers through an invitation (in the same browser, with a passkey
      // of her own): Ada's row then has "Reset passkeys…" and "Remove…", both asked at once.
      await open('/admins');
      await page.getByTestId('invite-admin').getByRole('button').click();
      const invitation = (await page.getByTestId('one-time-link').textContent()) ?? '';
      const second = await pageWithPasskeys(page.context());
      await gotoHydrated(second.page, invitation);
      await second.page.getByLabel('Your name').fill('Bea Admin');
      await second.page.getByRole('button', { name: 'Create my passkey' }).click();
      await second.page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      await second.page.close();
      await sweep.screen("administrators, another administrator's reset and removal asked", T.admins, async () => {
        await open('/admins');
        await openConfirmation('reset-passkeys');
        await openConfirmation('remove-admin');
      });
      sweep.expectClean();
    }));
});
