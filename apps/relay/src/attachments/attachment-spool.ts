/**
 * A PATCH body held in a temporary file until it has ended normally, for a bytes store that can
 * only write whole objects (s3-attachment-bytes.ts). A file rather than memory, so a node serving
 * many 16 MiB PATCHes at once stays flat in memory. The file is named at random (never by an id),
 * mode 0600, in a directory of mode 0700, and removed whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of the spool directory drawn under the system's temporary directory. */
export const ATTACHMENT_SPOOL_PREFIX = 'opendescent-relay-spool-';

/** How a body ended: `complete` leaves a file for the caller to send, then `discard`. */
export type SpooledBody =
  | { readonly outcome: 'complete'; readonly path: string; readonly written: number; discard(): Promise<void> }
  | { readonly outcome: 'overflow' }
  | { readonly outcome: 'interrupted' };

export class AttachmentSpool {
  private constructor(readonly directory: string) {}

  static async open(): Promise<AttachmentSpool> {
    return new AttachmentSpool(await mkdtemp(join(tmpdir(), ATTACHMENT_SPOOL_PREFIX)));
  }

  /**
   * Copies `source` to a fresh file, holding one chunk in memory at a time. Past `limit` bytes it
   * stops reading (`overflow`); a source that fails part-way is `interrupted`. Neither keeps a file.
   */
  async take(source: AsyncIterable<Uint8Array>, limit: number): Promise<SpooledBody> {
    const path = join(this.directory, randomBytes(16).toString('hex'));
    const handle = await open(path, 'wx', 0o600);
    let kept = false;
    try {
      const outcome = await copy(handle, source, limit);
      if (outcome.outcome !== 'complete') return outcome;
      kept = true;
      return { outcome: 'complete', path, written: outcome.written, discard: () => rm(path, { force: true }) };
    } finally {
      await handle.close().catch(() => undefined);
      if (!kept) await rm(path, { force: true });
    }
  }

  async close(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

async function copy(
  handle: FileHandle,
  source: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<
  { readonly outcome: 'complete'; readonly written: number } | { readonly outcome: 'overflow' | 'interrupted' }
> {
  let written = 0;
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await iterator.next();
    } catch {
      // The client went away mid-body.
      return { outcome: 'interrupted' };
    }
    if (next.done) return { outcome: 'complete', written };
    const chunk = next.value;
    if (written + chunk.length > limit) {
      await iterator.return?.();
      return { outcome: 'overflow' };
    }
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, written + done);
      done += bytesWritten;
    }
    written += chunk.length;
  }
}
