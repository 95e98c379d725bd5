/** The filesystem bytes store and the store's start-up clean-up, in a temporary directory. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AttachmentStoreError } from '../../src/attachments/attachment-store';
import { ATTACHMENT_TEMP_PREFIX, FilesystemAttachmentBytes } from '../../src/attachments/filesystem-attachment-bytes';
import { MemoryAttachmentIndex } from '../../src/attachments/memory-attachment-index';
import { composeAttachmentStore, openAttachmentStore } from '../../src/attachments/open-attachment-store';
import { newAttachment, randomId } from './attachment-index.suite';

const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex');
const bytesOf = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

async function* pieces(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** A source that yields its chunks, then fails as a request whose client went away does. */
async function* cutOff(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  if (stream === undefined) throw new Error('no stream');
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('filesystem attachment bytes', () => {
  let root: string;
  let bytes: FilesystemAttachmentBytes;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relay-attachment-test-'));
    bytes = await FilesystemAttachmentBytes.open(join(root, 'store', 'nested'));
  });
  afterEach(async () => {
    await bytes.close();
    await rm(root, { recursive: true, force: true });
  });

  it('a configured directory is created when missing, mode 0700, and kept on close', async () => {
    expect((await stat(bytes.directory)).mode & 0o777).toBe(0o700);
    await bytes.close();
    expect((await stat(bytes.directory)).isDirectory()).toBe(true);
  });

  it('without a directory, a fresh private one under the temporary directory, removed on close', async () => {
    const drawn = await FilesystemAttachmentBytes.open();
    const other = await FilesystemAttachmentBytes.open();
    try {
      expect(drawn.directory.startsWith(join(tmpdir(), ATTACHMENT_TEMP_PREFIX))).toBe(true);
      expect(drawn.directory).not.toBe(other.directory);
      expect((await stat(drawn.directory)).mode & 0o777).toBe(0o700);
      await drawn.create(randomId());
    } finally {
      await drawn.close();
      await other.close();
    }
    await expect(stat(drawn.directory)).rejects.toThrow();
  });

  it('one file per attachment, named by its id in hex, mode 0600, empty at first', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await readdir(bytes.directory)).toEqual([hex(id)]);
    expect((await stat(join(bytes.directory, hex(id)))).mode & 0o777).toBe(0o600);
    expect(await bytes.size(id)).toBe(0);
  });

  it('collision: creating an id twice fails with a code, and its message names no path', async () => {
    const id = randomId();
    await bytes.create(id);
    const failure = await bytes.create(id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as AttachmentStoreError).code).toBe('EEXIST');
    expect((failure as Error).message).not.toContain(hex(id));
    expect((failure as Error).message).not.toContain(bytes.directory);
  });

  it('appends in several pieces at their offsets; reads whole and by range', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await bytes.append(id, 0, pieces(bytesOf(3, 1), bytesOf(2, 2)), 100)).toEqual({
      outcome: 'appended',
      written: 5,
    });
    expect(await bytes.append(id, 5, pieces(bytesOf(4, 3)), 100)).toEqual({ outcome: 'appended', written: 4 });
    expect(await bytes.size(id)).toBe(9);
    expect([...(await readAll(await bytes.read(id, 0, 9)))]).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3]);
    expect([...(await readAll(await bytes.read(id, 4, 7)))]).toEqual([2, 3, 3]);
    expect(await readAll(await bytes.read(id, 9, 9))).toHaveLength(0);
  });

  it('oversized: a body past the limit keeps nothing of this append, and the earlier bytes stay', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(4, 1)), 100);
    expect(await bytes.append(id, 4, pieces(bytesOf(3, 2), bytesOf(3, 3)), 5)).toEqual({ outcome: 'overflow' });
    expect(await bytes.size(id)).toBe(4);
    expect(await bytes.append(id, 4, pieces(bytesOf(5, 2)), 5)).toEqual({ outcome: 'appended', written: 5 });
  });

  it('interrupted: a source that fails part-way keeps what reached the file', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await bytes.append(id, 0, cutOff(bytesOf(6, 7), bytesOf(2, 8)), 100)).toEqual({
      outcome: 'interrupted',
      written: 8,
    });
    expect([...(await readAll(await bytes.read(id, 0, 8)))]).toEqual([7, 7, 7, 7, 7, 7, 8, 8]);
  });

  it('reordered: an append at an earlier offset drops whatever was stored past it', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(10, 1)), 100);
    await bytes.append(id, 4, pieces(bytesOf(2, 9)), 100);
    expect([...(await readAll(await bytes.read(id, 0, 6)))]).toEqual([1, 1, 1, 1, 9, 9]);
    expect(await bytes.size(id)).toBe(6);
  });

  it('missing: append, read and size of deleted bytes answer so; delete is idempotent', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.delete(id);
    await bytes.delete(id);
    expect(await bytes.append(id, 0, pieces(bytesOf(1, 1)), 10)).toEqual({ outcome: 'missing' });
    expect(await bytes.read(id, 0, 1)).toBeUndefined();
    expect(await bytes.size(id)).toBeUndefined();
    expect(await readdir(bytes.directory)).toEqual([]);
  });

  it('a read opened before a delete still serves its bytes', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(5, 4)), 10);
    const stream = await bytes.read(id, 0, 5);
    await bytes.delete(id);
    expect([...(await readAll(stream))]).toEqual([4, 4, 4, 4, 4]);
  });

  it('lists only the files it could have written', async () => {
    const id = randomId();
    await bytes.create(id);
    await writeFile(join(bytes.directory, 'notes.txt'), 'kept');
    await writeFile(join(bytes.directory, hex(randomId()).toUpperCase()), 'kept');
    expect((await bytes.attachmentIds()).map(hex)).toEqual([hex(id)]);
  });
});

describe('attachment store opening and closing', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relay-attachment-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('at start, deletes the bytes a previous run left (the memory index knows none), and nothing else', async () => {
    const leftover = hex(randomId());
    await writeFile(join(root, leftover), randomBytes(32));
    await writeFile(join(root, 'README'), 'an operator’s file');
    const store = await openAttachmentStore({ directory: root, maxReservedBytes: 1024 ** 2 });
    try {
      expect(await readdir(root)).toEqual(['README']);
    } finally {
      await store.close();
    }
  });

  it('keeps the bytes its index knows', async () => {
    const bytes = await FilesystemAttachmentBytes.open(root);
    const index = new MemoryAttachmentIndex(1024 ** 2);
    const known = newAttachment();
    await index.create(known, 0);
    await bytes.create(known.attachmentId);
    await bytes.create(randomId());
    const store = await composeAttachmentStore(index, bytes);
    expect(await readdir(root)).toEqual([hex(known.attachmentId)]);
    await store.close();
  });

  it('closing a volatile index deletes the bytes it knew: nothing could reach them again', async () => {
    const store = await openAttachmentStore({ directory: root, maxReservedBytes: 1024 ** 2 });
    const attachment = newAttachment();
    await store.index.create(attachment, 0);
    await store.bytes.create(attachment.attachmentId);
    await store.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('unavailable: a directory that cannot be made fails with a code only', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    const failure = await FilesystemAttachmentBytes.open(join(file, 'below')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as Error).message).not.toContain(root);
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
