/**
 * Golden vectors for the attachment formats (docs/protocol/attachments.md §2), checked in as
 * test/golden/attachment-v1.json and attachment-v2.json so that any change to the bytes shows as a
 * diff: format 2 is what the library seals, format 1 what earlier clients sealed and it still opens. The key is a
 * public test key (bytes 0x00..0x1f) and byte j of each file is j mod 251, so the vectors hold no
 * secret and need no plaintext. Both backends must reproduce them exactly, and so must a third,
 * independent AES-GCM (OpenSSL, through node:crypto), which pins the nonce layout and the
 * associated data rather than just agreeing with ourselves; OpenSSL's SHA-256 over those chunks
 * gives each format's digest. UPDATE_GOLDEN=1 rewrites the files (review the diff before committing).
 */
import { createCipheriv } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { attachmentChunkLengths, attachmentChunkNonce } from '../src/attachment-cipher';
import { ATTACHMENT_CIPHER_BACKENDS } from '../src/attachment-backend';
import { ATTACHMENT_FORMAT_VERSIONS, type AttachmentFormatVersion } from '../src/attachment-digest';
import { decryptAttachment } from '../src/attachment-stream';
import { collect, expectedDigest, listOf, patternFile, sealFile } from './attachment-helpers';

interface AttachmentVector {
  readonly size: number;
  readonly chunkCount: number;
  readonly ciphertextLength: number;
  /** The ciphertext's digest, as carried in the message. */
  readonly digest: string;
  /** The whole ciphertext, for the small sizes. */
  readonly ciphertext?: string;
  /** For the larger sizes: chunk 0's first 32 bytes and its tag, and the whole last chunk. */
  readonly firstChunkHead?: string;
  readonly firstChunkTag?: string;
  readonly lastChunk?: string;
}

interface AttachmentGolden {
  readonly description: string;
  readonly key: string;
  readonly file: string;
  readonly vectors: readonly AttachmentVector[];
}

const goldenFile = (version: AttachmentFormatVersion) => path.join(__dirname, 'golden', `attachment-v${version}.json`);
const DESCRIPTIONS: Record<AttachmentFormatVersion, string> = {
  1: 'attachments.md §2, format version 1: Padmé-padded 64 KiB chunks under AES-256-GCM, nonce = 0x00×7 ‖ u32be(index) ‖ final flag, associated data 0x01',
  2: 'attachments.md §2, format version 2: Padmé-padded 64 KiB chunks under AES-256-GCM, nonce = 0x00×7 ‖ u32be(index) ‖ final flag, associated data 0x02; digest = SHA-256 of SHA-256(chunk 0) ‖ … ‖ SHA-256(chunk n−1)',
};
/** A public test key, recognisable at a glance: never a real one. */
const TEST_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const SIZES = [0, 10, 65_537];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

async function vectorFor(
  size: number,
  backend: (typeof ATTACHMENT_CIPHER_BACKENDS)[number],
  version: AttachmentFormatVersion,
): Promise<AttachmentVector> {
  const sealed = await sealFile(patternFile(size), backend, TEST_KEY, version);
  const common = {
    size,
    chunkCount: sealed.chunks.length,
    ciphertextLength: sealed.ciphertext.length,
    digest: hex(sealed.digest),
  };
  if (sealed.chunks.length === 1) return { ...common, ciphertext: hex(sealed.ciphertext) };
  const first = sealed.chunks[0] as Uint8Array;
  return {
    ...common,
    firstChunkHead: hex(first.subarray(0, 32)),
    firstChunkTag: hex(first.subarray(-16)),
    lastChunk: hex(sealed.chunks[sealed.chunks.length - 1] as Uint8Array),
  };
}

/** The checked-in vectors, or freshly made ones written out when the file is absent or asked for. */
async function golden(version: AttachmentFormatVersion): Promise<AttachmentGolden> {
  const file = goldenFile(version);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI === 'true')
      throw new Error(`golden vector attachment-v${version} is missing; generate it locally and commit it`);
    const made: AttachmentGolden = {
      description: DESCRIPTIONS[version],
      key: hex(TEST_KEY),
      file: 'byte j of the file is j mod 251',
      vectors: await Promise.all(SIZES.map((size) => vectorFor(size, 'noble', version))),
    };
    writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as AttachmentGolden;
}

/** Chunk `index` sealed by OpenSSL's AES-256-GCM, with the nonce and associated data spelled out. */
function opensslChunk(size: number, index: number, version: AttachmentFormatVersion): Uint8Array {
  const { fileBytes, plaintextBytes, final } = attachmentChunkLengths(size, index);
  const plaintext = new Uint8Array(plaintextBytes);
  plaintext.set(patternFile(size).subarray(index * 65_536, index * 65_536 + fileBytes));
  const cipher = createCipheriv('aes-256-gcm', TEST_KEY, attachmentChunkNonce(index, final), { authTagLength: 16 });
  cipher.setAAD(Uint8Array.of(version));
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

describe.each(ATTACHMENT_FORMAT_VERSIONS)('attachment golden vectors, format %i (attachments.md §2)', (version) => {
  let vectors: AttachmentGolden;
  beforeAll(async () => {
    vectors = await golden(version);
  });

  it('covers the sizes 0, 10 and 65,537 under the public test key', () => {
    expect(vectors.key).toBe(hex(TEST_KEY));
    expect(vectors.vectors.map((vector) => vector.size)).toEqual(SIZES);
  });

  it.each(ATTACHMENT_CIPHER_BACKENDS)('the %s backend reproduces every vector exactly', async (backend) => {
    for (const expected of vectors.vectors) expect(await vectorFor(expected.size, backend, version)).toEqual(expected);
  });

  it('an independent AES-GCM and SHA-256 (OpenSSL) give the checked-in chunks and digests', () => {
    for (const vector of vectors.vectors) {
      const chunks = Array.from({ length: vector.chunkCount }, (_, i) => opensslChunk(vector.size, i, version));
      if (vector.ciphertext !== undefined) expect(hex(chunks[0] as Uint8Array)).toBe(vector.ciphertext);
      if (vector.lastChunk !== undefined) {
        expect(hex(chunks[vector.chunkCount - 1] as Uint8Array)).toBe(vector.lastChunk);
        expect(hex((chunks[0] as Uint8Array).subarray(-16))).toBe(vector.firstChunkTag);
      }
      expect(hex(expectedDigest(chunks, version))).toBe(vector.digest);
    }
  });

  it.each(ATTACHMENT_CIPHER_BACKENDS)('the checked-in ciphertexts decrypt with the %s backend', async (backend) => {
    for (const vector of vectors.vectors.filter((v) => v.ciphertext !== undefined)) {
      const params = { key: fromHex(vectors.key), size: vector.size, digest: fromHex(vector.digest), version };
      const ciphertext = fromHex(vector.ciphertext as string);
      expect(await collect(decryptAttachment(listOf([ciphertext]), params, { backend }))).toEqual(
        patternFile(vector.size),
      );
    }
  });
});
