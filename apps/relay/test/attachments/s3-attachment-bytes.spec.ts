/**
 * The S3 bytes store against a real S3-compatible server on loopback (test-s3.ts), by the same
 * cases as the filesystem store where the two agree, and by name where they differ: an
 * interrupted PATCH keeps nothing here, and a read spans several part objects.
 */
import type { Readable } from 'node:stream';
import { AttachmentStoreError } from '../../src/attachments/attachment-store';
import { MemoryAttachmentIndex } from '../../src/attachments/memory-attachment-index';
import { composeAttachmentStore } from '../../src/attachments/open-attachment-store';
import { S3AttachmentBytes } from '../../src/attachments/s3-attachment-bytes';
import { partsPast, slicesOf, type StoredPart } from '../../src/attachments/s3-attachment-parts';
import { newAttachment, randomId } from './attachment-index.suite';
import { startTestS3, type TestS3 } from './test-s3';

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

async function readAll(stream: Readable | undefined): Promise<number[]> {
  if (stream === undefined) throw new Error('no stream');
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return [...Buffer.concat(chunks)];
}

describe('S3 part arithmetic', () => {
  const part = (offset: number, size: number): StoredPart => ({ key: `k${offset}`, offset, size });
  const parts = [part(0, 5), part(5, 4), part(9, 2)];

  it('a range maps to slices of the parts it crosses, single bytes at a part edge included', () => {
    expect(slicesOf(parts, 4, 10)).toEqual([
      { key: 'k0', from: 4, to: 5 },
      { key: 'k5', from: 0, to: 4 },
      { key: 'k9', from: 0, to: 1 },
    ]);
    expect(slicesOf([part(0, 0), ...parts], 0, 11)).toHaveLength(3);
  });

  it('truncated: a gap between parts, or a range past them, is a store failure', () => {
    expect(() => slicesOf([part(0, 5), part(6, 4)], 0, 10)).toThrow(AttachmentStoreError);
    expect(() => slicesOf(parts, 0, 12)).toThrow(AttachmentStoreError);
  });

  it('an append at an offset drops the parts after it, empties the one at it, and cuts the one across it', () => {
    expect(partsPast(parts, 5)).toEqual({ remove: [part(9, 2)], empty: [part(5, 4)], cut: [] });
    expect(partsPast(parts, 7)).toEqual({ remove: [part(9, 2)], empty: [], cut: [part(5, 4)] });
    expect(partsPast(parts, 11)).toEqual({ remove: [], empty: [], cut: [] });
  });
});

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.close();
});

describe('S3 attachment bytes', () => {
  let prefix: string;
  let bytes: S3AttachmentBytes;
  beforeEach(async () => {
    prefix = `t-${hex(randomId()).slice(0, 8)}/`;
    bytes = await S3AttachmentBytes.open(s3.settings(prefix));
  });
  afterEach(async () => {
    await bytes.close();
  });

  it('one empty object at offset 0 says an attachment exists; its key holds the id and the offset only', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await bytes.size(id)).toBe(0);
    const mine = (await s3.objects()).filter((object) => object.key.startsWith(prefix));
    expect(mine).toEqual([{ key: `${prefix}${hex(id)}/0000000000000000`, metadata: {} }]);
  });

  it('collision: creating an id twice fails with a code, and its message names no key', async () => {
    const id = randomId();
    await bytes.create(id);
    const failure = await bytes.create(id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as AttachmentStoreError).code).toBe('EEXIST');
    expect((failure as Error).message).not.toContain(hex(id));
  });

  it('appends in several PATCHes, one object each; reads whole and by ranges across part boundaries', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await bytes.append(id, 0, pieces(bytesOf(3, 1), bytesOf(2, 2)), 100)).toEqual({
      outcome: 'appended',
      written: 5,
    });
    expect(await bytes.append(id, 5, pieces(bytesOf(4, 3)), 100)).toEqual({ outcome: 'appended', written: 4 });
    expect(await bytes.append(id, 9, pieces(bytesOf(2, 4)), 100)).toEqual({ outcome: 'appended', written: 2 });
    await bytes.finish(id, 11);
    expect(await bytes.size(id)).toBe(11);
    const keys = (await s3.keys()).filter((key) => key.startsWith(prefix));
    expect(keys).toEqual(
      ['0000000000000000', '0000000000000005', '0000000000000009'].map((o) => `${prefix}${hex(id)}/${o}`),
    );
    expect(await readAll(await bytes.read(id, 0, 11))).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4]);
    expect(await readAll(await bytes.read(id, 4, 11))).toEqual([2, 3, 3, 3, 3, 4, 4]);
    expect(await readAll(await bytes.read(id, 3, 7))).toEqual([2, 2, 3, 3]);
    expect(await readAll(await bytes.read(id, 6, 8))).toEqual([3, 3]);
    expect(await readAll(await bytes.read(id, 11, 11))).toEqual([]);
  });

  it('truncated: a range the parts do not cover fails with a code, never a short read', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(4, 1)), 100);
    const failure = await bytes.read(id, 0, 8).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as AttachmentStoreError).code).toBe('parts_incomplete');
  });

  it('oversized: a body past the limit keeps nothing of this append, and the earlier bytes stay', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(4, 1)), 100);
    expect(await bytes.append(id, 4, pieces(bytesOf(3, 2), bytesOf(3, 3)), 5)).toEqual({ outcome: 'overflow' });
    expect(await bytes.size(id)).toBe(4);
    expect(await bytes.append(id, 4, pieces(bytesOf(5, 2)), 5)).toEqual({ outcome: 'appended', written: 5 });
    expect(await readAll(await bytes.read(id, 0, 9))).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('interrupted: a source that fails part-way keeps nothing of it (written 0), and the earlier bytes stay', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(2, 5)), 100);
    expect(await bytes.append(id, 2, cutOff(bytesOf(6, 7), bytesOf(2, 8)), 100)).toEqual({
      outcome: 'interrupted',
      written: 0,
    });
    expect(await bytes.size(id)).toBe(2);
    expect(await readAll(await bytes.read(id, 0, 2))).toEqual([5, 5]);
  });

  it('interrupted first PATCH: the attachment still exists, empty', async () => {
    const id = randomId();
    await bytes.create(id);
    expect(await bytes.append(id, 0, cutOff(bytesOf(6, 7)), 100)).toEqual({ outcome: 'interrupted', written: 0 });
    expect(await bytes.size(id)).toBe(0);
    expect(await bytes.append(id, 0, pieces(bytesOf(1, 1)), 100)).toEqual({ outcome: 'appended', written: 1 });
  });

  it('reordered: an append at an earlier offset drops whatever was stored past it, even inside a part', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(10, 1)), 100);
    await bytes.append(id, 10, pieces(bytesOf(5, 2)), 100);
    await bytes.append(id, 4, pieces(bytesOf(2, 9)), 100);
    expect(await readAll(await bytes.read(id, 0, 6))).toEqual([1, 1, 1, 1, 9, 9]);
    expect(await bytes.size(id)).toBe(6);
  });

  it('replayed: an append at an offset already stored replaces that part', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(3, 1)), 100);
    await bytes.append(id, 0, pieces(bytesOf(2, 6)), 100);
    expect(await readAll(await bytes.read(id, 0, 2))).toEqual([6, 6]);
    expect(await bytes.size(id)).toBe(2);
  });

  it('missing: append, read and size of deleted bytes answer so; delete removes every part and is idempotent', async () => {
    const id = randomId();
    await bytes.create(id);
    await bytes.append(id, 0, pieces(bytesOf(3, 1)), 10);
    await bytes.append(id, 3, pieces(bytesOf(3, 2)), 10);
    await bytes.delete(id);
    await bytes.delete(id);
    expect(await bytes.append(id, 0, pieces(bytesOf(1, 1)), 10)).toEqual({ outcome: 'missing' });
    expect(await bytes.read(id, 0, 1)).toBeUndefined();
    expect(await bytes.size(id)).toBeUndefined();
    expect((await s3.keys()).filter((key) => key.includes(hex(id)))).toEqual([]);
  });

  it('lists the ids under its prefix only, and only names it could have written', async () => {
    const id = randomId();
    await bytes.create(id);
    const neighbour = await S3AttachmentBytes.open(s3.settings(`${prefix}other/`));
    try {
      await neighbour.create(randomId());
      expect((await bytes.attachmentIds()).map(hex)).toEqual([hex(id)]);
    } finally {
      await neighbour.close();
    }
  });

  it('a memory index over it deletes, at start, the bytes under its prefix it does not know, and nothing else', async () => {
    const leftover = randomId();
    await bytes.create(leftover);
    const elsewhere = await S3AttachmentBytes.open(s3.settings(`x-${prefix}`));
    const kept = randomId();
    await elsewhere.create(kept);
    const store = await composeAttachmentStore(new MemoryAttachmentIndex(1024 ** 2), bytes);
    expect(await bytes.size(leftover)).toBeUndefined();
    expect(await elsewhere.size(kept)).toBe(0);
    const attachment = newAttachment();
    await store.index.create(attachment, 0);
    await store.bytes.create(attachment.attachmentId);
    await store.close();
    bytes = await S3AttachmentBytes.open(s3.settings(prefix));
    expect(await bytes.attachmentIds()).toEqual([]);
    await elsewhere.delete(kept);
    await elsewhere.close();
  });
});

describe('S3 attachment bytes, unavailable', () => {
  it('a bucket that does not exist fails at open, with a code and no name in the message', async () => {
    const failure = await S3AttachmentBytes.open({ ...s3.settings(), bucket: 'no-such-bucket' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as Error).message).not.toContain('no-such-bucket');
  });

  it('a server that does not answer fails at open with a code, and no address in the message', async () => {
    const failure = await S3AttachmentBytes.open({ ...s3.settings(), endpoint: 'http://127.0.0.1:1' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AttachmentStoreError);
    expect((failure as Error).message).not.toContain('127.0.0.1');
  });
});
