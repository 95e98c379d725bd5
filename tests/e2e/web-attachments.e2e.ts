/**
 * Files and photos in Chromium, through `npm start`'s code path (relay, admin app, web client),
 * with three staff (attachments.md): Anne sends a 20 MiB PDF with a caption and a photo into a
 * group while her network is down, and both go out once it is back; Basile sees the photo's
 * thumbnail, opens it full size and saves the PDF byte-identical; Chloé, offline while they were
 * sent, unlocks later and receives both. The relay's attachment folder is then searched for the
 * file names and the files' bytes (none may appear), and the card is audited with axe-core.
 * Basile's tab is hidden meanwhile: he is notified, content-free ("New message").
 * Screenshots: test-output/screenshots/web-attachments-*.png.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { pageWithPasskeys } from './support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from './support/admin-console';
import { expectAccessible } from './support/axe';
import {
  chromiumAvailable,
  enrolWebClient,
  launchBrowser,
  openConversation,
  screenshot,
  type LaunchedBrowser,
} from './support/browser';
import { attachFile, attachmentCard } from './support/composer-files';
import { failureExplainer } from './support/explained';
import { type RunningSystem, startSystem } from './support/system';
import { gradientPng } from './support/test-png';

const PASSPHRASE = 'quartz-meadow-52-lantern';
const STAFF = {
  anne: { address: 'anne.files@ministry.example', name: 'Anne Roux' },
  basile: { address: 'basile.files@ministry.example', name: 'Basile Noir' },
  chloe: { address: 'chloe.files@ministry.example', name: 'Chloé Blanc' },
} as const;
type StaffName = keyof typeof STAFF;
const TITLE = 'Budget 2027';
const PDF_NAME = 'budget-2027-draft-confidential.pdf';
const PHOTO_NAME = 'site-visit-photo.png';

const attachmentDir = mkdtempSync(path.join(os.tmpdir(), 'od-e2e-attachments-'));
const downloads = mkdtempSync(path.join(os.tmpdir(), 'od-e2e-downloads-'));
let system: RunningSystem | undefined;
const browsers: Partial<Record<StaffName | 'admin', LaunchedBrowser>> = {};
const pages: Partial<Record<StaffName | 'admin', Page>> = {};
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-attachments', pages: () => pages, system: () => system, problems });

/** 20 MiB that read as a PDF, every 64-byte window of which is recognisable. */
const pdf = Buffer.alloc(20 * 1024 * 1024);
pdf.write('%PDF-1.7\n', 0);
for (let i = 16; i < pdf.length; i++) pdf[i] = (i * 131 + (i >> 10)) & 0xff;

/** A 480 × 320 photo. */
const png = gradientPng(480, 320);

const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};
/**
 * Basile's browser allows notifications and records the ones the page makes (what the system
 * would show), so the test can read them: the page's own code path, the OS stubbed out.
 */
async function recordNotifications(browser: LaunchedBrowser): Promise<void> {
  await browser.context.addInitScript(() => {
    const made: { title: string; body?: string; tag?: string }[] = [];
    Object.assign(window, { recordedNotifications: made });
    class Recorded extends EventTarget {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: unknown = null;
      constructor(title: string, options: NotificationOptions = {}) {
        super();
        made.push({ title, body: options.body, tag: options.tag });
      }
      close(): void {
        this.dispatchEvent(new Event('close'));
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  });
}

/** As if Basile switched to another tab: the page is hidden. */
async function hide(on: Page): Promise<void> {
  await on.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function newPage(who: StaffName): Promise<Page> {
  if (!browsers[who]) {
    browsers[who] = await launchBrowser();
    if (who === 'basile') await recordNotifications(browsers[who]);
  }
  const opened = await (browsers[who] as LaunchedBrowser).context.newPage();
  opened.on('pageerror', (error) => problems.push(`${who} pageerror: ${error.message}`));
  return opened;
}

/** Attaches a file through the composer's file input (what the "Attach a file" button opens). */

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: files and photos between three staff', () => {
  beforeAll(async () => {
    system = await startSystem({ RELAY_ATTACHMENT_DIR: attachmentDir });
    browsers.admin = await launchBrowser();
    pages.admin = (await pageWithPasskeys(browsers.admin.context)).page;
  }, 240_000);

  afterAll(async () => {
    for (const browser of Object.values(browsers)) await browser?.close().catch(() => undefined);
    await system?.stop();
    for (const dir of [attachmentDir, downloads]) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test(
    'three staff enrol, and Anne makes a group of them',
    () =>
      explained(async () => {
        const adminUrl = system?.adminUrl.replace('127.0.0.1', 'localhost') ?? '';
        await registerFirstAdmin(pages.admin as Page, adminUrl, () => system?.output() ?? '');
        for (const who of Object.keys(STAFF) as StaffName[]) {
          const code = await createEnrolmentCode(pages.admin as Page, adminUrl, STAFF[who].address, STAFF[who].name);
          pages[who] = await newPage(who);
          await enrolWebClient(page(who), system?.webUrl ?? '', {
            passphrase: PASSPHRASE,
            code,
            address: STAFF[who].address,
          });
        }
        const anne = page('anne');
        await anne.getByTestId('new-group-button').click();
        await anne.getByTestId('new-group-title').fill(TITLE);
        await anne.getByTestId('new-group-addresses').fill(`${STAFF.basile.address}\n${STAFF.chloe.address}`);
        await anne.getByTestId('new-group-submit').click();
        await anne.getByTestId('conversation-title').filter({ hasText: TITLE }).waitFor({ timeout: 30_000 });
        await openConversation(page('basile'), TITLE);
        await openConversation(page('chloe'), TITLE);
        // Chloé goes offline: her tab closes before anything is sent.
        await page('chloe').close();
        delete pages.chloe;
      }),
    300_000,
  );

  test(
    'Anne sends a 20 MiB PDF and a photo while her network is down; both go out when it is back',
    () =>
      explained(async () => {
        const anne = page('anne');
        const context = (browsers.anne as LaunchedBrowser).context;
        await hide(page('basile'));
        await context.setOffline(true);
        await attachFile(anne, PDF_NAME, 'application/pdf', pdf, 'The draft for Friday');
        await attachFile(anne, PHOTO_NAME, 'image/png', png);
        // Sealed and shown on her device, but not sent while offline.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(await attachmentCard(anne, PDF_NAME).getAttribute('data-state')).toBe('uploading');
        await anne.getByTestId('attachment-progress').first().waitFor();
        await screenshot(anne, 'web-attachments-uploading-offline');
        await context.setOffline(false);
        for (const name of [PDF_NAME, PHOTO_NAME])
          await anne
            .locator(`[data-testid="attachment"][data-state="sent"]`)
            .filter({ hasText: name })
            .waitFor({ timeout: 90_000 });
        await screenshot(anne, 'web-attachments-sent');
      }),
    180_000,
  );

  test(
    'Basile sees the thumbnail, opens the photo, and saves the PDF byte-identical',
    () =>
      explained(async () => {
        const basile = page('basile');
        const received = (name: string) =>
          basile.locator(`[data-testid="attachment"][data-state="stored"]`).filter({ hasText: name });
        await received(PDF_NAME).waitFor({ timeout: 90_000 });
        await received(PHOTO_NAME).waitFor({ timeout: 90_000 });
        await basile.getByTestId('message').filter({ hasText: 'The draft for Friday' }).waitFor();
        // His tab was hidden: the page told him, without content (no text, no file name, no group title).
        const notes = await basile.evaluate(
          () =>
            (window as unknown as { recordedNotifications: { title: string; body?: string }[] }).recordedNotifications,
        );
        expect(notes.length).toBeGreaterThan(0);
        for (const note of notes) {
          expect(note.body).toBe('New message');
          for (const secret of [PDF_NAME, PHOTO_NAME, 'The draft', TITLE, STAFF.anne.name])
            expect(`${note.title} ${note.body}`).not.toContain(secret);
        }
        const thumbnail = received(PHOTO_NAME).getByTestId('attachment-thumbnail');
        expect(await thumbnail.getAttribute('alt')).toContain(PHOTO_NAME);
        await expectAccessible(basile, 'web-attachments received files');
        await screenshot(basile, 'web-attachments-received');

        await received(PHOTO_NAME).getByTestId('attachment-open-image').click();
        const full = basile.getByTestId('attachment-full-image');
        await full.waitFor({ timeout: 30_000 });
        expect(await full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(480);
        await screenshot(basile, 'web-attachments-full-image');
        await basile.keyboard.press('Escape');

        const [download] = await Promise.all([
          basile.waitForEvent('download', { timeout: 60_000 }),
          received(PDF_NAME).getByTestId('attachment-save').click(),
        ]);
        expect(download.suggestedFilename()).toBe(PDF_NAME);
        const saved = path.join(downloads, 'basile.pdf');
        await download.saveAs(saved);
        expect(readFileSync(saved).equals(pdf)).toBe(true);

        // Chloé has not fetched yet, so the relay still holds both files: ciphertext only.
        const held = readdirSync(attachmentDir);
        expect(held).toHaveLength(2);
        const stored = Buffer.concat(held.map((name) => readFileSync(path.join(attachmentDir, name))));
        expect(stored.length).toBeGreaterThan(pdf.length);
        for (const needle of [PDF_NAME, PHOTO_NAME, '%PDF-1.7', 'The draft for Friday'])
          expect(stored.includes(Buffer.from(needle))).toBe(false);
        for (const offset of [16, 65_536, 10_000_000, pdf.length - 64])
          expect(stored.includes(pdf.subarray(offset, offset + 64))).toBe(false);
        expect(stored.includes(png.subarray(png.length - 64))).toBe(false);
      }),
    180_000,
  );

  test(
    'Chloé, offline while they were sent, unlocks later and receives both',
    () =>
      explained(async () => {
        const chloe = await newPage('chloe');
        pages.chloe = chloe;
        await chloe.goto(system?.webUrl ?? '');
        await chloe.getByTestId('unlock-input').fill(PASSPHRASE, { timeout: 60_000 });
        await chloe.getByTestId('unlock-submit').click();
        await openConversation(chloe, TITLE);
        for (const name of [PDF_NAME, PHOTO_NAME])
          await chloe
            .locator(`[data-testid="attachment"][data-state="stored"]`)
            .filter({ hasText: name })
            .waitFor({ timeout: 90_000 });
        await screenshot(chloe, 'web-attachments-later');
      }),
    180_000,
  );

  test('the relay held ciphertext only, and deleted each file once every device fetched it', async () => {
    // Anne's group: Basile's and Chloé's devices fetched both files, so the relay deleted them.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(readdirSync(attachmentDir)).toEqual([]);
    // Its logs name no file and no id.
    const output = system?.output() ?? '';
    for (const secret of [PDF_NAME, PHOTO_NAME, 'The draft for Friday']) expect(output.includes(secret)).toBe(false);
    expect(problems).toEqual([]);
  });
});
