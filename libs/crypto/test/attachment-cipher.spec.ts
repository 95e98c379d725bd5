/**
 * The index-based AttachmentEncryptor and AttachmentDecryptor (docs/protocol/attachments.md §2):
 * the STREAM nonce, chunk lengths, deterministic re-sealing for resumed uploads, the in-order
 * digest, all-or-nothing openChunk, non-zero padding, and the refusal of malformed arguments.
 */
import { inspect } from 'node:util';
import { gcm } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  attachmentChunkLengths,
  attachmentChunkNonce,
} from '../src/attachment-cipher';
import { decryptAttachment } from '../src/attachment-stream';
import { concatBytes } from '../src/bytes';
import type { AttachmentCipherBackend } from '../src/attachment-backend';
import {
  collect,
  expectedDigest,
  expectRefusal,
  expectSameBytes,
  flipBit,
  listOf,
  patternFile,
  sealFile,
} from './attachment-helpers';
import { ATTACHMENT_FORMAT_VERSIONS, type AttachmentFormatVersion } from '../src/attachment-digest';

const BACKENDS: readonly AttachmentCipherBackend[] = ['webcrypto', 'noble'];
const TEST_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('STREAM nonce and chunk lengths (attachments.md §2)', () => {
  it('the nonce is 7 zero bytes, the index as u32 big-endian, then the final flag', () => {
    expect(attachmentChunkNonce(0x01020304, true)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 1));
    expect(attachmentChunkNonce(0, false)).toEqual(new Uint8Array(12));
  });

  it('an empty file is one empty chunk, sealed as final', () => {
    expect(attachmentChunkLengths(0, 0)).toEqual({ fileBytes: 0, plaintextBytes: 0, sealedBytes: 16, final: true });
  });

  it('65,537 bytes: a full chunk, then one file byte padded to 2,048', () => {
    expect(attachmentChunkLengths(65_537, 0)).toEqual({
      fileBytes: 65_536,
      plaintextBytes: 65_536,
      sealedBytes: 65_552,
      final: false,
    });
    expect(attachmentChunkLengths(65_537, 1)).toEqual({
      fileBytes: 1,
      plaintextBytes: 2_048,
      sealedBytes: 2_064,
      final: true,
    });
  });

  it('2^22 + 1 bytes: the last chunk is padding only', () => {
    expect(attachmentChunkLengths(2 ** 22 + 1, 64)).toMatchObject({ fileBytes: 1, plaintextBytes: 65_536 });
    expect(attachmentChunkLengths(2 ** 22 + 1, 65)).toEqual({
      fileBytes: 0,
      plaintextBytes: 65_536,
      sealedBytes: 65_552,
      final: true,
    });
  });

  it('an index outside the file or a malformed size is bad_parameter', async () => {
    await expectRefusal(async () => attachmentChunkLengths(65_537, 2), 'bad_parameter');
    await expectRefusal(async () => attachmentChunkLengths(65_537, -1), 'bad_parameter');
    await expectRefusal(async () => attachmentChunkLengths(65_537, 0.5), 'bad_parameter');
    await expectRefusal(async () => attachmentChunkLengths(Number.NaN, 0), 'bad_parameter');
  });
});

describe('AttachmentEncryptor', () => {
  it('draws a fresh 32-byte key for every file', async () => {
    const a = await AttachmentEncryptor.create(10);
    const b = await AttachmentEncryptor.create(10);
    expect(a.key).toHaveLength(32);
    expect(a.key).not.toEqual(b.key);
    expect(a.backend).toBe('webcrypto');
  });

  it('never prints its key (JSON, util.inspect)', async () => {
    const encryptor = await AttachmentEncryptor.create(10, { key: TEST_KEY });
    const hex = Buffer.from(TEST_KEY).toString('hex');
    expect(JSON.stringify(encryptor)).not.toContain(hex);
    expect(inspect(encryptor, { depth: 5, showHidden: true })).not.toMatch(/Uint8Array|CryptoKey/);
  });

  it('keeps its own copy of a given key', async () => {
    const key = TEST_KEY.slice();
    const encryptor = await AttachmentEncryptor.create(10, { key, backend: 'noble' });
    const before = await encryptor.sealChunk(0, patternFile(10));
    key.fill(0xff);
    encryptor.key.fill(0xee);
    expect(encryptor.key).toEqual(TEST_KEY);
    expect(await encryptor.sealChunk(0, patternFile(10))).toEqual(before);
  });

  it.each(BACKENDS)('re-sealing a chunk gives identical bytes, so an upload can resume (%s)', async (backend) => {
    const file = patternFile(65_537);
    const first = await AttachmentEncryptor.create(file.length, { key: TEST_KEY, backend });
    const chunk0 = await first.sealChunk(0, file.subarray(0, 65_536));
    expect(await first.sealChunk(0, file.subarray(0, 65_536))).toEqual(chunk0);
    // A new encryptor for the same file under the same key (an upload resumed after a restart).
    const resumed = await AttachmentEncryptor.create(file.length, { key: TEST_KEY, backend: 'webcrypto' });
    expect(await resumed.sealChunk(0, file.subarray(0, 65_536))).toEqual(chunk0);
  });

  it('both backends give the same bytes under the same key', async () => {
    const file = patternFile(3 * 65_536 + 5);
    const viaWebCrypto = await sealFile(file, 'webcrypto', TEST_KEY);
    const viaNoble = await sealFile(file, 'noble', TEST_KEY);
    expectSameBytes(viaNoble.ciphertext, viaWebCrypto.ciphertext);
    expect(viaNoble.digest).toEqual(viaWebCrypto.digest);
  });

  it('format 2: the digest is refused until every chunk was sealed, in any order, then covers them in order', async () => {
    const file = patternFile(3 * 65_536);
    const encryptor = await AttachmentEncryptor.create(file.length, { key: TEST_KEY });
    expect(encryptor.version).toBe(2);
    const chunk2 = await encryptor.sealChunk(2, file.subarray(131_072));
    const chunk0 = await encryptor.sealChunk(0, file.subarray(0, 65_536));
    await expectRefusal(async () => encryptor.digest(), 'attachment_truncated');
    const chunk1 = await encryptor.sealChunk(1, file.subarray(65_536, 131_072));
    await encryptor.sealChunk(1, file.subarray(65_536, 131_072));
    expect(encryptor.digest()).toEqual(expectedDigest([chunk0, chunk1, chunk2], 2));
    expect(encryptor.digest()).toEqual(encryptor.digest());
  });

  it('format 1: the digest is refused until every chunk was sealed in order, then covers them in order', async () => {
    const file = patternFile(65_537);
    const encryptor = await AttachmentEncryptor.create(file.length, { key: TEST_KEY, version: 1 });
    const chunk1 = await encryptor.sealChunk(1, file.subarray(65_536));
    await expectRefusal(async () => encryptor.digest(), 'attachment_truncated');
    const chunk0 = await encryptor.sealChunk(0, file.subarray(0, 65_536));
    await expectRefusal(async () => encryptor.digest(), 'attachment_truncated');
    await encryptor.sealChunk(1, file.subarray(65_536));
    expect(encryptor.digest()).toEqual(sha256(concatBytes(chunk0, chunk1)));
    expect(encryptor.digest()).toEqual(encryptor.digest());
  });

  it('a chunk of the wrong length is bad_length; padding is the encryptor’s job', async () => {
    const encryptor = await AttachmentEncryptor.create(65_537);
    await expectRefusal(() => encryptor.sealChunk(1, new Uint8Array(2_048)), 'bad_length');
    await expectRefusal(() => encryptor.sealChunk(0, new Uint8Array(65_535)), 'bad_length');
    await expectRefusal(() => encryptor.sealChunk(1, new Uint8Array(0)), 'bad_length');
    expect(await encryptor.sealChunk(1, Uint8Array.of(7))).toHaveLength(2_064);
  });

  it('a chunk of pure padding is sealed from empty file bytes', async () => {
    const encryptor = await AttachmentEncryptor.create(2 ** 22 + 1);
    expect(encryptor.chunkCount).toBe(66);
    expect(await encryptor.sealChunk(65, new Uint8Array(0))).toHaveLength(65_552);
  });

  it('an index outside the file is bad_parameter', async () => {
    const encryptor = await AttachmentEncryptor.create(10);
    await expectRefusal(() => encryptor.sealChunk(1, new Uint8Array(0)), 'bad_parameter');
    await expectRefusal(() => encryptor.sealChunk(-1, new Uint8Array(0)), 'bad_parameter');
  });

  it('a malformed size, key or backend is refused', async () => {
    await expectRefusal(() => AttachmentEncryptor.create(-1), 'bad_parameter');
    await expectRefusal(() => AttachmentEncryptor.create(2 ** 40 + 1), 'bad_parameter');
    await expectRefusal(() => AttachmentEncryptor.create(10, { key: new Uint8Array(16) }), 'bad_length');
    const unknown = 'openssl' as AttachmentCipherBackend;
    await expectRefusal(() => AttachmentEncryptor.create(10, { backend: unknown }), 'bad_parameter');
    const inherited = 'toString' as AttachmentCipherBackend;
    await expectRefusal(() => AttachmentEncryptor.create(10, { backend: inherited }), 'bad_parameter');
  });
});

describe('AttachmentDecryptor', () => {
  const size = 3 * 65_536 + 5;
  const params = async () => {
    const sealed = await sealFile(patternFile(size), 'webcrypto', TEST_KEY);
    return { sealed, params: { key: sealed.key, size, digest: sealed.digest, version: sealed.version } };
  };

  it.each(BACKENDS)('opens chunks in order and finishes (%s)', async (backend) => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p, { backend });
    const parts: Uint8Array[] = [];
    for (const [i, chunk] of sealed.chunks.entries()) parts.push(await decryptor.openChunk(i, chunk));
    decryptor.finish();
    expectSameBytes(concatBytes(...parts), patternFile(size));
    expect(decryptor.nextChunk).toBe(4);
  });

  it('out of order: a chunk other than the next one is bad_parameter', async () => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p);
    await expectRefusal(() => decryptor.openChunk(1, sealed.chunks[1] as Uint8Array), 'bad_parameter');
    await decryptor.openChunk(0, sealed.chunks[0] as Uint8Array);
    await expectRefusal(() => decryptor.openChunk(0, sealed.chunks[0] as Uint8Array), 'bad_parameter');
  });

  it('overlapping openChunk calls are bad_parameter', async () => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p);
    const first = decryptor.openChunk(0, sealed.chunks[0] as Uint8Array);
    await expectRefusal(() => decryptor.openChunk(0, sealed.chunks[0] as Uint8Array), 'bad_parameter');
    await first;
    expect(decryptor.nextChunk).toBe(1);
  });

  it('a sealed chunk of the wrong length for its index is bad_length', async () => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p);
    await expectRefusal(() => decryptor.openChunk(0, (sealed.chunks[0] as Uint8Array).subarray(1)), 'bad_length');
  });

  it('a failed chunk leaves the decryptor as it was: the genuine chunk still opens and the digest holds', async () => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p);
    await decryptor.openChunk(0, sealed.chunks[0] as Uint8Array);
    await expectRefusal(() => decryptor.openChunk(1, flipBit(sealed.chunks[1] as Uint8Array, 5)), 'auth_failed');
    await expectRefusal(() => decryptor.openChunk(1, sealed.chunks[2] as Uint8Array), 'auth_failed');
    expect(decryptor.nextChunk).toBe(1);
    for (const i of [1, 2, 3]) await decryptor.openChunk(i, sealed.chunks[i] as Uint8Array);
    expect(() => decryptor.finish()).not.toThrow();
  });

  it('finishing before the last chunk is attachment_truncated', async () => {
    const { sealed, params: p } = await params();
    const decryptor = await AttachmentDecryptor.create(p);
    for (const i of [0, 1, 2]) await decryptor.openChunk(i, sealed.chunks[i] as Uint8Array);
    await expectRefusal(async () => decryptor.finish(), 'attachment_truncated');
  });

  it('the final flag on the wrong chunk is auth_failed', async () => {
    // Chunk 1 sealed by hand as if it were the last one, with the right key and associated data.
    const file = patternFile(size);
    const { sealed, params: p } = await params();
    const forged = gcm(TEST_KEY, attachmentChunkNonce(1, true), Uint8Array.of(p.version)).encrypt(
      file.subarray(65_536, 131_072),
    );
    const decryptor = await AttachmentDecryptor.create(p);
    await decryptor.openChunk(0, sealed.chunks[0] as Uint8Array);
    await expectRefusal(() => decryptor.openChunk(1, forged), 'auth_failed');
  });

  it.each(ATTACHMENT_FORMAT_VERSIONS)(
    'a chunk sealed under another format (associated data) does not open as format %i: auth_failed',
    async (version) => {
      const other = version === 1 ? 2 : 1;
      const forged = gcm(TEST_KEY, attachmentChunkNonce(0, true), Uint8Array.of(other)).encrypt(patternFile(10));
      const digest = expectedDigest([forged], version);
      const decryptor = await AttachmentDecryptor.create({ key: TEST_KEY, size: 10, digest, version });
      await expectRefusal(() => decryptor.openChunk(0, forged), 'auth_failed');
    },
  );

  it('a format this library does not open is bad_parameter, sealing or opening', async () => {
    const digest = new Uint8Array(32);
    const version = 3 as AttachmentFormatVersion;
    await expectRefusal(() => AttachmentEncryptor.create(10, { version }), 'bad_parameter');
    await expectRefusal(
      () => AttachmentDecryptor.create({ key: TEST_KEY, size: 10, digest, version }),
      'bad_parameter',
    );
  });

  describe.each(
    BACKENDS.flatMap((backend) => ATTACHMENT_FORMAT_VERSIONS.map((version) => [backend, version] as const)),
  )('non-zero padding (%s, format %i)', (backend, version) => {
    // A sender that skips the zero padding: chunk 1 of a 65,537-byte file sealed by hand with the
    // one file byte followed by 2,047 bytes of 0x01, under the right key, nonce and version.
    const file = patternFile(65_537);
    const padded = new Uint8Array(2_048).fill(1);
    padded[0] = file[65_536] as number;
    const chunk1 = gcm(TEST_KEY, attachmentChunkNonce(1, true), Uint8Array.of(version)).encrypt(padded);

    it('openChunk refuses it with attachment_padding', async () => {
      const honest = await sealFile(file, backend, TEST_KEY, version);
      const digest = expectedDigest([honest.chunks[0] as Uint8Array, chunk1], version);
      const p = { key: TEST_KEY, size: 65_537, digest, version };
      const decryptor = await AttachmentDecryptor.create(p, { backend });
      await decryptor.openChunk(0, honest.chunks[0] as Uint8Array);
      await expectRefusal(() => decryptor.openChunk(1, chunk1), 'attachment_padding');
    });

    it('decryptAttachment refuses it with attachment_padding even when the digest matches', async () => {
      const honest = await sealFile(file, backend, TEST_KEY, version);
      const ciphertext = concatBytes(honest.chunks[0] as Uint8Array, chunk1);
      const p = {
        key: TEST_KEY,
        size: 65_537,
        digest: expectedDigest([honest.chunks[0] as Uint8Array, chunk1], version),
        version,
      };
      await expectRefusal(() => collect(decryptAttachment(listOf([ciphertext]), p, { backend })), 'attachment_padding');
    });
  });

  it('a key or digest of the wrong length is bad_length; a size outside the format bad_parameter', async () => {
    const digest = new Uint8Array(32);
    const version = 2;
    await expectRefusal(
      () => AttachmentDecryptor.create({ key: new Uint8Array(31), size: 1, digest, version }),
      'bad_length',
    );
    await expectRefusal(
      () => AttachmentDecryptor.create({ key: TEST_KEY, size: 1, digest: digest.subarray(1), version }),
      'bad_length',
    );
    await expectRefusal(
      () => AttachmentDecryptor.create({ key: TEST_KEY, size: Number.NaN, digest, version }),
      'bad_parameter',
    );
  });
});
