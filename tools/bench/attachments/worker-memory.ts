/**
 * The memory of the messenger worker over the DevTools protocol, sampled while it works:
 * Runtime.getHeapUsage on the worker's session every ~50 ms. The figure is the JS heap in use plus
 * the backing stores of ArrayBuffers (`backingStorageSize`): a file's bytes live in the latter,
 * which the JS heap alone would not show.
 */
import type { CdpSession } from './chromium-pipe';

const MIB = 1024 * 1024;

export interface WorkerMemory {
  /** JS heap in use (usedSize). */
  readonly heapBytes: number;
  /** ArrayBuffer backing stores and external strings (backingStorageSize). */
  readonly backingBytes: number;
}

export interface MemoryPeak<T> {
  readonly result: T;
  readonly idle: WorkerMemory;
  /** The largest heap + backing total seen, and the largest heap alone, above idle. */
  readonly peakTotalAboveIdleMib: number;
  readonly peakHeapAboveIdleMib: number;
  /** Heap + backing once the work is done and two collections ran: what the work left behind. */
  readonly afterGcAboveIdleMib: number;
  readonly samples: number;
}

const total = (m: WorkerMemory): number => m.heapBytes + m.backingBytes;

export class WorkerMemorySampler {
  constructor(private readonly worker: CdpSession) {}

  async now(): Promise<WorkerMemory> {
    const usage = await this.worker.send('Runtime.getHeapUsage');
    return { heapBytes: Number(usage['usedSize']), backingBytes: Number(usage['backingStorageSize'] ?? 0) };
  }

  /** After two full collections (the second frees what the first one's finalisers released). */
  async idle(): Promise<WorkerMemory> {
    await this.worker.send('HeapProfiler.collectGarbage');
    await this.worker.send('HeapProfiler.collectGarbage');
    return this.now();
  }

  /**
   * What `work` holds, not what it left for the collector: every `everyMs` two full collections,
   * then a reading; the largest reading above the idle level taken just before. The collections
   * stop the worker a moment each time, so this round's speed is not reported.
   */
  async livePeakWhile(
    work: () => Promise<unknown>,
    everyMs = 100,
  ): Promise<{ liveAboveIdleMib: number; samples: number }> {
    const idle = await this.idle();
    let peak = total(idle);
    let samples = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        peak = Math.max(peak, total(await this.idle()));
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
    try {
      await work();
    } finally {
      done = true;
      await sampling.catch(() => undefined);
    }
    return { liveAboveIdleMib: (peak - total(idle)) / MIB, samples };
  }

  /** Runs `work` while sampling every `everyMs`; the peak is above the idle level taken just before. */
  async peakWhile<T>(work: () => Promise<T>, everyMs = 50): Promise<MemoryPeak<T>> {
    const idle = await this.idle();
    let peakTotal = total(idle);
    let peakHeap = idle.heapBytes;
    let samples = 0;
    let done = false;
    const note = (m: WorkerMemory) => {
      peakTotal = Math.max(peakTotal, total(m));
      peakHeap = Math.max(peakHeap, m.heapBytes);
      samples += 1;
    };
    const sampling = (async () => {
      while (!done) {
        const started = Date.now();
        note(await this.now());
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))));
      }
    })();
    try {
      const result = await work();
      note(await this.now());
      done = true;
      await sampling;
      const after = await this.idle();
      return {
        result,
        idle,
        peakTotalAboveIdleMib: (peakTotal - total(idle)) / MIB,
        peakHeapAboveIdleMib: (peakHeap - idle.heapBytes) / MIB,
        afterGcAboveIdleMib: (total(after) - total(idle)) / MIB,
        samples,
      };
    } finally {
      done = true;
      await sampling.catch(() => undefined);
    }
  }
}
