/**
 * The admin app end to end, through `npm start`'s code path and a real Chromium:
 *  1. first start: the one-time setup link from the log; the first admin registers a passkey
 *     (Chromium's virtual authenticator; no recovery codes are shown), signs out and back in;
 *  2. an enrolment code made in the UI; a device (libs/crypto keys) enrols through the real HTTP
 *     API; the admin revokes it in the UI and the revocation list version goes up;
 *  3. second start, the relay configured from the admin's relay export and the admin pushing to
 *     it: a revoked device gets no access token, and a connected colleague's device holds the
 *     new revocation list within 2 seconds of the admin's revocation.
 * Throughout, every page runs under its nonce Content-Security-Policy with no violation, and the
 * browser's time zone is Europe/Paris, so the console's times are seen turning local. Each step
 * waits for the state of the page (hydrated, dialog open), never for time, so that a loaded
 * machine makes the test slower, not red.
 * Screenshots of the main screens land in test-output/screenshots/admin-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { isRevoked, verifyRevocationList } from '@opendescent/protocol';
import { pageWithPasskeys, type PasskeyPage } from './support/admin-browser';
import {
  confirmRevocation,
  createEnrolmentCode,
  followLink,
  gotoHydrated,
  openMember,
  slowDownScripts,
  waitFor,
  waitForHydration,
} from './support/admin-console';
import { type CspWatch, watchCsp } from './support/admin-csp';
import { AdminApiDevice } from './support/admin-device';
import { RevocationWatch } from './support/admin-relay';
import { chromiumAvailable, launchBrowser, screenshotDir } from './support/browser';
import { type RunningSystem, freePort, startSystem } from './support/system';

/** The admin database, kept across the two starts. */
let adminDbDir: string;
let system: RunningSystem | undefined;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let passkeys: PasskeyPage;
let page: Page;
let csp: CspWatch;
/** The admin app as the browser must reach it: passkeys need a domain name, so localhost. */
let adminUrl: string;
let relayEnv: Record<string, string> = {};
const revokedDevice = { device: undefined as AdminApiDevice | undefined, listVersion: 0 };

const shot = async (name: string) => {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `admin-${name}.png`), fullPage: true });
};

/** The admin app's recent log lines, shown with a failed expectation. */
const adminLog = () =>
  (system?.output() ?? '')
    .split('\n')
    .filter((line) => line.startsWith('[admin]'))
    .slice(-20);

async function listVersionServed(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/revocation-list`);
  return Number(response.headers.get('x-revocation-list-version'));
}

const createCodeInUi = (address: string, displayName: string) =>
  createEnrolmentCode(page, adminUrl, address, displayName);

/** Checks that nothing was refused by the CSP so far, naming what was. */
function expectNoCspViolation(): void {
  expect({ violations: csp.violations, pageErrors: csp.pageErrors }).toEqual({ violations: [], pageErrors: [] });
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

/** On a failure: the page as it was and the admin app's log, so the report says why. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await shot('failure').catch(() => undefined);
    const text = await page
      .locator('body')
      .innerText()
      .catch(() => '(no page)');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- page ${page.url()}:\n${text.slice(0, 1500)}\n--- admin log:\n${adminLog().join('\n')}`,
    );
  }
}

describeInBrowser('the admin app in Chromium', () => {
  beforeAll(async () => {
    adminDbDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-admin-e2e-'));
    system = await startSystem({ ADMIN_DB_DIR: adminDbDir });
    adminUrl = system.adminUrl.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
    passkeys = await pageWithPasskeys(browser.context);
    page = passkeys.page;
    csp = await watchCsp(page);
    // A zone other than the server's UTC, so that local times are visibly local.
    await passkeys.cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Europe/Paris' });
    // Scripts that arrive late, as on a loaded machine: every step must wait for hydration.
    await slowDownScripts(page, 750);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    if (adminDbDir)
      for (const dir of [adminDbDir, `${adminDbDir}-secrets`]) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('the first admin registers a passkey through the one-time setup link, then signs out and in', () =>
    explained(async () => {
      const link = await waitFor(
        'the setup link in the log',
        () =>
          /setup link[^\n]*: (http:\/\/localhost:\d+\/setup#token=[A-Za-z0-9_-]+)/.exec(system?.output() ?? '')?.[1],
      );
      expect(link.startsWith(`${adminUrl}/setup#token=`)).toBe(true);
      await gotoHydrated(page, link);
      await page.getByLabel('Your name').fill('Ada Admin');
      // The token left the address bar once read.
      expect(page.url()).toBe(`${adminUrl}/setup`);
      await shot('setup');
      await page.getByRole('button', { name: 'Create my passkey' }).click();
      // Registered and signed in, straight to the console: there are no recovery codes to show.
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('recovery-codes').count()).toBe(0);
      expect(await passkeys.credentials()).toMatchObject([{ rpId: 'localhost', isResidentCredential: true }]);
      await waitForHydration(page);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${adminUrl}/sign-in`);
      await page.goto(`${adminUrl}/members`);
      await page.waitForURL(`${adminUrl}/sign-in`);
      await waitForHydration(page);
      await shot('sign-in');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      expect((await passkeys.credentials())[0]?.signCount).toBeGreaterThanOrEqual(2);
      expectNoCspViolation();
    }));

  test('every console page is served under a nonce CSP, hydrates (its scripts ran) and has no violation; malformed member ids are 404', () =>
    explained(async () => {
      const notFound = [
        '/members/0190b3c2-7d4e-7a00-8000-000000000000',
        '/members/0190B3C2-7D4E-7A00-8000-000000000000',
        '/members/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
        `/members/${'-'.repeat(36)}`,
        '/no-such-page',
      ];
      const pages = ['/sign-in', '/setup', '/recover', '/members', '/organisation', '/audit', '/admins', ...notFound];
      const nonces = new Set<string>();
      for (const pathname of pages) {
        const response = await page.goto(`${adminUrl}${pathname}`);
        // An unknown or malformed member id is "not found", never a server error.
        expect([pathname, response?.status()]).toEqual([pathname, notFound.includes(pathname) ? 404 : 200]);
        const headers = response?.headers() ?? {};
        const policy = headers['content-security-policy'] ?? '';
        expect([pathname, policy]).toEqual([
          pathname,
          expect.stringMatching(/script-src 'self' 'nonce-[A-Za-z0-9+/]+=*' 'strict-dynamic'; style-src 'self';/),
        ]);
        expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
        nonces.add(/'nonce-([^']+)'/.exec(policy)?.[1] ?? '');
        expect(headers).toMatchObject({
          'x-frame-options': 'DENY',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        // Plain http on localhost: no HSTS, or the browser would refuse http://localhost afterwards.
        expect(headers['strict-transport-security']).toBeUndefined();
        // React attached itself: the App Router's inline bootstrap scripts ran under the policy.
        await waitForHydration(page);
      }
      expect(nonces.size).toBe(pages.length);
      await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
      expectNoCspViolation();
    }));

  test('a code made in the UI enrols a device over the real API; revoking it in the UI raises the list version', () =>
    explained(async () => {
      const code = await createCodeInUi('Alice.Martin@Example.org', 'Alice Martin');
      expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
      // The tables refresh in place (no reload) with the new member and code, and the code shown
      // once is still on screen afterwards.
      await page.getByTestId('enrolment-codes').getByText('alice.martin@example.org').waitFor();
      await page.getByRole('link', { name: 'alice.martin@example.org' }).waitFor();
      expect(await page.getByTestId('enrolment-code-text').textContent()).toBe(code);
      // Its expiry in the browser's zone (Europe/Paris in this test).
      await page.getByTestId('enrolment-code').locator('time[data-zone="local"]').waitFor();
      expect(await page.getByTestId('enrolment-code').locator('time').textContent()).toMatch(/ (CET|CEST)$/);
      await shot('members-enrolment-code');

      const device = await AdminApiDevice.create();
      const enrolled = await device.enrol(system?.adminUrl ?? '', code);
      if (enrolled.status !== 201)
        throw new Error(`enrolment refused: ${JSON.stringify(enrolled.json)}\n${adminLog().join('\n')}`);
      // The code was single use.
      expect((await (await AdminApiDevice.create()).enrol(system?.adminUrl ?? '', code)).json.error).toBe('code_used');

      await openMember(page, adminUrl, 'alice.martin@example.org');
      const row = page.locator(`tr[data-device-id="${device.deviceIdHex}"]`);
      expect(await row.getByTestId('device-status').textContent()).toBe('active');
      const before = await listVersionServed(adminUrl);
      expect(await page.getByTestId('revocation-list-version').textContent()).toBe(
        `Revocation list version: ${before}`,
      );
      await shot('member');

      await confirmRevocation(page, adminUrl, 'alice.martin@example.org', device.deviceIdHex);
      // The confirmation's own message lives only until the page refreshes with the new state, so
      // the test waits for that state: the device marked revoked and the list version one higher.
      await page
        .getByTestId('revocation-list-version')
        .and(page.getByText(`Revocation list version: ${before + 1}`))
        .waitFor({ timeout: 15_000 });
      await row
        .getByTestId('device-status')
        .and(page.getByText('revoked', { exact: true }))
        .waitFor({ timeout: 15_000 });
      await row.getByTestId('device-status').getByText('revoked').waitFor();
      await shot('member-revoked');

      const listResponse = await fetch(`${adminUrl}/api/v1/revocation-list`);
      expect(Number(listResponse.headers.get('x-revocation-list-version'))).toBe(before + 1);
      const org = (await (await fetch(`${adminUrl}/api/v1/org`)).json()) as {
        orgId: string;
        keys: { publicKey: string }[];
      };
      const trusted = org.keys.map((key) => ({
        orgId: new Uint8Array(Buffer.from(org.orgId, 'base64url')),
        publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')),
      }));
      const list = await verifyRevocationList(new Uint8Array(await listResponse.arrayBuffer()), trusted);
      expect(isRevoked(list, device.deviceId as Uint8Array)).toBe(true);
      expect((await device.renew(system?.adminUrl ?? '')).json.error).toBe('device_revoked');
      revokedDevice.device = device;
      revokedDevice.listVersion = before + 1;
      expectNoCspViolation();
    }));

  test('the organisation page shows the org id, keys and list version, and exports the relay configuration', () =>
    explained(async () => {
      await gotoHydrated(page, `${adminUrl}/organisation`);
      const orgId = await page.getByTestId('org-id').textContent();
      expect(orgId).toMatch(/^[0-9a-f]{32}$/);
      expect(await page.getByTestId('revocation-list-version').textContent()).toContain(
        `Current version: ${revokedDevice.listVersion}`,
      );
      await shot('organisation');
      const exported = await page.request.get(`${adminUrl}/api/admin/relay-config`);
      expect(exported.status()).toBe(200);
      const text = await exported.text();
      relayEnv = Object.fromEntries(
        text
          .split('\n')
          .filter((line) => /^RELAY_[A-Z_]+=/.test(line))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(relayEnv.RELAY_ORG_ID).toBe(orgId);
      expect(relayEnv.RELAY_ORG_PUBLIC_KEYS).toMatch(/^[0-9a-f]{64}$/);

      await gotoHydrated(page, `${adminUrl}/audit`);
      const audit = page.getByTestId('audit-log');
      for (const action of [
        'device.revoked',
        'device.enrolled',
        'enrolment_code.created',
        'admin.signed_in',
        'admin.registered',
      ]) {
        await audit.getByText(action, { exact: true }).first().waitFor();
      }
      // Actors by name: the administrator, and the device as its member with a short device id.
      const actorOf = (action: string) =>
        audit
          .locator('tr', { has: page.getByText(action, { exact: true }) })
          .first()
          .getByTestId('audit-actor');
      expect(await actorOf('admin.registered').innerText()).toBe('Ada Admin (administrator)');
      expect(await actorOf('device.enrolled').innerText()).toBe(
        `Alice Martin (alice.martin@example.org) device ${revokedDevice.device?.deviceIdHex.slice(0, 8)}`,
      );
      // Times in the browser's zone, with the zone named; the exact instant stays in dateTime.
      const firstTime = audit.locator('time').first();
      await audit.locator('time[data-zone="local"]').first().waitFor();
      expect(await firstTime.textContent()).toMatch(/^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2} (CET|CEST)$/);
      expect(await firstTime.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      await shot('audit');
      await gotoHydrated(page, `${adminUrl}/admins`);
      await shot('admins');
      await page.getByRole('button', { name: 'Français' }).click();
      await page.getByRole('heading', { name: 'Administrateurs', level: 1 }).waitFor();
      await gotoHydrated(page, `${adminUrl}/members`);
      await page.getByRole('heading', { name: 'Membres', level: 1 }).waitFor();
      await shot('members-fr');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      // A phone-sized window: everything still reachable, tables scroll inside their card.
      await page.setViewportSize({ width: 390, height: 844 });
      await followLink(page, 'alice.martin@example.org', /\/members\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Alice Martin', level: 1 }).waitFor();
      await shot('member-narrow');
      await page.setViewportSize({ width: 1280, height: 720 });
      expectNoCspViolation();
    }));

  test('with the relay configured from the export, a revoked device gets no token and a connected colleague holds the new list within 2 s', () =>
    explained(async () => {
      await system?.stop();
      const relayPort = await freePort();
      const adminPort = await freePort();
      const relayUrl = `http://127.0.0.1:${relayPort}`;
      system = await startSystem({
        ADMIN_DB_DIR: adminDbDir,
        RELAY_PORT: String(relayPort),
        ADMIN_PORT: String(adminPort),
        ...relayEnv,
        RELAY_ORG_URL: `http://127.0.0.1:${adminPort}/api/v1/org`,
        RELAY_REVOCATION_LIST_URL: `http://127.0.0.1:${adminPort}/api/v1/revocation-list`,
        RELAY_TOKEN_KEYS_URL: `http://127.0.0.1:${adminPort}/api/v1/token-keys`,
        ADMIN_RELAY_URLS: relayUrl,
      });
      adminUrl = `http://localhost:${adminPort}`;
      // The admin app pushes its current list to the relay at start.
      await waitFor('the relay to hold the current list', async () => {
        const response = await fetch(`${relayUrl}/revocation-list`);
        if (response.status !== 200) return undefined;
        const list = await verifyRevocationList(new Uint8Array(await response.arrayBuffer()), [
          {
            orgId: new Uint8Array(Buffer.from(relayEnv.RELAY_ORG_ID ?? '', 'hex')),
            publicKey: new Uint8Array(Buffer.from(relayEnv.RELAY_ORG_PUBLIC_KEYS ?? '', 'hex')),
          },
        ]);
        return list.listVersion === revokedDevice.listVersion ? list : undefined;
      });

      // A revoked device gets no access token any more (the relay itself no longer knows devices).
      expect(await (revokedDevice.device as AdminApiDevice).accessToken(system.adminUrl, relayUrl)).toMatchObject({
        status: 403,
        json: { error: 'device_revoked' },
      });

      // The passkey made on the first start still signs in (same relying party id, new port).
      await gotoHydrated(page, `${adminUrl}/sign-in`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      const device = await AdminApiDevice.create();
      expect((await device.enrol(system.adminUrl, await createCodeInUi('bob@example.org', 'Bob Durand'))).status).toBe(
        201,
      );
      // A colleague's connection, by an anonymous token: the relay forwards the new list to it.
      const colleague = await AdminApiDevice.create();
      expect(
        (await colleague.enrol(system.adminUrl, await createCodeInUi('carla@example.org', 'Carla Petit'))).status,
      ).toBe(201);
      const issued = await colleague.accessToken(system.adminUrl, relayUrl);
      if (!issued.token) throw new Error(`no access token: ${JSON.stringify(issued)}`);
      const connection = await RevocationWatch.open(relayUrl, issued.token);
      try {
        const clicked = await confirmRevocation(page, adminUrl, 'bob@example.org', device.deviceIdHex);
        const forwardedAt = await connection.revocationOf(device.deviceIdHex, 5_000);
        console.info(
          `the relay forwarded the revocation to a connected device ${forwardedAt - clicked} ms after the admin confirmed it`,
        );
        expect(forwardedAt - clicked).toBeLessThan(2_000);
        expect(await device.accessToken(system.adminUrl, relayUrl)).toMatchObject({
          status: 403,
          json: { error: 'device_revoked' },
        });
        await page
          .locator(`tr[data-device-id="${device.deviceIdHex}"]`)
          .getByTestId('device-status')
          .and(page.getByText('revoked', { exact: true }))
          .waitFor();
      } finally {
        connection.close();
      }
      await page.goto(`${adminUrl}/organisation`);
      await page.getByText(`${relayUrl}: holds version ${revokedDevice.listVersion + 1}`).waitFor({ timeout: 10_000 });
      await shot('organisation-relays');
      expectNoCspViolation();
    }));

  // Last, because it spends this address's failure budgets (the same loopback address as the
  // browser's) for the next 15 minutes: earlier steps that expect a specific refusal would get 429.
  test("junk sign-ins, registrations and enrolments from the administrator's own address earn it 429s, yet her passkey signs in and a real code enrols", () =>
    explained(async () => {
      const direct = system?.adminUrl ?? '';
      const statuses = async (count: number, route: string, body: unknown): Promise<number[]> => {
        const seen: number[] = [];
        for (let i = 0; i < count; i++) {
          const response = await fetch(`${direct}${route}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: adminUrl },
            body: JSON.stringify(body),
          });
          seen.push(response.status);
        }
        return seen;
      };
      const junkAssertion = { challengeId: 'AQID', response: { id: 'bm90LWEtcGFzc2tleQ', response: {} } };
      const verify = await statuses(40, '/api/auth/sign-in/verify', junkAssertion);
      expect(verify.slice(0, 30).every((status) => status === 400)).toBe(true);
      expect(verify.slice(30).every((status) => status === 429)).toBe(true);
      // Asking for sign-in options stores nothing and is never refused.
      expect(new Set(await statuses(100, '/api/auth/sign-in/options', {}))).toEqual(new Set([200]));
      const register = await statuses(30, '/api/auth/register/options', { token: 'not-a-link', displayName: 'Eve' });
      expect(register.slice(20).every((status) => status === 429)).toBe(true);
      const enrol = await statuses(60, '/api/v1/enrol', {});
      expect(enrol.slice(30).every((status) => status === 429)).toBe(true);

      // The real administrator, from the same address, with her passkey.
      await gotoHydrated(page, `${adminUrl}/members`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${adminUrl}/sign-in`);
      await waitForHydration(page);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 30_000 });
      // And a real enrolment code, redeemed from the same address.
      const device = await AdminApiDevice.create();
      expect((await device.enrol(direct, await createCodeInUi('carol@example.org', 'Carol Petit'))).status).toBe(201);

      // Carol's device turns to scraping the directory: past its hourly limit (20) it is refused,
      // and the administrator sees the alert on every console page and on Carol's page.
      const lookups: number[] = [];
      for (let i = 0; i < 22; i++) lookups.push((await device.lookUp(direct, `someone-${i}@example.org`)).status);
      expect(lookups.slice(0, 20).every((status) => status === 200)).toBe(true);
      expect(lookups.slice(20)).toEqual([429, 429]);
      await gotoHydrated(page, `${adminUrl}/organisation`);
      const banner = page.getByTestId('directory-alerts');
      await banner
        .getByText('Carol Petit (carol@example.org): a device reached its hourly directory limit', { exact: false })
        .waitFor();
      await banner.getByRole('link', { name: 'Review' }).click();
      await page.getByRole('heading', { name: 'Carol Petit', level: 1 }).waitFor();
      await waitForHydration(page);
      await shot('directory-alert');
      await page.getByTestId('directory-panel').getByTestId('directory-acknowledge').click();
      await page.getByTestId('directory-panel').waitFor({ state: 'detached' });
      expect(await page.getByTestId('directory-alerts').count()).toBe(0);
      expectNoCspViolation();
    }));
});
