/**
 * The whole path of a file between two people, as they use it: Alice picks a file in the composer
 * (the file input the "Attach a file" button opens), her worker seals it into her device's store
 * and uploads it, and the message goes out (her card shows `sent`); Bob, whose client does not
 * fetch a file this large by itself (AUTO_DOWNLOAD_BYTES), clicks "Download", and his worker
 * downloads, checks and stores it (his card shows `stored`). Each side's worker memory is sampled
 * meanwhile. Nothing here reaches into the workers: the UI is driven over the DevTools pipe
 * (./chromium-pipe.ts): the file is set on the input as Playwright's setInputFiles does it
 * (DOM.setFileInputFiles), and the cards' states are read every 50 ms.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluate, type CdpSession } from './chromium-pipe';
import type { Person } from './people';
import { WorkerMemorySampler } from './worker-memory';

const MIB = 1024 * 1024;
const STEP_TIMEOUT_MS = 20 * 60_000;

export interface SendFileSample {
  readonly round: number;
  /** From the file chosen to Alice's card `sent`. */
  readonly sendMs: number;
  /** From the file chosen to Alice's card shown (`uploading`: read, sealed into her store, message made). */
  readonly sealedMs: number;
  /** From Bob's click on Download to his card `stored`. */
  readonly receiveMs: number;
  readonly sendPeakTotalAboveIdleMib: number;
  readonly sendPeakHeapAboveIdleMib: number;
  readonly receivePeakTotalAboveIdleMib: number;
  readonly receivePeakHeapAboveIdleMib: number;
  readonly sendAfterGcAboveIdleMib: number;
  readonly receiveAfterGcAboveIdleMib: number;
}

/** A file of `size` random bytes, written 1 MiB at a time. */
function writeRandomFile(file: string, size: number): void {
  const fd = openSync(file, 'w');
  try {
    const piece = new Uint8Array(MIB);
    for (let at = 0; at < size; at += MIB) writeSync(fd, randomFillSync(piece), 0, Math.min(MIB, size - at));
  } finally {
    closeSync(fd);
  }
}

/** The card showing `name`, as an expression in the page. */
const cardOf = (name: string): string =>
  `[...document.querySelectorAll('[data-testid="attachment"]')].find((c) => c.textContent.includes(${JSON.stringify(name)}))`;

/**
 * Waits for the card of `name` to reach `state`, or to be there at all when `state` is undefined;
 * a card that shows `failed` instead stops the bench.
 */
async function cardReaches(page: CdpSession, name: string, state?: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const shown = await evaluate<string | null>(page, `${cardOf(name)}?.getAttribute('data-state') ?? null`);
    if (shown !== null && shown !== 'failed' && (state === undefined || shown === state)) return;
    if (shown === 'failed')
      throw new Error(`the card of ${name} shows failed: ${await evaluate(page, `${cardOf(name)}.textContent`)}`);
    if (Date.now() > deadline)
      throw new Error(`the card of ${name} is still ${shown ?? 'absent'}, not ${state ?? 'shown'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the composer's file input does when a person picks `file` (the input and change events follow). */
async function pickFile(page: CdpSession, file: string): Promise<void> {
  const { result } = (await page.send('Runtime.evaluate', {
    expression: `document.querySelector('[data-testid="composer-file-input"]')`,
  })) as { result: { objectId?: string } };
  if (!result.objectId) throw new Error('no file input in the composer');
  await page.send('DOM.setFileInputFiles', { files: [file], objectId: result.objectId });
}

export async function measureSendFile(
  alice: Person,
  bob: Person,
  aliceMemory: WorkerMemorySampler,
  size: number,
  rounds: number,
): Promise<SendFileSample[]> {
  const bobMemory = new WorkerMemorySampler(await bob.chromium.worker(bob.page));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-bench-files-'));
  const samples: SendFileSample[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const name = `bench-${Math.round(size / MIB)}-mib-${round}.bin`;
      const file = path.join(dir, name);
      writeRandomFile(file, size);
      const sent = await aliceMemory.peakWhile(async () => {
        const started = performance.now();
        await pickFile(alice.page, file);
        await cardReaches(alice.page, name);
        const sealedMs = performance.now() - started;
        await cardReaches(alice.page, name, 'sent');
        return { sealedMs, sendMs: performance.now() - started };
      });
      rmSync(file, { force: true });
      await cardReaches(bob.page, name, 'available');
      const received = await bobMemory.peakWhile(async () => {
        const started = performance.now();
        await evaluate(bob.page, `${cardOf(name)}.querySelector('[data-testid="attachment-download"]').click()`);
        await cardReaches(bob.page, name, 'stored');
        return performance.now() - started;
      });
      const sample: SendFileSample = {
        round,
        sendMs: sent.result.sendMs,
        sealedMs: sent.result.sealedMs,
        receiveMs: received.result,
        sendPeakTotalAboveIdleMib: sent.peakTotalAboveIdleMib,
        sendPeakHeapAboveIdleMib: sent.peakHeapAboveIdleMib,
        receivePeakTotalAboveIdleMib: received.peakTotalAboveIdleMib,
        receivePeakHeapAboveIdleMib: received.peakHeapAboveIdleMib,
        sendAfterGcAboveIdleMib: sent.afterGcAboveIdleMib,
        receiveAfterGcAboveIdleMib: received.afterGcAboveIdleMib,
      };
      samples.push(sample);
      console.log(`[bench:attachments:chromium] sendFile round ${round}: ${JSON.stringify(sample)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}
