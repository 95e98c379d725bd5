/**
 * What every way of starting the whole system must give (start.e2e.ts for `npm start`,
 * start-prod.e2e.ts for `npm run start:prod`): the three apps up on embedded defaults, the banner's
 * URLs answering, a real browser showing the web client's first-run screen under its content
 * security policy, and Ctrl-C leaving no process behind.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { chromiumAvailable, launchBrowser, screenshotDir } from './browser';
import type { RunningSystem } from './system';

/**
 * Declares the checks in a `describe(title)`, on the system `start` starts before them; `more`
 * declares checks of its own (before the last one, which stops the system).
 */
export function describeStartedSystem(
  title: string,
  start: () => Promise<RunningSystem>,
  options: { readonly screenshotPrefix?: string; readonly more?: (system: () => RunningSystem) => void } = {},
): void {
  let system: RunningSystem;
  const prefix = options.screenshotPrefix ?? '';

  beforeAll(async () => {
    system = await start();
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe(title, () => {
    it('serves the relay health check, the admin sign-in page and the web start page', async () => {
      expect(await (await fetch(`${system.relayUrl}/health`)).json()).toMatchObject({ status: 'ok' });
      const signIn = await fetch(`${system.adminUrl}/sign-in`);
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).toContain('Sign in with a passkey');
      const admin = await fetch(`${system.adminUrl}/`, { redirect: 'manual' });
      expect(admin.headers.get('location')).toMatch(/\/sign-in$/);
      expect(await (await fetch(`${system.webUrl}/`)).text()).toContain('OpenDescent');
    });

    it('has an admin app whose embedded database answers (migrated at start)', async () => {
      const response = await fetch(`${system.adminUrl}/api/health`);
      expect(await response.json()).toEqual({ service: 'opendescent-admin', status: 'ok', database: 'embedded' });
      expect(system.output()).toMatch(
        /"service":"opendescent-admin".*"msg":"database embedded PGlite in \S+ is up to date/,
      );
    });

    it('has a relay that accepts a socket.io connection', async () => {
      // The relay protocol itself is tested in apps/relay; here: the started relay takes a socket.
      const socket = io(system.relayUrl, { transports: ['websocket'], reconnection: false });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        expect(socket.connected).toBe(true);
      } finally {
        socket.close();
      }
    });

    (chromiumAvailable ? it : it.skip)(
      'shows the web client in Chromium under its CSP, with no inline script and no violation',
      async () => {
        const { context, close } = await launchBrowser();
        try {
          const page = await context.newPage();
          const problems: string[] = [];
          page.on('console', (message) => {
            if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
          });
          page.on('pageerror', (error) => problems.push(error.message));
          const response = await page.goto(`${system.webUrl}/`);
          const csp = response?.headers()['content-security-policy'] ?? '';
          expect(csp).toContain("script-src 'self'");
          expect(csp).not.toContain('unsafe-inline');
          expect(csp).toContain(new URL(system.relayUrl).host);
          // First run: the worker answered (it reports that no vault exists yet).
          await page.getByTestId('passphrase-input').waitFor({ timeout: 30_000 });
          const inlineScripts = await page.locator('script:not([src]):not([type="application/json"])').count();
          expect(inlineScripts).toBe(0);
          expect(problems).toEqual([]);
          mkdirSync(screenshotDir, { recursive: true });
          await page.screenshot({ path: path.join(screenshotDir, `${prefix}web-start.png`), fullPage: true });

          const admin = await context.newPage();
          await admin.goto(`${system.adminUrl}/`);
          await admin.getByRole('heading', { name: 'Sign in' }).waitFor();
          await admin.screenshot({ path: path.join(screenshotDir, `${prefix}admin-sign-in.png`), fullPage: true });
        } finally {
          await close();
        }
      },
    );

    options.more?.(() => system);

    it('stops everything on Ctrl-C and leaves no process behind', async () => {
      expect(system.survivors().length).toBeGreaterThanOrEqual(3);
      expect(await system.stop()).toBe(0);
      // Give the kernel a moment to reap the process groups.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(system.survivors()).toEqual([]);
      for (const url of [system.relayUrl, system.adminUrl, system.webUrl]) {
        await expect(fetch(url)).rejects.toThrow();
      }
    });
  });
}
