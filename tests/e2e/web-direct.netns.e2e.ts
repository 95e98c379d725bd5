/**
 * Direct channels in Chromium (issue 16, docs/protocol/direct.md), through `npm start`'s code path,
 * inside a network namespace of the test's own (scripts/in-netns.sh: loopback and a veth pair,
 * nothing that leaves the machine). Anne and Basile talk; once their channel is open the relay's
 * `relay_blobs_stored_total` does not move; the relay is stopped (SIGSTOP) and they keep talking;
 * a file Anne sends comes over the channel, the relay's download counters unchanged; with Basile's direct channels off only the relay carries; Chloé joins a group of three; the
 * network under the channels is cut and messages fall back to the relay, none lost or doubled.
 * The share of messages that went each way is written to test-output/direct-paths.json.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumAvailable, openConversation, screenshot, sendMessage, type LaunchedBrowser } from './support/browser';
import { attachFile, attachmentCard } from './support/composer-files';
import { failureExplainer } from './support/explained';
import { relayCounter } from './support/relay-metrics';
import { repoRoot, type RunningSystem, startSystem } from './support/system';
import { enrolStaff, startDirectChat } from './support/web-staff';

const PASSPHRASE = 'harbour-violet-83-compass';
const STAFF = {
  anne: { address: 'anne.direct@ministry.example', name: 'Anne Direct' },
  basile: { address: 'basile.direct@ministry.example', name: 'Basile Direct' },
  chloe: { address: 'chloe.direct@ministry.example', name: 'Chloé Direct' },
  /** Her browser rewrites the fingerprint of every remote description it is given (a tampered signal). */
  dora: { address: 'dora.direct@ministry.example', name: 'Dora Direct' },
  emil: { address: 'emil.direct@ministry.example', name: 'Emil Direct' },
} as const;
type StaffName = keyof typeof STAFF;
const GROUP = 'Night shift';
const FILE_NAME = 'site-survey.pdf';
const downloads = mkdtempSync(path.join(os.tmpdir(), 'od-e2e-direct-downloads-'));
/**
 * Chromium hides host addresses behind mDNS names by default; resolving them needs multicast,
 * which this namespace has no use for. The test shows real host candidates instead.
 */
const WEBRTC_ARGS = ['--disable-features=WebRtcHideLocalIpsWithMdns'];

let system: RunningSystem | undefined;
const browsers: LaunchedBrowser[] = [];
const pages: Partial<Record<StaffName | 'admin', Page>> = {};
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-direct', pages: () => pages, system: () => system, problems });
/** Messages sent in this run, by the path the relay's counter says they took. */
const paths = { direct: 0, relay: 0 };

const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};

const stored = () => relayCounter(system?.relayUrl ?? '', 'relay_blobs_stored_total');

async function pathOf(who: StaffName): Promise<string | null> {
  return page(who).getByTestId('conversation-path').getAttribute('data-path');
}

async function waitForPath(who: StaffName, wanted: string, timeoutMs = 60_000): Promise<void> {
  await page(who).locator(`[data-testid="conversation-path"][data-path="${wanted}"]`).waitFor({ timeout: timeoutMs });
}

/** Sends from one page and waits until the other shows it exactly once. */
async function say(from: StaffName, to: StaffName, text: string, timeoutMs = 30_000): Promise<void> {
  await sendMessage(page(from), text);
  const shown = page(to).getByTestId('message').filter({ hasText: text });
  await shown.first().waitFor({ timeout: timeoutMs });
  expect(await shown.count()).toBe(1);
}

/** The relay's process among those start.mjs started for this system. */
function relayPid(): number {
  for (const pid of system?.survivors() ?? []) {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    if (command.includes('apps/relay/src/main.ts')) return pid;
  }
  throw new Error('the relay process was not found');
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
}

/**
 * The pair's addresses taken away: both browsers sit in this one namespace, where an address of a
 * link that is merely down still takes local traffic, so only removing them cuts every candidate
 * pair. Given back, with the default route Chromium needs to gather.
 */
function network(state: 'up' | 'down'): void {
  const verb = state === 'down' ? 'del' : 'add';
  ip('addr', verb, '10.77.0.1/24', 'dev', 'od-v0');
  ip('addr', verb, '10.77.0.2/24', 'dev', 'od-v1');
  if (state === 'up') ip('route', 'replace', 'default', 'via', '10.77.0.2', 'dev', 'od-v0');
}

/**
 * Dora's browser changes the first byte of the DTLS fingerprint in every remote description the
 * page sets: what a tampered `rtc_offer` or `rtc_answer` would carry if one got through.
 */
function tamperFingerprints(): void {
  const original = RTCPeerConnection.prototype.setRemoteDescription as (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) => Promise<void>;
  RTCPeerConnection.prototype.setRemoteDescription = function (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ): Promise<void> {
    const sdp = description.sdp?.replace(
      /(a=fingerprint:sha-256 )([0-9A-F]{2})/i,
      (_match, prefix: string, first: string) => `${prefix}${first === '00' ? '01' : '00'}`,
    );
    return original.call(this, sdp ? { type: description.type, sdp } : description);
  } as RTCPeerConnection['setRemoteDescription'];
}

/** One of the three settings of direct channels, chosen in the Privacy section as a person does. */
async function chooseDirect(who: StaffName, setting: 'off' | 'direct' | 'turn_only'): Promise<void> {
  const settings = page(who).getByTestId('privacy-settings');
  await settings.locator('summary').click();
  await page(who).getByTestId('privacy-directChannels').selectOption(setting);
  await settings.locator('summary').click();
}

const inNamespace = process.env.OPENDESCENT_IN_NETNS === '1';
const describeInBrowser = chromiumAvailable && inNamespace ? describe : describe.skip;
if (!inNamespace) console.warn('web-direct: SKIPPED outside scripts/in-netns.sh (npm test runs it there)');

describeInBrowser('the web client: direct channels between staff devices', () => {
  beforeAll(async () => {
    // The organisation's coturn on the namespace's own address (npm start runs it when TURN_SECRET is set).
    system = await startSystem({
      TURN_SECRET: randomBytes(24).toString('hex'),
      TURN_HOST: '10.77.0.1',
      TURN_PORT: '0',
    });
  }, 240_000);

  afterAll(async () => {
    mkdirSync(path.join(repoRoot, 'test-output'), { recursive: true });
    writeFileSync(path.join(repoRoot, 'test-output', 'direct-paths.json'), `${JSON.stringify(paths, null, 2)}\n`);
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await system?.stop();
    rmSync(downloads, { recursive: true, force: true });
  }, 60_000);

  test(
    'five staff members enrol',
    () =>
      explained(async () => {
        const enrolled = await enrolStaff(system as RunningSystem, STAFF, PASSPHRASE, problems, {
          args: WEBRTC_ARGS,
          prepare: async (who, context) => {
            if (who === 'dora') await context.addInitScript(tamperFingerprints);
          },
        });
        browsers.push(...Object.values<LaunchedBrowser>(enrolled.browsers));
        Object.assign(pages, enrolled.pages);
      }),
    240_000,
  );

  test(
    'Anne and Basile talk: their channel opens and the relay stores nothing of what goes over it',
    () =>
      explained(async () => {
        const anne = page('anne');
        await startDirectChat(anne, page('basile'), STAFF.basile, STAFF.anne);
        await say('basile', 'anne', 'Yes, from eight.');
        paths.relay += 2;
        await waitForPath('anne', 'direct');
        await waitForPath('basile', 'direct');
        await screenshot(anne, 'web-direct-path');
        const before = await stored();
        for (let i = 1; i <= 5; i++) {
          await say('anne', 'basile', `Direct note ${i} from Anne`);
          await say('basile', 'anne', `Direct note ${i} from Basile`);
        }
        // Receipts go the same way: Anne's last message is delivered (read: Basile has it open).
        await anne
          .locator('[data-testid="message"]:is([data-status="delivered"], [data-status="read"])')
          .filter({ hasText: 'Direct note 5 from Anne' })
          .waitFor({ timeout: 30_000 });
        expect(await stored()).toBe(before);
        paths.direct += 10;
      }),
    180_000,
  );

  test(
    'the relay is stopped (SIGSTOP) mid-conversation: they keep talking over their channel',
    () =>
      explained(async () => {
        const relay = relayPid();
        process.kill(relay, 'SIGSTOP');
        try {
          await say('anne', 'basile', 'The relay is frozen, is this still coming through?');
          await say('basile', 'anne', 'It is, straight from my laptop.');
          paths.direct += 2;
        } finally {
          process.kill(relay, 'SIGCONT');
        }
        expect(await pathOf('anne')).toBe('direct');
      }),
    120_000,
  );

  test(
    'Anne sends Basile a file: it comes over their channel, the relay sends none of it, and deletes its copy',
    () =>
      explained(async () => {
        const counter = (name: string) => relayCounter(system?.relayUrl ?? '', name);
        const file = randomBytes(3 * 1024 * 1024);
        const before = {
          downloads: await counter('relay_attachment_downloads_total'),
          bytes: await counter('relay_attachment_download_bytes_total'),
          deleted: await counter('relay_attachments_deleted_total'),
        };
        await attachFile(page('anne'), FILE_NAME, 'application/pdf', file);
        await attachmentCard(page('anne'), FILE_NAME).and(page('anne').locator('[data-state="sent"]')).waitFor({
          timeout: 90_000,
        });
        const basile = page('basile');
        const received = attachmentCard(basile, FILE_NAME).and(basile.locator('[data-state="stored"]'));
        await received.waitFor({ timeout: 90_000 });
        const [download] = await Promise.all([
          basile.waitForEvent('download', { timeout: 60_000 }),
          received.getByTestId('attachment-save').click(),
        ]);
        const saved = path.join(downloads, FILE_NAME);
        await download.saveAs(saved);
        expect(readFileSync(saved).equals(file)).toBe(true);
        expect(await counter('relay_attachment_downloads_total')).toBe(before.downloads);
        expect(await counter('relay_attachment_download_bytes_total')).toBe(before.bytes);
        // Basile still said `fetched`: his was the only device to fetch it, so the relay deleted it.
        for (let i = 0; (await counter('relay_attachments_deleted_total')) === before.deleted; i++) {
          if (i > 30) throw new Error('the relay kept the file');
          await basile.waitForTimeout(1_000);
        }
        paths.direct += 1;
        await screenshot(basile, 'web-direct-file');
      }),
    180_000,
  );

  test(
    'with direct channels off on Basile’s side, nothing but the relay carries their messages',
    () =>
      explained(async () => {
        await chooseDirect('basile', 'off');
        await waitForPath('basile', 'relay', 30_000);
        await waitForPath('anne', 'relay', 30_000);
        const before = await stored();
        await say('anne', 'basile', 'Through the relay now?');
        await say('basile', 'anne', 'Yes, I turned direct connections off.');
        paths.relay += 2;
        // Both messages, their receipts and any refusal of an offer went through the relay.
        expect(await stored()).toBeGreaterThanOrEqual(before + 2);
        expect(await pathOf('anne')).toBe('relay');
        await chooseDirect('basile', 'direct');
      }),
    120_000,
  );

  test(
    'a group of three: once every pair has a channel, a group message is not stored by the relay',
    () =>
      explained(async () => {
        const anne = page('anne');
        await anne.getByTestId('new-group-button').click();
        await anne.getByTestId('new-group-title').fill(GROUP);
        await anne.getByTestId('new-group-addresses').fill(`${STAFF.basile.address}\n${STAFF.chloe.address}`);
        await anne.getByTestId('new-group-submit').click();
        await anne.getByTestId('conversation-title').filter({ hasText: GROUP }).waitFor({ timeout: 30_000 });
        await sendMessage(anne, 'Rota for the night shift is up.');
        for (const who of ['basile', 'chloe'] as const) {
          await openConversation(page(who), GROUP);
          await page(who).getByTestId('message').filter({ hasText: 'Rota for' }).waitFor({ timeout: 60_000 });
        }
        paths.relay += 1;
        // Each member writes until every pair of devices has its channel (a channel is offered on
        // sending or hearing, after a refusal's back-off of 60 s at most).
        let round = 0;
        for (;;) {
          const direct = await Promise.all((['anne', 'basile', 'chloe'] as const).map(pathOf));
          if (direct.every((p) => p === 'direct')) break;
          if (++round > 30) throw new Error(`paths stayed ${direct.join(', ')}`);
          for (const who of ['anne', 'basile', 'chloe'] as const)
            await sendMessage(page(who), `${who} here (${round})`);
          paths.relay += 3;
          await page('anne').waitForTimeout(5_000);
        }
        const before = await stored();
        await say('chloe', 'anne', 'Chloé to everyone, directly.');
        await page('basile').getByTestId('message').filter({ hasText: 'Chloé to everyone' }).waitFor();
        expect(await stored()).toBe(before);
        paths.direct += 1;
        await screenshot(page('chloe'), 'web-direct-group');
      }),
    240_000,
  );

  test(
    'TURN only: Emil and Chloé’s channel goes through the organisation’s coturn, with credentials from the relay',
    () =>
      explained(async () => {
        // Both choose TURN only before they talk: relay-only ICE on both sides from the first offer.
        for (const who of ['emil', 'chloe'] as const) await chooseDirect(who, 'turn_only');
        const emil = page('emil');
        await startDirectChat(emil, page('chloe'), STAFF.chloe, STAFF.emil);
        paths.relay += 1;
        // With relay-only ICE the only candidates are coturn's: a direct path can only go through it.
        for (let round = 1; (await pathOf('emil')) !== 'direct' || (await pathOf('chloe')) !== 'direct'; round++) {
          // Room for one failed attempt: its 15 s open timeout, then the 60 s back-off (direct.md §2, §7).
          if (round > 30) {
            const issued = await relayCounter(system?.relayUrl ?? '', 'relay_turn_credentials_issued_total');
            throw new Error(`no channel through TURN: ${issued} credentials issued`);
          }
          await say('chloe', 'emil', `Through TURN? (${round})`);
          paths.relay += 1;
          await emil.waitForTimeout(3_000);
        }
        expect(await relayCounter(system?.relayUrl ?? '', 'relay_turn_credentials_issued_total')).toBeGreaterThan(0);
        const before = await stored();
        await say('emil', 'chloe', 'This went through our own TURN server.');
        await say('chloe', 'emil', 'And nothing through the relay.');
        expect(await stored()).toBe(before);
        paths.direct += 2;
      }),
    180_000,
  );

  test(
    'a wrong fingerprint in the signalling: Chromium refuses the connection, the relay carries everything',
    () =>
      explained(async () => {
        await startDirectChat(page('dora'), page('anne'), STAFF.anne, STAFF.dora);
        // Either side may offer; each offer and answer is opened and checked, and the 15 s open
        // timeout passes while they keep writing.
        const before = await stored();
        for (let i = 1; i <= 4; i++) {
          await say('anne', 'dora', `Anne to Dora ${i}`);
          await say('dora', 'anne', `Dora to Anne ${i}`);
          await page('anne').waitForTimeout(5_000);
        }
        paths.relay += 9;
        expect(await pathOf('anne')).toBe('relay');
        expect(await pathOf('dora')).toBe('relay');
        expect(await stored()).toBeGreaterThanOrEqual(before + 8);
      }),
    180_000,
  );

  test(
    'the network under the channels is cut: messages fall back to the relay, none lost or shown twice',
    () =>
      explained(async () => {
        await openConversation(page('anne'), STAFF.basile.name);
        await openConversation(page('basile'), STAFF.anne.name);
        const before = await stored();
        network('down');
        try {
          for (let i = 1; i <= 3; i++) await sendMessage(page('anne'), `Sent as the network went down ${i}`);
          for (let i = 1; i <= 3; i++) {
            const shown = page('basile')
              .getByTestId('message')
              .filter({ hasText: `went down ${i}` });
            await shown.first().waitFor({ timeout: 60_000 });
            expect(await shown.count()).toBe(1);
          }
          expect(await stored()).toBeGreaterThanOrEqual(before + 3);
          paths.relay += 3;
          await waitForPath('anne', 'relay', 60_000);
        } finally {
          network('up');
        }
        expect(problems).toEqual([]);
      }),
    180_000,
  );
});
