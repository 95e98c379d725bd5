/**
 * The messenger worker of a bench build, reached from outside the page: its bench hooks
 * (apps/web/src/worker/bench-seed.ts) through Playwright's Worker.evaluate, and its JS heap
 * through the DevTools protocol (the page's session auto-attaches to the worker target; commands
 * go to it with Target.sendMessageToTarget).
 */
import type { CDPSession, Page, Worker } from 'playwright-core';
import type {
  BenchHooks,
  CommitMark,
  RequestMark,
  SeedRequest,
  SeedResult,
} from '../../../apps/web/src/worker/bench-seed';

type HookScope = { __opendescentBench?: BenchHooks };

/** The page's messenger worker once its bench hooks are installed; a clear error for a build without them. */
export async function benchWorker(page: Page, timeoutMs = 60_000): Promise<Worker> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const worker of page.workers()) {
      const hooked = await worker
        .evaluate(() => typeof (self as unknown as HookScope).__opendescentBench === 'object')
        .catch(() => false);
      if (hooked) return worker;
    }
    if (Date.now() > deadline) {
      throw new Error(
        'no messenger worker with bench hooks: the web client served is not a bench build (NEXT_PUBLIC_OPENDESCENT_BENCH=1)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function openSeeder(worker: Worker, passphrase: string): Promise<void> {
  return worker.evaluate(
    (secret) => (self as unknown as Required<HookScope>).__opendescentBench.openSeeder(secret),
    passphrase,
  );
}

export function seed(worker: Worker, request: SeedRequest): Promise<SeedResult> {
  return worker.evaluate((wanted) => (self as unknown as Required<HookScope>).__opendescentBench.seed(wanted), request);
}

export function closeSeeder(worker: Worker): Promise<void> {
  return worker.evaluate(() => (self as unknown as Required<HookScope>).__opendescentBench.closeSeeder());
}

export function takeMarks(worker: Worker): Promise<CommitMark[]> {
  return worker.evaluate(() => (self as unknown as Required<HookScope>).__opendescentBench.takeMarks());
}

export interface HeapUsage {
  readonly usedBytes: number;
  readonly totalBytes: number;
}

interface TargetMessage {
  readonly id?: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
}

/** Sends one command to a child target of `cdp` (non-flat session) and resolves with its result. */
function childCaller(cdp: CDPSession, sessionId: string): (method: string) => Promise<Record<string, unknown>> {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as TargetMessage;
    const call = message.id === undefined ? undefined : pending.get(message.id);
    if (!call || message.id === undefined) return;
    pending.delete(message.id);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result ?? {});
  });
  return (method) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(reject);
    });
}

async function heapOf(call: (method: string) => Promise<Record<string, unknown>>): Promise<HeapUsage> {
  // Twice: objects freed by the first collection's finalisers go in the second.
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const usage = await call('Runtime.getHeapUsage');
  return { usedBytes: Number(usage['usedSize']), totalBytes: Number(usage['totalSize']) };
}

/** The JS heap of the page's messenger worker and of the page itself, each after a full GC. */
export async function heapsAfterGc(page: Page): Promise<{ worker: HeapUsage; page: HeapUsage }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const attached = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker target was never attached')), 30_000);
      cdp.on('Target.attachedToTarget', (event) => {
        if (event.targetInfo.type !== 'worker') return;
        clearTimeout(timer);
        resolve(event.sessionId);
      });
    });
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    const sessionId = await attached;
    const worker = await heapOf(childCaller(cdp, sessionId));
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    const pageHeap = await heapOf(
      async (method) => (await cdp.send(method as 'Runtime.getHeapUsage')) as unknown as Record<string, unknown>,
    );
    return { worker, page: pageHeap };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** The browser's product and version, e.g. "HeadlessChrome/131.0.6778.85". */
export async function chromiumVersion(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    return (await cdp.send('Browser.getVersion')).product;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

export function takeRequests(worker: Worker): Promise<RequestMark[]> {
  return worker.evaluate(() => (self as unknown as Required<HookScope>).__opendescentBench.takeRequests());
}
