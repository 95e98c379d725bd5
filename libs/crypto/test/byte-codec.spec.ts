import fc from 'fast-check';
import { ByteReader, ByteWriter, expectVersion, type ByteCodecFault } from '../src/byte-codec';
import { CryptoError } from '../src/errors';
import { expectCode } from './expect-code';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ByteWriter and ByteReader: the one byte codec (README.md, "Conventions")', () => {
  it('writes big-endian integers and length-prefixed fields, and reads them back', () => {
    const written = new ByteWriter()
      .u8(0xab)
      .u16(0x0102)
      .u32(0x01020304)
      .u64(2 ** 53 - 1)
      .raw(bytes(9, 9), 2)
      .bytes16(bytes(7))
      .bytes32(bytes())
      .finish();
    expect(Array.from(written.subarray(0, 7))).toEqual([0xab, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04]);
    const reader = new ByteReader(written, 'a test record');
    expect(reader.u8()).toBe(0xab);
    expect(reader.u16()).toBe(0x0102);
    expect(reader.u32()).toBe(0x01020304);
    expect(reader.u64()).toBe(2 ** 53 - 1);
    expect(reader.raw(2)).toEqual(bytes(9, 9));
    expect(reader.bytes16(1)).toEqual(bytes(7));
    expect(reader.bytes32(0)).toEqual(bytes());
    expect(reader.remaining).toBe(0);
    reader.end();
  });

  it('round-trips any sequence of fields (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        fc.nat(),
        fc.uint8Array({ maxLength: 64 }),
        fc.string(),
        (short, long, blob, text) => {
          const utf8 = new TextEncoder().encode(text);
          const written = new ByteWriter().u16(short).u32(long).bytes16(blob).u16(utf8.length).raw(utf8).finish();
          const reader = new ByteReader(written, 'a test record');
          expect(reader.u16()).toBe(short);
          expect(reader.u32()).toBe(long);
          expect(reader.bytes16(64)).toEqual(blob);
          expect(reader.utf8(reader.u16())).toBe(text);
          reader.end();
        },
      ),
    );
  });

  it('returns copies: changing the input afterwards changes nothing read', () => {
    const input = bytes(1, 2, 3);
    const read = new ByteReader(input, 'a test record').raw(3);
    input[0] = 9;
    expect(read).toEqual(bytes(1, 2, 3));
  });

  it('bad_length: truncated input, an empty record and trailing bytes', () => {
    expectCode(() => new ByteReader(bytes(1), 'a test record').u16(), 'bad_length');
    expectCode(() => new ByteReader(bytes(0, 5, 1), 'a test record').bytes16(10), 'bad_length');
    expectCode(() => expectVersion(new ByteReader(bytes(), 'a test record'), 1), 'bad_length');
    const reader = new ByteReader(bytes(1, 2), 'a test record');
    reader.u8();
    expectCode(() => reader.end(), 'bad_length');
  });

  it('malformed_message: a length, count, flag or u64 over its bound', () => {
    expectCode(() => new ByteReader(bytes(0, 3, 1, 2, 3), 'a test record').bytes16(2), 'malformed_message');
    expectCode(() => new ByteReader(bytes(0, 0, 0, 3, 1, 2, 3), 'a test record').bytes32(2), 'malformed_message');
    expectCode(() => new ByteReader(bytes(2), 'a test record').flag(), 'malformed_message');
    expectCode(() => new ByteReader(bytes(0, 0x20, 0, 0, 0, 0, 0, 0), 'a test record').u64(), 'malformed_message');
    const reader = new ByteReader(bytes(), 'a test record');
    expect(reader.count(5, 5, 'a list')).toBe(5);
    expectCode(() => reader.count(6, 5, 'a list'), 'malformed_message');
  });

  it('malformed_utf8: ill-formed UTF-8 is refused, never replaced', () => {
    expectCode(() => new ByteReader(bytes(0xc0, 0xaf), 'a test record').utf8(2), 'malformed_utf8');
  });

  it('version_too_old and unknown_version: the leading version byte', () => {
    expect(() => expectVersion(new ByteReader(bytes(2), 'a test record'), 2)).not.toThrow();
    expectCode(() => expectVersion(new ByteReader(bytes(1), 'a test record'), 2), 'version_too_old');
    expectCode(() => expectVersion(new ByteReader(bytes(3), 'a test record'), 2), 'unknown_version');
  });

  it('bad_parameter and bad_length on writing: an integer that does not fit, a fixed field of the wrong length', () => {
    expectCode(() => new ByteWriter().u8(256), 'bad_parameter');
    expectCode(() => new ByteWriter().u16(-1), 'bad_parameter');
    expectCode(() => new ByteWriter().u32(1.5), 'bad_parameter');
    expectCode(() => new ByteWriter().u64(2 ** 53), 'bad_parameter');
    expectCode(() => new ByteWriter().bytes16(new Uint8Array(0x10000)), 'bad_parameter');
    expectCode(() => new ByteWriter().raw(bytes(1, 2), 3), 'bad_length');
  });

  it('a TypeError for what is not bytes at all (a programming error)', () => {
    expect(() => new ByteReader([1, 2] as unknown as Uint8Array, 'a test record')).toThrow(TypeError);
    expect(() => new ByteWriter().raw('ab' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('names the record and the field in its messages, never the bytes', () => {
    expect(() => new ByteReader(bytes(0xfe), 'a test record').u16('the secret field')).toThrow(
      /a test record is truncated in the secret field/,
    );
  });

  it("throws only the errors of the caller's fault mapping, whatever the bytes (property)", () => {
    class Mapped extends Error {
      constructor(readonly fault: ByteCodecFault) {
        super(fault);
      }
    }
    const seen = new Set<ByteCodecFault>();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (input) => {
        const reader = new ByteReader(input, 'fuzz', (fault) => new Mapped(fault));
        try {
          expectVersion(reader, 1);
          reader.flag('present');
          reader.bytes16(4, 'name');
          reader.utf8(reader.u8('text length'), 'text');
          reader.u64('time');
          reader.end();
        } catch (error) {
          expect(error).toBeInstanceOf(Mapped);
          expect(error).not.toBeInstanceOf(CryptoError);
          seen.add((error as Mapped).fault);
        }
      }),
      { numRuns: 2_000 },
    );
    expect(seen.has('truncated')).toBe(true);
    expect(seen.has('version_unknown')).toBe(true);
  });
});
