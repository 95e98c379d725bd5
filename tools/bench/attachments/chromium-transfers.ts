/**
 * The crypto + transfer figure in Chromium: in the messenger worker of a bench build, a file of
 * random bytes sealed and uploaded, then downloaded and opened (apps/web/src/worker/
 * bench-attachments.ts, reached over the DevTools pipe: ./chromium-pipe.ts), with the worker's
 * memory sampled meanwhile (./worker-memory.ts). The modes take turns within each round, so that
 * a change in the machine's load falls on all of them.
 */
import type {
  AttachmentBaselines,
  AttachmentBenchMode,
  AttachmentDirectionResult,
  AttachmentUploadRequest,
} from '../../../apps/web/src/worker/bench-attachments';
import { evaluate, type CdpSession } from './chromium-pipe';
import { measureLive, type LiveSample } from './memory-floor';
import type { RelayAdmission } from './relay-admission';
import type { MemoryPeak, WorkerMemorySampler } from './worker-memory';

/** The hooks' global (apps/web/src/worker/bench-seed.ts BENCH_GLOBAL). */
const HOOKS = 'self.__opendescentBench';

export type Direction = 'up' | 'down';

export interface RoundSample {
  readonly mode: AttachmentBenchMode;
  readonly direction: Direction;
  readonly round: number;
  readonly ms: number;
  readonly peakTotalAboveIdleMib: number;
  readonly peakHeapAboveIdleMib: number;
  readonly afterGcAboveIdleMib: number;
  readonly idleTotalMib: number;
  readonly memorySamples: number;
  readonly checkedChunks?: number;
}

const upload = (worker: CdpSession, request: AttachmentUploadRequest): Promise<AttachmentDirectionResult> =>
  evaluate(worker, `${HOOKS}.attachmentUpload(${JSON.stringify(request)})`);

const download = (worker: CdpSession, attachmentId: string): Promise<AttachmentDirectionResult> =>
  evaluate(worker, `${HOOKS}.attachmentDownload(${JSON.stringify(attachmentId)})`);

/** Whether the worker is a bench build's (the hooks are installed a moment after it starts). */
export async function waitForHooks(worker: CdpSession, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await evaluate<boolean>(worker, `typeof ${HOOKS} === 'object'`))) {
    if (Date.now() > deadline)
      throw new Error('no bench hooks in the messenger worker: the web client served is not a bench build');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface TransferSetup {
  readonly worker: CdpSession;
  readonly sampler: WorkerMemorySampler;
  readonly admission: RelayAdmission;
  readonly relayUrl: string;
  readonly size: number;
  readonly rounds: number;
  readonly modes: readonly AttachmentBenchMode[];
}

export async function measureTransfers(setup: TransferSetup): Promise<RoundSample[]> {
  const { worker, sampler, admission, relayUrl, size } = setup;
  const samples: RoundSample[] = [];
  const note = (
    mode: AttachmentBenchMode,
    direction: Direction,
    round: number,
    measured: MemoryPeak<AttachmentDirectionResult>,
  ) => {
    const sample: RoundSample = {
      mode,
      direction,
      round,
      ms: measured.result.ms,
      peakTotalAboveIdleMib: measured.peakTotalAboveIdleMib,
      peakHeapAboveIdleMib: measured.peakHeapAboveIdleMib,
      afterGcAboveIdleMib: measured.afterGcAboveIdleMib,
      idleTotalMib: (measured.idle.heapBytes + measured.idle.backingBytes) / 1024 / 1024,
      memorySamples: measured.samples,
      ...(measured.result.checkedChunks === undefined ? {} : { checkedChunks: measured.result.checkedChunks }),
    };
    samples.push(sample);
    console.log(
      `[bench:attachments:chromium] round ${round} ${mode} ${direction}: ${(((size / 1024 / 1024) * 1000) / sample.ms).toFixed(1)} MiB/s, peak +${sample.peakTotalAboveIdleMib.toFixed(1)} MiB (heap +${sample.peakHeapAboveIdleMib.toFixed(1)})`,
    );
  };
  for (let round = 1; round <= setup.rounds; round++) {
    for (const mode of setup.modes) {
      const admitted = await admission.admit(size);
      note(mode, 'up', round, await sampler.peakWhile(() => upload(worker, { mode, size, relayUrl, ...admitted })));
      note(mode, 'down', round, await sampler.peakWhile(() => download(worker, admitted.attachmentId)));
    }
  }
  return samples;
}

/** One more Web Crypto transfer each way, with the worker collected before every memory reading (memory-floor.ts). */
export async function measureLiveTransfers(setup: TransferSetup): Promise<LiveSample[]> {
  const { worker, sampler, admission, relayUrl, size } = setup;
  const admitted = await admission.admit(size);
  return measureLive(
    sampler,
    () => upload(worker, { mode: 'webcrypto', size, relayUrl, ...admitted }),
    () => download(worker, admitted.attachmentId),
  );
}

export async function measureBaselines(
  worker: CdpSession,
  size: number,
  rounds: number,
): Promise<AttachmentBaselines[]> {
  const runs: AttachmentBaselines[] = [];
  for (let round = 0; round < rounds; round++)
    runs.push(await evaluate<AttachmentBaselines>(worker, `${HOOKS}.attachmentBaselines(${size})`));
  return runs;
}
