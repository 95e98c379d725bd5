/**
 * What the worker's memory figures are made of. The peak the transfers report counts every
 * ArrayBuffer not collected yet: V8 frees a dropped buffer's backing store only at a collection,
 * which it starts once enough external memory was allocated since the last one. Two figures of the
 * same run show the split:
 * - the floor: the same worker allocates as many bytes as the file in 64 KiB buffers (the size of
 *   every piece Web Crypto returns for an attachment chunk), fills each and drops it; its peak is
 *   garbage only, what any code that allocates this way shows whatever it holds;
 * - the live peak: one more encrypt + upload and download + decrypt, with two full collections
 *   before every reading (worker-memory.ts livePeakWhile), so only what the transfer holds counts.
 */
import { evaluate, type CdpSession } from './chromium-pipe';
import type { WorkerMemorySampler } from './worker-memory';

export interface FloorSample {
  readonly round: number;
  readonly ms: number;
  readonly peakTotalAboveIdleMib: number;
  readonly afterGcAboveIdleMib: number;
}

export interface LiveSample {
  readonly direction: 'up' | 'down';
  readonly liveAboveIdleMib: number;
  readonly samples: number;
}

/** Allocates `size` bytes in 64 KiB buffers, each filled and dropped, yielding to the event loop every 16 (as a transfer does). */
const allocateAndDrop = (size: number): string => `(async () => {
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < ${Math.ceil(size / 65536)}; i++) {
    const piece = new Uint8Array(65536);
    crypto.getRandomValues(piece);
    sum += piece[0];
    if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { ms: performance.now() - started, sum };
})()`;

export async function measureFloor(
  worker: CdpSession,
  sampler: WorkerMemorySampler,
  size: number,
  rounds: number,
): Promise<FloorSample[]> {
  const samples: FloorSample[] = [];
  for (let round = 1; round <= rounds; round++) {
    const measured = await sampler.peakWhile(() => evaluate<{ ms: number }>(worker, allocateAndDrop(size)));
    samples.push({
      round,
      ms: measured.result.ms,
      peakTotalAboveIdleMib: measured.peakTotalAboveIdleMib,
      afterGcAboveIdleMib: measured.afterGcAboveIdleMib,
    });
    console.log(
      `[bench:attachments:chromium] round ${round} floor (64 KiB buffers allocated and dropped): peak +${measured.peakTotalAboveIdleMib.toFixed(1)} MiB`,
    );
  }
  return samples;
}

/** One transfer each way with collections before every reading: what the transfer itself holds. */
export async function measureLive(
  sampler: WorkerMemorySampler,
  up: () => Promise<unknown>,
  down: () => Promise<unknown>,
): Promise<LiveSample[]> {
  const samples: LiveSample[] = [];
  for (const [direction, work] of [
    ['up', up],
    ['down', down],
  ] as const) {
    const live = await sampler.livePeakWhile(work);
    samples.push({ direction, ...live });
    console.log(
      `[bench:attachments:chromium] live ${direction}: +${live.liveAboveIdleMib.toFixed(1)} MiB (${live.samples} collected readings)`,
    );
  }
  return samples;
}
