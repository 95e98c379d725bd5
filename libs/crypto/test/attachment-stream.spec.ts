/**
 * encryptAttachment / decryptAttachment (docs/protocol/attachments.md §2): round trips over the
 * sizes where chunking and Padmé padding change shape, on both backends and across them, fed in
 * odd pieces; then every way a stored ciphertext can be cut, reordered, extended or altered.
 */
import { inspect } from 'node:util';
import type { AttachmentCipherBackend } from '../src/attachment-backend';
import {
  attachmentChunkCount,
  attachmentCiphertextLength,
  isAttachmentCiphertextLength,
  paddedAttachmentLength,
} from '../src/attachment-length';
import { decryptAttachment, encryptAttachment } from '../src/attachment-stream';
import { concatBytes } from '../src/bytes';
import { randomBytes } from '../src/random';
import {
  collect,
  decryptWhole,
  expectRefusal,
  expectSameBytes,
  flipBit,
  listOf,
  patternFile,
  piecesOf,
  sealFile,
  expectedDigest,
  type Sealed,
} from './attachment-helpers';

const BACKEND_PAIRS: readonly [AttachmentCipherBackend, AttachmentCipherBackend][] = [
  ['webcrypto', 'webcrypto'],
  ['noble', 'noble'],
  ['webcrypto', 'noble'],
  ['noble', 'webcrypto'],
];

/** 0, tiny, either side of one chunk, a padding-only tail, and ~1 MiB of random bytes. */
const SIZES: readonly [string, number][] = [
  ['empty', 0],
  ['1 byte', 1],
  ['9 bytes', 9],
  ['65,535 bytes', 65_535],
  ['65,536 bytes (one full chunk)', 65_536],
  ['65,537 bytes (one file byte and 2,047 padding bytes in chunk 1)', 65_537],
  ['3·65,536 + 5 bytes', 3 * 65_536 + 5],
  ['1,000,003 random bytes', 1_000_003],
];

function fileOf(size: number): Uint8Array {
  return size > 500_000 ? randomBytes(size) : patternFile(size);
}

async function encryptStream(file: Uint8Array, backend: AttachmentCipherBackend, piece: number | 'whole') {
  const encrypted = await encryptAttachment(piecesOf(file, piece), file.length, { backend });
  const chunks: Uint8Array[] = [];
  for await (const chunk of encrypted.chunks) chunks.push(chunk);
  return { encrypted, chunks, ciphertext: concatBytes(...chunks) };
}

describe('attachment stream round trip (attachments.md §2)', () => {
  describe.each(SIZES)('%s', (_name, size) => {
    const file = fileOf(size);

    it.each(BACKEND_PAIRS)('encrypted with %s, decrypted with %s', async (sealWith, openWith) => {
      const { encrypted, chunks, ciphertext } = await encryptStream(file, sealWith, 7_000);
      expect(encrypted.size).toBe(size);
      expect(encrypted.key).toHaveLength(32);
      expect(chunks).toHaveLength(attachmentChunkCount(size));
      expect(encrypted.chunkCount).toBe(chunks.length);
      expect(ciphertext).toHaveLength(attachmentCiphertextLength(size));
      expect(encrypted.ciphertextLength).toBe(ciphertext.length);
      expect(isAttachmentCiphertextLength(ciphertext.length)).toBe(true);
      expect(encrypted.version).toBe(2);
      expect(encrypted.digest()).toEqual(expectedDigest(chunks, 2));
      const params = { key: encrypted.key, size, digest: encrypted.digest(), version: encrypted.version };
      const plaintext = await collect(decryptAttachment(piecesOf(ciphertext, 'whole'), params, { backend: openWith }));
      expectSameBytes(plaintext, file);
    });

    const pieceSizes: (number | 'whole')[] = size > 500_000 ? [7_000, 'whole'] : [1, 7_000, 'whole'];
    // 1-byte pieces of the 3-chunk file are about 400,000 awaited steps: 1.6 s on a quiet machine,
    // over Jest's default 5 s once in CI beside the other worker. Not a speed check: a bound.
    it.each(pieceSizes)(
      'fed in pieces of %s bytes, both ways',
      async (piece) => {
        const { encrypted, ciphertext } = await encryptStream(file, 'webcrypto', piece);
        const params = { key: encrypted.key, size, digest: encrypted.digest(), version: encrypted.version };
        expectSameBytes(await collect(decryptAttachment(piecesOf(ciphertext, piece), params)), file);
      },
      30_000,
    );
  });

  it('the stream gives the same bytes as the index-based encryptor under the same key', async () => {
    const file = patternFile(3 * 65_536 + 5);
    const { encrypted, ciphertext } = await encryptStream(file, 'webcrypto', 7_000);
    const reference = await sealFile(file, 'noble', encrypted.key);
    expectSameBytes(ciphertext, reference.ciphertext);
    expect(encrypted.digest()).toEqual(reference.digest);
  });

  it.each(['webcrypto', 'noble'] as const)(
    'a file whose padding fills a whole chunk of its own (2^22 + 1 bytes, %s)',
    async (backend) => {
      const size = 2 ** 22 + 1;
      expect(paddedAttachmentLength(size)).toBe(66 * 65_536);
      const file = randomBytes(size);
      const { encrypted, chunks, ciphertext } = await encryptStream(file, backend, 'whole');
      expect(chunks).toHaveLength(66);
      expect(chunks[64]).toHaveLength(65_552);
      expect(chunks[65]).toHaveLength(65_552);
      const params = { key: encrypted.key, size, digest: encrypted.digest(), version: encrypted.version };
      expectSameBytes(await collect(decryptAttachment(piecesOf(ciphertext, 65_552), params, { backend })), file);
    },
  );
});

describe('format 1 files, as earlier clients sealed them', () => {
  it.each(BACKEND_PAIRS)('sealed with %s, still open with %s; as format 2 they do not', async (sealWith, openWith) => {
    const file = fileOf(3 * 65_536 + 5);
    const sealed = await sealFile(file, sealWith, undefined, 1);
    expect(sealed.digest).toEqual(expectedDigest(sealed.chunks, 1));
    expectSameBytes(await decryptWhole(sealed, sealed.ciphertext, { backend: openWith }), file);
    const asFormat2 = { ...sealed, version: 2 as const };
    await expectRefusal(() => decryptWhole(asFormat2, sealed.ciphertext, { backend: openWith }), 'auth_failed');
  });
});

describe('encryptAttachment refuses a source of the wrong length', () => {
  it('a source with more bytes than the size is bad_length, before the last chunk is released', async () => {
    const encrypted = await encryptAttachment(piecesOf(patternFile(11), 'whole'), 10);
    const released: Uint8Array[] = [];
    await expectRefusal(async () => {
      for await (const chunk of encrypted.chunks) released.push(chunk);
    }, 'bad_length');
    expect(released).toHaveLength(0);
  });

  it('a source with fewer bytes than the size is bad_length', async () => {
    const encrypted = await encryptAttachment(piecesOf(patternFile(65_540), 1_000), 65_541);
    await expectRefusal(() => collect(encrypted.chunks), 'bad_length');
    await expectRefusal(async () => encrypted.digest(), 'attachment_truncated');
  });

  it('a piece that is not a Uint8Array is a TypeError', async () => {
    const encrypted = await encryptAttachment(listOf(['abc' as unknown as Uint8Array]), 3);
    await expect(collect(encrypted.chunks)).rejects.toBeInstanceOf(TypeError);
  });

  it('the digest is refused until every chunk has been produced', async () => {
    const encrypted = await encryptAttachment(piecesOf(patternFile(65_537), 'whole'), 65_537);
    await expectRefusal(async () => encrypted.digest(), 'attachment_truncated');
  });

  it('the key is not printed with the stream object', async () => {
    const encrypted = await encryptAttachment(piecesOf(patternFile(5), 'whole'), 5);
    const hex = Buffer.from(encrypted.key).toString('hex');
    expect(JSON.stringify(encrypted)).not.toContain(hex);
    expect(inspect(encrypted, { depth: 5 })).not.toContain(hex);
  });
});

describe('decryptAttachment refuses an altered ciphertext', () => {
  const size = 3 * 65_536 + 5; // four chunks: three full, one of 4,096 padded bytes
  let sealed: Sealed;
  let other: Sealed;
  beforeAll(async () => {
    sealed = await sealFile(patternFile(size));
    other = await sealFile(patternFile(size).map((byte) => byte ^ 0x5a));
    expect(sealed.chunks).toHaveLength(4);
  });
  const reframe = (...indexes: number[]) => concatBytes(...indexes.map((i) => sealed.chunks[i] as Uint8Array));

  it('truncated: the last chunk dropped is attachment_truncated', async () => {
    await expectRefusal(() => decryptWhole(sealed, reframe(0, 1, 2)), 'attachment_truncated');
  });

  it('truncated: the stream cut in the middle of a chunk is attachment_truncated', async () => {
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext.subarray(0, 100_000)), 'attachment_truncated');
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext.subarray(0, -1)), 'attachment_truncated');
  });

  it('truncated: an empty stream is attachment_truncated, even for an empty file', async () => {
    await expectRefusal(() => decryptWhole(sealed, new Uint8Array(0)), 'attachment_truncated');
    const empty = await sealFile(new Uint8Array(0));
    await expectRefusal(() => decryptWhole(empty, new Uint8Array(0)), 'attachment_truncated');
  });

  it('truncated: the bytes released before the refusal never include the last chunk', async () => {
    const released: Uint8Array[] = [];
    const params = { key: sealed.key, size, digest: sealed.digest, version: sealed.version };
    await expectRefusal(async () => {
      for await (const part of decryptAttachment(listOf([reframe(0, 1, 2)]), params)) released.push(part);
    }, 'attachment_truncated');
    expect(released).toHaveLength(3);
  });

  it('final flag stripped: the first k chunks re-framed as a shorter file fail their tag', async () => {
    // 2·65,536 bytes is exactly two chunks, so chunks 0-1 have the right lengths for that size,
    // but chunk 1 was sealed without the final flag.
    const first = await sealFile(patternFile(3 * 65_536));
    const twoChunks = first.chunks.slice(0, 2);
    const shorter = { key: first.key, size: 2 * 65_536, digest: expectedDigest(twoChunks, 2), version: first.version };
    await expectRefusal(() => decryptWhole(shorter, concatBytes(...first.chunks.slice(0, 2))), 'auth_failed');
  });

  it('reordered: two chunks swapped is auth_failed', async () => {
    await expectRefusal(() => decryptWhole(sealed, reframe(1, 0, 2, 3)), 'auth_failed');
  });

  it('moved: a chunk repeated at another index is auth_failed', async () => {
    await expectRefusal(() => decryptWhole(sealed, reframe(0, 0, 2, 3)), 'auth_failed');
  });

  it('swapped in from another attachment of the same size (another key) is auth_failed', async () => {
    const mixed = concatBytes(sealed.chunks[0] as Uint8Array, other.chunks[1] as Uint8Array, reframe(2, 3));
    await expectRefusal(() => decryptWhole(sealed, mixed), 'auth_failed');
  });

  it('oversized: one byte appended is attachment_oversized', async () => {
    await expectRefusal(
      () => decryptWhole(sealed, concatBytes(sealed.ciphertext, Uint8Array.of(0))),
      'attachment_oversized',
    );
  });

  it('oversized: a chunk appended in a later piece is attachment_oversized', async () => {
    const params = { key: sealed.key, size, digest: sealed.digest, version: sealed.version };
    const pieces = listOf([sealed.ciphertext, sealed.chunks[3] as Uint8Array]);
    await expectRefusal(() => collect(decryptAttachment(pieces, params)), 'attachment_oversized');
  });

  it('a flipped bit in a chunk body or in its tag is auth_failed', async () => {
    await expectRefusal(() => decryptWhole(sealed, flipBit(sealed.ciphertext, 70_000, 3)), 'auth_failed');
    await expectRefusal(() => decryptWhole(sealed, flipBit(sealed.ciphertext, 65_551, 7)), 'auth_failed');
    await expectRefusal(
      () => decryptWhole(sealed, flipBit(sealed.ciphertext, sealed.ciphertext.length - 1)),
      'auth_failed',
    );
  });

  it.each(['webcrypto', 'noble'] as const)('the wrong key is auth_failed (%s)', async (backend) => {
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { key: other.key, backend }), 'auth_failed');
  });

  it('the wrong digest is attachment_digest, and the last chunk is not released', async () => {
    const released: Uint8Array[] = [];
    const params = { key: sealed.key, size, digest: flipBit(sealed.digest, 31), version: sealed.version };
    await expectRefusal(async () => {
      for await (const part of decryptAttachment(listOf([sealed.ciphertext]), params)) released.push(part);
    }, 'attachment_digest');
    expect(released).toHaveLength(3);
  });

  it('a digest of the wrong length is bad_length', async () => {
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { digest: new Uint8Array(31) }), 'bad_length');
  });

  it('the wrong size: more chunks than sent is attachment_truncated', async () => {
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: 4 * 65_536 }), 'attachment_truncated');
  });

  it('the wrong size: fewer chunks than sent fails the tag of the chunk it takes for the final one', async () => {
    // 3·65,536 − 5,000 is three chunks, the last 61,440 bytes: cut from a non-final chunk.
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: 3 * 65_536 - 5_000 }), 'auth_failed');
  });

  it('the wrong size: same chunk lengths but a smaller size puts file bytes in the padding', async () => {
    // 3·65,536 + 4 pads to the same 200,704 bytes; the file's last byte (196,612 mod 251 = 79)
    // now sits where the padding must be zero.
    expect(paddedAttachmentLength(size - 1)).toBe(paddedAttachmentLength(size));
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: size - 1 }), 'attachment_padding');
  });

  it('the wrong size: a size outside the format is bad_parameter', async () => {
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: -1 }), 'bad_parameter');
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: 2 ** 40 + 1 }), 'bad_parameter');
    await expectRefusal(() => decryptWhole(sealed, sealed.ciphertext, { size: 1.5 }), 'bad_parameter');
  });
});
