/**
 * Production as an operator deploys it (issue 17): `npm run start:prod` behind Debian's Caddy with
 * the repository's Caddyfile, `tls internal` on loopback names, and the whole journey over https
 * in Chromium: the first administrator's passkey, two staff enrolled, a message each way. The
 * browsers trust Caddy's authority through a flag of their own (support/caddy.ts); nothing on the
 * machine does, and a browser without the flag is refused. Also checked through the proxy: HSTS on
 * every app, the admin session cookie `Secure` and `__Host-`, and the relay's /metrics not
 * published.
 * With Redis (REDIS_URL: CI), the relay name is served by two more relay nodes sharing the store
 * (WebSocket only, no sticky sessions), and the node holding connections is killed (SIGKILL)
 * mid-conversation: both people reconnect to the other node through the proxy, and nothing is
 * lost, neither the message sent just before nor the one sent while reconnecting. The store is
 * then a Redis managed by Sentinel, as operations.md §2a runs it (redis-server processes of the
 * test's own: a primary, two replicas, three sentinels; every write confirmed by a replica), and
 * its primary is killed mid-conversation too: the relays follow the promoted replica, and nothing
 * acknowledged or sent during the failover is lost or shown twice.
 */
import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumAvailable, launchBrowser } from './support/browser';
import { caddyAvailable, startCaddy, type RunningCaddy } from './support/caddy';
import { startRelayNode, type RelayNode } from './support/relay-node';
import { LocalSentinelSet } from '../../apps/relay/test/support/redis-sentinel';
import { type RunningSystem, freePort, startSystem } from './support/system';
import { enrolStaff, startDirectChat, type EnrolledStaff } from './support/web-staff';

const STAFF = {
  anne: { address: 'anne@ministry.example', name: 'Anne Leroy' },
  basile: { address: 'basile@ministry.example', name: 'Basile Roche' },
} as const;
type Name = keyof typeof STAFF;

const run = chromiumAvailable && caddyAvailable ? describe : describe.skip;
if (!chromiumAvailable || !caddyAvailable)
  console.warn('[e2e] https behind Caddy SKIPPED: needs /usr/bin/chromium and /usr/bin/caddy (.ci/run installs both)');
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('[e2e] two relay nodes behind Caddy SKIPPED: set REDIS_URL (CI does)');

run('the whole journey over https behind Caddy', () => {
  let system: RunningSystem | undefined;
  let caddy: RunningCaddy | undefined;
  let staff: EnrolledStaff<Name> | undefined;
  /** With Redis: the two nodes behind the relay name (start.mjs's own relay shares their store). */
  const nodes: RelayNode[] = [];
  /** With Redis: the store, behind Sentinel. */
  let sentinels: LocalSentinelSet | undefined;
  const attachmentDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-attachments-'));
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    if (REDIS_URL) sentinels = await LocalSentinelSet.start(2);
    const names = { web: 'web.opendescent.test', admin: 'admin.opendescent.test', relay: 'relay.opendescent.test' };
    const publicUrl = (name: string) => `https://${name}:${port}`;
    const relayEnv: Record<string, string> = {
      RELAY_ALLOWED_ORIGINS: publicUrl(names.web),
      RELAY_TOKEN_ORIGINS: `${names.relay}:${port}`,
      ...(sentinels
        ? {
            RELAY_STORE: 'redis',
            // Empty: unset (the test's own environment has it), so the sentinels are the store.
            REDIS_URL: '',
            RELAY_REDIS_SENTINELS: sentinels.sentinelList,
            RELAY_REDIS_SENTINEL_NAME: sentinels.name,
            RELAY_REDIS_MIN_REPLICAS: '1',
            RELAY_REDIS_PREFIX: `od-e2e-${process.pid}-${Date.now()}:`,
            RELAY_ATTACHMENT_DIR: attachmentDir,
          }
        : {}),
    };
    system = await startSystem(
      {
        ADMIN_PUBLIC_URL: publicUrl(names.admin),
        ADMIN_TRUSTED_PROXY_HEADER: 'X-Forwarded-For',
        ADMIN_TRUSTED_PROXIES: '127.0.0.1,::1',
        WEB_ADMIN_URL: publicUrl(names.admin),
        WEB_RELAY_URL: publicUrl(names.relay),
        ...relayEnv,
      },
      180_000,
      ['--prod'],
    );
    const hostPort = (url: string) => new URL(url).host;
    let relays = [hostPort(system.relayUrl)];
    if (REDIS_URL) {
      // The organisation as start.mjs pins it for its own relay.
      const org = (await (await fetch(`${system.adminUrl}/api/v1/org`)).json()) as {
        orgId: string;
        keys: { publicKey: string }[];
      };
      const hex = (base64url: string) => Buffer.from(base64url, 'base64url').toString('hex');
      for (let i = 0; i < 2; i++)
        nodes.push(
          await startRelayNode({
            ...relayEnv,
            RELAY_ORG_ID: hex(org.orgId),
            RELAY_ORG_PUBLIC_KEYS: org.keys.map((key) => hex(key.publicKey)).join(','),
            RELAY_ORG_URL: `${system.adminUrl}/api/v1/org`,
            RELAY_REVOCATION_LIST_URL: `${system.adminUrl}/api/v1/revocation-list`,
            RELAY_TOKEN_KEYS_URL: `${system.adminUrl}/api/v1/token-keys`,
            RELAY_LOG_LEVEL: 'warn',
          }),
        );
      relays = nodes.map((node) => node.hostPort);
    }
    caddy = await startCaddy(port, { web: hostPort(system.webUrl), admin: hostPort(system.adminUrl), relays }, names);
  }, 240_000);

  afterAll(async () => {
    for (const browser of Object.values(staff?.browsers ?? {})) await browser.close();
    await caddy?.stop();
    for (const node of nodes) await node.kill();
    await system?.stop();
    await sentinels?.stop();
    rmSync(attachmentDir, { recursive: true, force: true });
  });

  const page = (who: Name | 'admin'): Page => {
    if (!staff) throw new Error('staff not enrolled');
    return staff.pages[who];
  };
  const send = async (who: Name, text: string) => {
    await page(who).getByTestId('composer-input').fill(text);
    await page(who).getByTestId('composer-input').press('Enter');
  };
  /** Until the sender's own message shows that a relay stored it (sent, delivered or read). */
  const stored = (who: Name, text: string) =>
    page(who)
      .locator(
        '[data-testid="message"][data-mine="true"]:is([data-status="sent"], [data-status="delivered"], [data-status="read"])',
      )
      .filter({ hasText: text })
      .first()
      .waitFor({ timeout: 30_000 });

  test('the administrator registers a passkey and two staff enrol, over https only', async () => {
    if (!system || !caddy) throw new Error('not started');
    staff = await enrolStaff(system, STAFF, 'violet-harbour-47-lantern', problems, {
      everyBrowserArgs: caddy.browserArgs,
      urls: { admin: caddy.urls.admin, web: caddy.urls.web },
    });
    // Every page the people used was served by Caddy over https, under the public names.
    for (const who of ['admin', 'anne', 'basile'] as const)
      expect(page(who).url()).toMatch(/^https:\/\/[a-z]+\.opendescent\.test:/);
    // The admin's passkey is bound to the public name, not to an address.
    const cookies = await staff.browsers.admin.context.cookies(caddy.urls.admin);
    const session = cookies.filter((cookie) => cookie.name.startsWith('__Host-'));
    expect(session.length).toBeGreaterThan(0);
    for (const cookie of session) expect(cookie).toMatchObject({ secure: true, path: '/' });
    expect(problems).toEqual([]);
  }, 240_000);

  test('a message each way through the relay behind the proxy', async () => {
    await startDirectChat(page('anne'), page('basile'), STAFF.basile, STAFF.anne);
    await send('basile', 'Reçu, merci');
    await page('anne').getByTestId('message').filter({ hasText: 'Reçu, merci' }).first().waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
  }, 120_000);

  (REDIS_URL ? test : test.skip)(
    'a relay node killed mid-conversation: both reconnect to the other node, nothing lost',
    async () => {
      const counts = await Promise.all(nodes.map((node) => node.authenticatedConnections()));
      // The two people's connections (a client holds several) are on the two nodes behind the
      // name (round robin), none on start.mjs's own relay.
      expect(counts.every((count) => count > 0)).toBe(true);
      const victim = (counts[0] ?? 0) >= (counts[1] ?? 0) ? 0 : 1;
      const survivor = nodes[1 - victim] as RelayNode;
      const survivorBefore = counts[1 - victim] ?? 0;
      await send('basile', 'juste avant la panne');
      // Taken by the relay (stored in Redis) before the node dies.
      await stored('basile', 'juste avant la panne');
      await (nodes[victim] as RelayNode).kill();
      // Sent right after the kill: whether Anne's client had already reconnected by then is not
      // checked (locally the whole test takes about a second); what is checked is that it arrives.
      await send('anne', 'pendant la reconnexion');
      await page('anne')
        .getByTestId('message')
        .filter({ hasText: 'juste avant la panne' })
        .first()
        .waitFor({ timeout: 60_000 });
      await page('basile')
        .getByTestId('message')
        .filter({ hasText: 'pendant la reconnexion' })
        .first()
        .waitFor({ timeout: 60_000 });
      // The connections the dead node held came back, on the node still standing.
      for (let tries = 0; (await survivor.authenticatedConnections()) <= survivorBefore; tries++) {
        if (tries === 100) throw new Error('no connection moved to the surviving node');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      for (const who of ['anne', 'basile'] as const) {
        await page(who).locator('[data-testid="relay-status"][data-status="online"]').waitFor({ timeout: 60_000 });
        for (const text of ['juste avant la panne', 'pendant la reconnexion'])
          expect(await page(who).getByTestId('message').filter({ hasText: text }).count()).toBe(1);
      }
      expect(problems).toEqual([]);
    },
    180_000,
  );

  (REDIS_URL ? test : test.skip)(
    'the Redis primary killed mid-conversation: the relays follow the new primary, nothing lost or shown twice',
    async () => {
      const store = sentinels as LocalSentinelSet;
      await send('anne', 'avant la bascule');
      // Stored, and held by a replica (RELAY_REDIS_MIN_REPLICAS=1), before the primary dies.
      await stored('anne', 'avant la bascule');
      const old = await store.primaryPort();
      store.kill(old);
      // Sent while no primary answers: the relays answer `unavailable`, and the outbox sends it
      // again after the failover (outbox-retry.ts).
      await send('basile', 'pendant la bascule');
      const promoted = await store.failedOverFrom(old, 60_000);
      expect(promoted).not.toBe(old);
      await send('anne', 'après la bascule');
      const expected = { anne: ['pendant la bascule'], basile: ['avant la bascule', 'après la bascule'] };
      for (const [who, texts] of Object.entries(expected) as [Name, string[]][])
        for (const text of texts)
          await page(who).getByTestId('message').filter({ hasText: text }).first().waitFor({ timeout: 90_000 });
      for (const who of ['anne', 'basile'] as const)
        for (const text of ['avant la bascule', 'pendant la bascule', 'après la bascule'])
          expect(await page(who).getByTestId('message').filter({ hasText: text }).count()).toBe(1);
      expect(problems).toEqual([]);
    },
    240_000,
  );

  test('a browser without the flag does not trust Caddy’s authority', async () => {
    if (!caddy) throw new Error('not started');
    const resolverOnly = caddy.browserArgs.filter((arg) => arg.startsWith('--host-resolver-rules'));
    const stranger = await launchBrowser(resolverOnly);
    try {
      const tab = await stranger.context.newPage();
      await expect(tab.goto(caddy.urls.web)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await stranger.close();
    }
  });

  test('HSTS on all three names, and the relay’s /metrics is not published', async () => {
    if (!caddy) throw new Error('not started');
    for (const url of [caddy.urls.web, `${caddy.urls.admin}/sign-in`, `${caddy.urls.relay}/health`]) {
      const response = await caddy.get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
      expect(String(response.headers['strict-transport-security'])).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    }
    expect((await caddy.get(`${caddy.urls.relay}/metrics`)).status).toBe(404);
  });

  test('the admin app takes a client’s address from Caddy, never from the client', async () => {
    if (!system || !caddy) throw new Error('not started');
    const proxy = caddy;
    // Failed enrolments are budgeted per source address (admin-api.md §8: 30 per 15 minutes),
    // and a malformed one is a counted failure. Every attempt names another made-up client.
    const failedEnrolment = (url: string, forged: string, viaProxy: boolean) => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forged },
        body: '{"malformed": true}',
      };
      return viaProxy
        ? proxy.request(url, init).then((response) => response.status)
        : fetch(url, init).then((response) => response.status);
    };
    const attempts = 31;
    // Straight to the app from 127.0.0.1, one of ADMIN_TRUSTED_PROXIES: the header is believed,
    // so each attempt is another source and none is refused. This is what a proxy that passed a
    // client's header on would let anyone do.
    const direct: number[] = [];
    for (let i = 0; i < attempts; i++)
      direct.push(await failedEnrolment(`${system.adminUrl}/api/v1/enrol`, `198.51.100.${i + 1}`, false));
    expect(new Set(direct)).toEqual(new Set([400]));
    // Through Caddy, which replaces a client's X-Forwarded-For with the address it saw: every
    // attempt is the same source, and the one past the budget is refused.
    const proxied: number[] = [];
    for (let i = 0; i < attempts; i++)
      proxied.push(await failedEnrolment(`${caddy.urls.admin}/api/v1/enrol`, `203.0.113.${i + 1}`, true));
    expect(proxied.slice(0, 30)).toEqual(Array(30).fill(400));
    expect(proxied[30]).toBe(429);
  });
});
