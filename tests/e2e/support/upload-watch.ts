/**
 * The upload requests of one browser to the relay (attachments.md §4.2), seen from the browser:
 * every HEAD and PATCH of /v1/attachments/upload, the messenger's worker's included, with the
 * offset each PATCH claims and how it ended. Each PATCH can be held a moment before it goes, so
 * that a 50 MiB upload over loopback lasts long enough for a test to cut the network in its middle.
 *
 * While the route is on, Playwright answers the CORS preflights of that browser itself (it cannot
 * pause a request otherwise): the relay's own CORS answers are tested elsewhere (the relay's
 * attachment-cors tests and every other browser test).
 */
import type { BrowserContext, Request, Route } from 'playwright-core';

export const UPLOAD_PATH = '/v1/attachments/upload';

export interface UploadRequest {
  readonly method: string;
  /** The Upload-Offset a PATCH claims. */
  readonly offset: number | undefined;
  /** When the page made it (ms since the epoch); a held PATCH goes out `holdPatchMs` later. */
  readonly issuedAt: number;
  /** The relay's status, or 'failed' when the network (or the page, aborting) dropped it. */
  outcome: number | 'failed' | undefined;
}

export interface UploadWatch {
  /** Every request so far, in the order they went out. */
  readonly requests: readonly UploadRequest[];
  /** Stops holding and watching (the browser's requests go straight out again). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function watchUploads(
  context: BrowserContext,
  relayUrl: string,
  { holdPatchMs = 0 }: { holdPatchMs?: number } = {},
): Promise<UploadWatch> {
  const url = `${relayUrl}${UPLOAD_PATH}`;
  const requests: UploadRequest[] = [];
  const records = new Map<Request, UploadRequest>();
  // Every request the page makes is seen here, those the browser fails at once while offline too
  // (they never reach the route).
  const issued = (request: Request) => {
    if (request.url() !== url || !['HEAD', 'PATCH'].includes(request.method())) return;
    const offset = request.headers()['upload-offset'];
    const record: UploadRequest = {
      method: request.method(),
      offset: offset === undefined ? undefined : Number(offset),
      issuedAt: Date.now(),
      outcome: undefined,
    };
    requests.push(record);
    records.set(request, record);
  };
  const finished = (request: Request) => {
    const record = records.get(request);
    if (!record) return;
    void request.response().then((response) => (record.outcome = response?.status() ?? 'failed'));
  };
  const failed = (request: Request) => {
    const record = records.get(request);
    if (!record) return;
    record.outcome = 'failed';
  };
  const hold = async (route: Route) => {
    if (route.request().method() === 'PATCH' && holdPatchMs > 0) await sleep(holdPatchMs);
    // The page may have given up on it meanwhile (its transfer aborted): nothing to let go.
    await route.continue().catch(() => undefined);
  };
  context.on('request', issued);
  context.on('requestfinished', finished);
  context.on('requestfailed', failed);
  await context.route(url, hold);
  return {
    requests,
    stop: async () => {
      await context.unroute(url, hold);
      context.off('request', issued);
      context.off('requestfinished', finished);
      context.off('requestfailed', failed);
    },
  };
}

/** What the watched requests say about an upload across a network cut. */
export interface UploadAcrossCut {
  /** The offsets of the PATCHes the relay kept (204), in the order they were made. */
  readonly keptOffsets: readonly number[];
  readonly patches: number;
  /** PATCHes the network dropped (in flight at the cut, or tried while it lasted). */
  readonly failed: number;
  /** HEADs made after the cut: the transfer was started again and asked the relay its offset. */
  readonly headsAfterCut: number;
  /** The highest offset of a kept PATCH made before the cut. */
  readonly lastKeptBeforeCut: number;
  /** The lowest offset a PATCH made after the cut claimed (0 would be a restart from scratch). */
  readonly lowestAfterCut: number | undefined;
}

/**
 * `cutAt`: when the network went. Requests are placed by when the page made them: when one ends
 * is no guide, since Chromium may keep a request made just before the cut until the network is
 * back, and may report the end of one the relay answered just before the cut only after it.
 */
export function uploadAcrossCut(requests: readonly UploadRequest[], cutAt: number): UploadAcrossCut {
  const patches = requests.filter((request) => request.method === 'PATCH');
  const kept = patches.filter((request) => request.outcome === 204);
  const afterCut = patches.filter((request) => request.issuedAt >= cutAt);
  const offsets = (list: readonly UploadRequest[]) => list.map((request) => request.offset ?? -1);
  return {
    keptOffsets: offsets(kept),
    patches: patches.length,
    failed: patches.filter((request) => request.outcome === 'failed').length,
    headsAfterCut: requests.filter((request) => request.method === 'HEAD' && request.issuedAt >= cutAt).length,
    lastKeptBeforeCut: Math.max(0, ...offsets(kept.filter((request) => request.issuedAt < cutAt))),
    lowestAfterCut: afterCut.length > 0 ? Math.min(...offsets(afterCut)) : undefined,
  };
}
