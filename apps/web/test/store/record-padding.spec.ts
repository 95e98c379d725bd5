import { utf8Encode } from '@opendescent/crypto';
import { padRecordPlaintext, recordBucket, unpadRecordPlaintext } from '../../src/store/record-padding';
import { expectVaultError } from './vault-helpers';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('record padding (storage.md §3.1)', () => {
  it('golden vector: 0x02, u32be length, content, zeros to 256 bytes', () => {
    const framed = padRecordPlaintext(utf8Encode('"hi"'));
    expect(framed).toHaveLength(256);
    expect(hex(framed.subarray(0, 9))).toBe('0200000004226869' + '22');
    expect(framed.subarray(9).every((byte) => byte === 0)).toBe(true);
  });

  it.each([
    [0, 256],
    [251, 256],
    [252, 512],
    [507, 512],
    [508, 1024],
    [3_200, 4096],
    [16_379, 16_384],
    [16_380, 32_768],
  ])('content of %i bytes is framed in a bucket of %i bytes (powers of two from 256)', (length, bucket) => {
    expect(recordBucket(length)).toBe(bucket);
    expect(padRecordPlaintext(new Uint8Array(length))).toHaveLength(bucket);
  });

  it('round-trips every content length around the bucket edges, returning a view of the framed bytes', () => {
    for (const length of [0, 1, 250, 251, 252, 253, 506, 507, 508, 509]) {
      const content = Uint8Array.from({ length }, (_, i) => (i % 251) + 1);
      const framed = padRecordPlaintext(content);
      const opened = unpadRecordPlaintext(framed);
      expect(opened).toEqual(content);
      expect(opened.buffer).toBe(framed.buffer); // zeroing the framed bytes zeroes the content
    }
  });

  it('reads a version 1 record (bare JSON, no frame) as it is', () => {
    for (const json of ['{"a":1}', '[1]', '"x"', '-1', '0', 'true', 'false', 'null']) {
      const bare = utf8Encode(json);
      expect(unpadRecordPlaintext(bare)).toBe(bare);
    }
  });

  const framedWith = (edit: (framed: Uint8Array) => Uint8Array) =>
    edit(padRecordPlaintext(utf8Encode('{"text":"hello"}')));
  it.each([
    ['non-zero padding', (framed: Uint8Array) => ((framed[255] = 1), framed)],
    ['a length past the end', (framed: Uint8Array) => (new DataView(framed.buffer).setUint32(1, 300), framed)],
    [
      'a length that belongs in a smaller bucket',
      (framed: Uint8Array) => Uint8Array.of(...framed, ...new Uint8Array(256)),
    ],
    ['a frame cut short of its bucket', (framed: Uint8Array) => framed.subarray(0, 200)],
    ['a frame shorter than its header', (framed: Uint8Array) => framed.subarray(0, 3)],
    ['nothing at all', () => new Uint8Array(0)],
  ])('refuses malformed padding: %s (corrupt_record)', async (_what, edit) => {
    await expectVaultError(() => unpadRecordPlaintext(framedWith(edit)), 'corrupt_record');
  });

  it.each([0x00, 0x01, 0x03, 0x1f])(
    'refuses frame version %i, which it does not read (unsupported_version)',
    async (version) => {
      const framed = padRecordPlaintext(utf8Encode('{}'));
      framed[0] = version;
      await expectVaultError(() => unpadRecordPlaintext(framed), 'unsupported_version');
    },
  );

  it('refuses a content length it cannot frame (RangeError)', () => {
    expect(() => recordBucket(-1)).toThrow(RangeError);
    expect(() => recordBucket(1.5)).toThrow(RangeError);
    expect(() => recordBucket(2 ** 31 + 1)).toThrow(RangeError);
  });
});
