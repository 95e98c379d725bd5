import fc from 'fast-check';
import { concatBytes, constantTimeEqual, uintBE, utf8Decode, utf8Encode } from '../src/bytes';
import { hkdfSha256, hmacSha256, verifyHmacSha256 } from '../src/kdf';
import { SecretBytes } from '../src/secret';

describe('constantTimeEqual', () => {
  it('is true exactly for equal bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const same = a.length === b.length && a.every((byte, i) => byte === b[i]);
        expect(constantTimeEqual(a, b)).toBe(same);
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
    );
  });

  it('detects a difference in the last byte and unequal lengths', () => {
    const a = new Uint8Array(32);
    const b = a.slice();
    b[31] = 1;
    expect(constantTimeEqual(a, b)).toBe(false);
    expect(constantTimeEqual(a, a.subarray(0, 31))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('byte helpers', () => {
  it('concatBytes joins in order', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('utf8 round-trips any string (fast-check)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => expect(utf8Decode(utf8Encode(text))).toBe(text)));
  });

  it('malformed_utf8: an overlong encoding, a lone continuation byte and a truncated sequence', () => {
    for (const bad of [Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0x80), Uint8Array.of(0xe2, 0x82)]) {
      expect(() => utf8Decode(bad)).toThrow(expect.objectContaining({ code: 'malformed_utf8' }));
    }
  });

  it('uintBE writes big-endian and refuses values that do not fit', () => {
    expect(uintBE(0x0102, 2)).toEqual(Uint8Array.of(1, 2));
    expect(uintBE(0x01020304, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(() => uintBE(256, 1)).toThrow(expect.objectContaining({ code: 'bad_parameter' }));
    expect(() => uintBE(-1, 2)).toThrow(expect.objectContaining({ code: 'bad_parameter' }));
  });
});

describe('HKDF and HMAC misuse checks', () => {
  it('bad_parameter: HKDF output lengths 0, 8161 and 1.5', () => {
    for (const length of [0, 255 * 32 + 1, 1.5]) {
      expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), length)).toThrow(
        expect.objectContaining({ code: 'bad_parameter' }),
      );
    }
  });

  it('accepts a SecretBytes as input keying material and HMAC key, with the same result', () => {
    const ikm = Uint8Array.from({ length: 32 }, (_, i) => i);
    const info = utf8Encode('label');
    expect(hkdfSha256(SecretBytes.copyOf(ikm), new Uint8Array(0), info, 32)).toEqual(
      hkdfSha256(ikm, new Uint8Array(0), info, 32),
    );
    expect(hmacSha256(SecretBytes.copyOf(ikm), info)).toEqual(hmacSha256(ikm, info));
  });

  it('refuses a string info label with a TypeError (labels are encoded bytes)', () => {
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), 'label' as unknown as Uint8Array, 32)).toThrow(
      TypeError,
    );
  });

  it('verifyHmacSha256 refuses a tag with any single bit changed (fast-check)', () => {
    const key = new Uint8Array(32).fill(7);
    const message = utf8Encode('message');
    const tag = hmacSha256(key, message);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (bit) => {
        const tampered = tag.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(verifyHmacSha256(key, message, tampered)).toBe(false);
      }),
    );
    expect(verifyHmacSha256(key, message, tag)).toBe(true);
  });
});
