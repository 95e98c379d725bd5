/**
 * Attachment bytes as files (the embedded default, relay.md §3.15): one file per attachment,
 * named by the attachment id in hex, mode 0600, in a directory of mode 0700. Nothing else is
 * written: no temporary files, no metadata (the index holds that).
 *
 * Durability: a write is awaited before the offset counts, so the offset never runs ahead of the
 * file. There is no fsync: the page cache survives the relay process, and the memory index does
 * not survive it anyway (a machine crash loses the index before it loses a page).
 */
import { mkdir, mkdtemp, open, readdir, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ATTACHMENT_ID_LENGTH, attachmentIdFromHex } from '@opendescent/protocol';
import { AttachmentStoreError, idKey, type AppendOutcome, type AttachmentBytes } from './attachment-store';

/** The prefix of the directory drawn under the system's temporary directory when none is configured. */
export const ATTACHMENT_TEMP_PREFIX = 'opendescent-relay-attachments-';

const FILE_NAME = new RegExp(`^[0-9a-f]{${2 * ATTACHMENT_ID_LENGTH}}$`);

export class FilesystemAttachmentBytes implements AttachmentBytes {
  private constructor(
    /** Where the files are; no log line names it with a file, since a file name is an id. */
    readonly directory: string,
    /** A directory this process drew is removed on close; a configured one is kept. */
    private readonly ownsDirectory: boolean,
  ) {}

  /**
   * `directory` (RELAY_ATTACHMENT_DIR) is created, mode 0700, when missing; unset, a fresh one is
   * drawn under the system's temporary directory (mkdtemp: a random suffix, mode 0700).
   */
  static async open(directory?: string): Promise<FilesystemAttachmentBytes> {
    try {
      if (directory === undefined)
        return new FilesystemAttachmentBytes(await mkdtemp(join(tmpdir(), ATTACHMENT_TEMP_PREFIX)), true);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      return new FilesystemAttachmentBytes(directory, false);
    } catch (error) {
      throw storeError(error);
    }
  }

  async create(attachmentId: Uint8Array): Promise<void> {
    try {
      // 'wx': exclusive, so an id drawn twice can never share a file.
      await (await open(this.#path(attachmentId), 'wx', 0o600)).close();
    } catch (error) {
      throw storeError(error);
    }
  }

  async append(
    attachmentId: Uint8Array,
    offset: number,
    source: AsyncIterable<Uint8Array>,
    limit: number,
  ): Promise<AppendOutcome> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path(attachmentId), 'r+');
    } catch (error) {
      if (isMissing(error)) return { outcome: 'missing' };
      throw storeError(error);
    }
    try {
      // Whatever an earlier, failed write left past the offset is not part of the upload.
      await handle.truncate(offset);
      return await this.#copy(handle, offset, source, limit);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async finish(_attachmentId: Uint8Array, _length: number): Promise<void> {
    // A file is whole as soon as its last byte is written.
  }

  async size(attachmentId: Uint8Array): Promise<number | undefined> {
    try {
      return (await stat(this.#path(attachmentId))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storeError(error);
    }
  }

  async read(attachmentId: Uint8Array, start: number, end: number): Promise<Readable | undefined> {
    let handle: FileHandle;
    try {
      // Opened before resolving: a deletion from now on no longer affects this read.
      handle = await open(this.#path(attachmentId), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storeError(error);
    }
    if (end <= start) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({ start, end: end - 1, autoClose: true });
  }

  async delete(attachmentId: Uint8Array): Promise<void> {
    try {
      await unlink(this.#path(attachmentId));
    } catch (error) {
      if (!isMissing(error)) throw storeError(error);
    }
  }

  async attachmentIds(): Promise<Uint8Array[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      throw storeError(error);
    }
    // Only names this store writes: a directory set by hand may hold anything else, left alone.
    return names.flatMap((name) => {
      const attachmentId = FILE_NAME.test(name) ? attachmentIdFromHex(name, ATTACHMENT_ID_LENGTH) : undefined;
      return attachmentId ? [attachmentId] : [];
    });
  }

  async close(): Promise<void> {
    if (this.ownsDirectory) await rm(this.directory, { recursive: true, force: true });
  }

  /** Stops at the byte past `limit` and truncates back to `offset`; a failing source keeps what was written. */
  async #copy(
    handle: FileHandle,
    offset: number,
    source: AsyncIterable<Uint8Array>,
    limit: number,
  ): Promise<AppendOutcome> {
    let written = 0;
    const iterator = source[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch {
        // The client went away mid-body: what reached the file stays (tus semantics).
        return { outcome: 'interrupted', written };
      }
      if (next.done) return { outcome: 'appended', written };
      const chunk = next.value;
      try {
        if (written + chunk.length > limit) {
          await handle.truncate(offset);
          await iterator.return?.();
          return { outcome: 'overflow' };
        }
        await writeFully(handle, chunk, offset + written);
        written += chunk.length;
      } catch (error) {
        // A failed write (disk full) keeps nothing of this PATCH: the offset stays where it was.
        await handle.truncate(offset).catch(() => undefined);
        throw storeError(error);
      }
    }
  }

  #path(attachmentId: Uint8Array): string {
    return join(this.directory, idKey(attachmentId));
  }
}

async function writeFully(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** The error's code only: a filesystem message names the path, and the path names the id. */
function storeError(error: unknown): AttachmentStoreError {
  if (error instanceof AttachmentStoreError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new AttachmentStoreError(typeof code === 'string' ? code : 'unknown');
}
