/**
 * Files in Chromium across a network cut, and what the relay holds meanwhile (issue 15,
 * attachments.md §4.2, §5), through `npm start`'s code path with two staff:
 *  - Anne sends a 48 MiB file with a caption; the relay has part of it when her network goes for
 *    some seconds; when it is back the upload goes on from the relay's offset (the PATCH requests
 *    her browser makes are watched, and the relay's byte counter read) and completes;
 *  - she sends a file by pasting it into the composer and another by dropping it on the
 *    conversation; Basile receives both;
 *  - while the 48 MiB file waits on the relay (a file that large is fetched on a click), a heap
 *    snapshot of the relay and a dump of its memory hold no file name, no caption and nothing of
 *    the files' contents, though they do hold what the relay must (the controls);
 *  - Basile fetches it and saves it: the same SHA-256 as what Anne sent; the relay then deletes it.
 * Screenshots: test-output/screenshots/web-files-network-*.png.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from './support/admin-console';
import { chromiumAvailable, screenshot, type LaunchedBrowser } from './support/browser';
import { dropFile, pasteFile } from './support/composer-files';
import { failureExplainer } from './support/explained';
import { occurrences, processMemory, relayPid } from './support/process-memory';
import { heapOccurrences, heapSnapshotEnv, takeHeapSnapshot } from './support/relay-heap';
import { relayCounter } from './support/relay-metrics';
import { type RunningSystem, startSystem } from './support/system';
import { gradientPng } from './support/test-png';
import { uploadAcrossCut, watchUploads, type UploadWatch } from './support/upload-watch';
import { enrolStaff, startDirectChat } from './support/web-staff';

const PASSPHRASE = 'amber-quarry-18-falcon';
const STAFF = {
  anne: { address: 'anne.network@ministry.example', name: 'Anne Roux' },
  basile: { address: 'basile.network@ministry.example', name: 'Basile Noir' },
} as const;
type StaffName = keyof typeof STAFF;

/** The big file: its name, its caption, and a sentence written all through its bytes. */
const BIG_NAME = 'procès-verbal-réunion-confidentiel.pdf';
const CAPTION = 'Procès-verbal signé, à ne pas diffuser';
const BIG_MARKER = 'PV-CONFIDENTIEL-4471 séance du comité de direction';
const MiB = 1024 * 1024;
/** 48 MiB of random bytes with the marker every 64 KiB (a Padmé length already: 12 PATCHes of ~4 MiB). */
const big = randomBytes(48 * MiB);
for (let at = 0; at < big.length; at += 65_536) big.write(BIG_MARKER, at, 'utf8');
/** Bytes per PATCH (libs/relay-client UPLOAD_REQUEST_BYTES: 64 sealed chunks). */
const REQUEST_BYTES = 64 * (65_536 + 16);

const PASTED = { name: 'capture-écran-salaires-2027.png', mimeType: 'image/png', buffer: gradientPng(320, 200) };
const DROPPED_TEXT = 'Ligne budgétaire 7 : subvention Façade-Nord, 48 218,50 €';
const DROPPED = { name: 'budget-façade-nord.csv', mimeType: 'text/csv', buffer: Buffer.from(DROPPED_TEXT, 'utf8') };

const BYTES_RECEIVED = 'relay_attachment_bytes_received_total';
const CREATED = 'relay_attachments_created_total';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'od-e2e-files-network-'));
const attachmentDir = path.join(workDir, 'relay-attachments');
const heapDir = path.join(workDir, 'heap');
const bigPath = path.join(workDir, BIG_NAME);
let system: RunningSystem | undefined;
let browsers: Partial<Record<StaffName | 'admin', LaunchedBrowser>> = {};
let pages: Partial<Record<StaffName | 'admin', Page>> = {};
let watch: UploadWatch | undefined;
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-files-network', pages: () => pages, system: () => system, problems });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};
const relayUrl = () => system?.relayUrl ?? '';
const card = (on: Page, name: string, state?: string) =>
  on.locator(state ? `[data-testid="attachment"][data-state="${state}"]` : '[data-testid="attachment"]').filter({
    hasText: name,
  });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: a file across a network cut, and what the relay holds meanwhile', () => {
  beforeAll(async () => {
    for (const dir of [attachmentDir, heapDir]) mkdirSync(dir, { mode: 0o700 });
    writeFileSync(bigPath, big);
    system = await startSystem({ RELAY_ATTACHMENT_DIR: attachmentDir, ...heapSnapshotEnv(heapDir) });
  }, 240_000);

  afterAll(async () => {
    await watch?.stop().catch(() => undefined);
    for (const browser of Object.values(browsers)) await browser?.close().catch(() => undefined);
    await system?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  test(
    'two staff enrol, and Anne opens a conversation with Basile',
    () =>
      explained(async () => {
        ({ browsers, pages } = await enrolStaff(system as RunningSystem, STAFF, PASSPHRASE, problems));
        await startDirectChat(page('anne'), page('basile'), STAFF.basile, STAFF.anne);
      }),
    300_000,
  );

  test(
    'a 48 MiB upload cut off in its middle by a network loss resumes from the relay offset and completes',
    () =>
      explained(async () => {
        const anne = page('anne');
        const context = (browsers.anne as LaunchedBrowser).context;
        // Each PATCH waits a second before it goes: over loopback the whole file would be up before the cut.
        watch = await watchUploads(context, relayUrl(), { holdPatchMs: 1_000 });
        const startedAt = Date.now();
        await anne.getByTestId('composer-input').fill(CAPTION);
        await anne.getByTestId('composer-file-input').setInputFiles(bigPath);
        const sending = card(anne, BIG_NAME);
        await sending.waitFor({ timeout: 60_000 });

        // The relay holds part of it (two PATCHes or more), and Anne's bar says so.
        await waitFor(
          'part of the upload on the relay',
          async () => ((await relayCounter(relayUrl(), BYTES_RECEIVED)) >= 2 * REQUEST_BYTES ? true : undefined),
          120_000,
        );
        const percent = Number(await sending.getByTestId('attachment-progress').getAttribute('value'));
        expect(percent).toBeGreaterThan(0);
        expect(percent).toBeLessThan(100);

        await context.setOffline(true);
        const cutAt = Date.now();
        await sleep(1_000);
        const relayOffset = await relayCounter(relayUrl(), BYTES_RECEIVED);
        await sleep(5_000);
        // Nothing more reached the relay while Anne was cut off, and her message still waits.
        expect(await relayCounter(relayUrl(), BYTES_RECEIVED)).toBe(relayOffset);
        expect(await sending.getAttribute('data-state')).toBe('uploading');
        await screenshot(anne, 'web-files-network-cut');
        const restoredAt = Date.now();
        await context.setOffline(false);
        await card(anne, BIG_NAME, 'sent').waitFor({ timeout: 180_000 });
        const doneAt = Date.now();
        await watch.stop();
        await screenshot(anne, 'web-files-network-resumed');

        const stored = readdirSync(attachmentDir);
        expect(stored).toHaveLength(1);
        const length = statSync(path.join(attachmentDir, stored[0] as string)).size;
        expect(length).toBeGreaterThan(big.length);
        expect(relayOffset).toBeGreaterThan(0);
        expect(relayOffset).toBeLessThan(length);
        const cut = uploadAcrossCut(watch.requests, cutAt);
        const seconds = (at: number) => ((at - startedAt) / 1e3).toFixed(1);
        console.info(
          `web-files-network: relay offset during the cut ${relayOffset} of ${length}; ${JSON.stringify(cut)}; ` +
            `s from the file's choice: first PATCH ${seconds(watch.requests[0]?.issuedAt ?? startedAt)}, cut ` +
            `${seconds(cutAt)}, back ${seconds(restoredAt)}, sent ${seconds(doneAt)}`,
        );
        // The cut broke the upload: requests failed (or the transfer started again).
        expect(cut.failed + cut.headsAfterCut).toBeGreaterThan(0);
        // It went on from the relay's offset, not from 0: a kept PATCH starts where the relay's copy
        // ended during the cut, none made after the cut went back before what was kept, and the offsets
        // kept only go up (no range kept twice).
        expect(cut.keptOffsets).toContain(relayOffset);
        expect(cut.lowestAfterCut).toBeGreaterThanOrEqual(cut.lastKeptBeforeCut);
        expect(cut.lastKeptBeforeCut).toBeGreaterThan(0);
        expect(cut.keptOffsets[0]).toBe(0);
        for (let i = 1; i < cut.keptOffsets.length; i++)
          expect(cut.keptOffsets[i] as number).toBeGreaterThan(cut.keptOffsets[i - 1] as number);
        // The relay wrote each byte once, for one upload (not admitted again).
        expect(await relayCounter(relayUrl(), BYTES_RECEIVED)).toBe(length);
        expect(await relayCounter(relayUrl(), CREATED)).toBe(1);
      }),
    300_000,
  );

  test(
    'a file pasted into the composer and a file dropped on the conversation are each sent',
    () =>
      explained(async () => {
        const anne = page('anne');
        const basile = page('basile');
        await pasteFile(anne, PASTED);
        await card(anne, PASTED.name, 'sent').waitFor({ timeout: 60_000 });
        // Taken as a file, not as text: nothing went into the field.
        expect(await anne.getByTestId('composer-input').inputValue()).toBe('');
        await dropFile(anne, DROPPED);
        await card(anne, DROPPED.name, 'sent').waitFor({ timeout: 60_000 });
        // Both are small, so Basile's device fetches them at once; the pasted picture has a thumbnail.
        await card(basile, PASTED.name, 'stored').waitFor({ timeout: 90_000 });
        await card(basile, DROPPED.name, 'stored').waitFor({ timeout: 90_000 });
        await card(basile, PASTED.name).getByTestId('attachment-thumbnail').waitFor();
        await card(basile, BIG_NAME, 'available').waitFor({ timeout: 30_000 });
        await basile.getByTestId('message').filter({ hasText: CAPTION }).waitFor();
        await screenshot(basile, 'web-files-network-received');
      }),
    180_000,
  );

  test(
    'while the file waits on the relay, its heap and its memory hold no file name, caption or content',
    () =>
      explained(async () => {
        // Basile has not fetched the 48 MiB file: the relay holds it still.
        expect(readdirSync(attachmentDir)).toHaveLength(1);
        const pid = relayPid((system as RunningSystem).survivors());
        const secrets = [BIG_NAME, CAPTION, BIG_MARKER, PASTED.name, DROPPED.name, DROPPED_TEXT];

        const heap = await takeHeapSnapshot(pid, heapDir);
        expect(readdirSync(heapDir)).toEqual([]);
        // The controls: the snapshot holds the relay's own route, and the web client's origin of this
        // run (its port), which the relay was given to allow.
        expect(heapOccurrences(heap, '/v1/attachments/upload')).toBeGreaterThan(0);
        expect(heapOccurrences(heap, system?.webUrl ?? '')).toBeGreaterThan(0);
        const inHeap = Object.fromEntries(secrets.map((secret) => [secret, heapOccurrences(heap, secret)]));
        expect(inHeap).toEqual(Object.fromEntries(secrets.map((secret) => [secret, 0])));

        // ArrayBuffers are not in a heap snapshot: the bytes are looked for in the whole process memory.
        const memory = processMemory(pid);
        expect(occurrences(memory, 'RELAY_ORG_ID=')).toBeGreaterThan(0);
        const windows = [65_536 + 1_024, 10 * MiB + 7, 30 * MiB + 4_096, big.length - 64];
        const found: Record<string, number> = {};
        for (const secret of secrets) found[secret] = occurrences(memory, secret);
        for (const at of windows) found[`48 MiB file bytes at ${at}`] = occurrences(memory, big.subarray(at, at + 64));
        found['pasted picture'] = occurrences(memory, PASTED.buffer.subarray(PASTED.buffer.length - 64));
        console.info(
          `web-files-network: heap snapshot of ${(heap.raw.length / 1e6).toFixed(0)} MB, ${heap.strings.length} strings; ` +
            `memory dump of ${(memory.reduce((sum, region) => sum + region.length, 0) / 1e6).toFixed(0)} MB`,
        );
        expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, 0])));
      }),
    180_000,
  );

  test(
    'Basile fetches the 48 MiB file on a click and saves it byte-identical; the relay then deletes it',
    () =>
      explained(async () => {
        const basile = page('basile');
        await card(basile, BIG_NAME, 'available').getByTestId('attachment-download').click();
        const received = card(basile, BIG_NAME, 'stored');
        await received.waitFor({ timeout: 180_000 });
        const [download] = await Promise.all([
          basile.waitForEvent('download', { timeout: 60_000 }),
          received.getByTestId('attachment-save').click(),
        ]);
        expect(download.suggestedFilename()).toBe(BIG_NAME);
        const saved = path.join(workDir, 'saved-by-basile');
        await download.saveAs(saved);
        expect(sha256(readFileSync(saved))).toBe(sha256(big));
        // Every device it was sent to has it: the relay deleted it, and its log names none of the files.
        await waitFor('the relay to delete the file', () =>
          readdirSync(attachmentDir).length === 0 ? true : undefined,
        );
        const output = system?.output() ?? '';
        for (const secret of [BIG_NAME, CAPTION, PASTED.name, DROPPED.name])
          expect(output.includes(secret)).toBe(false);
        expect(problems).toEqual([]);
      }),
    300_000,
  );
});
