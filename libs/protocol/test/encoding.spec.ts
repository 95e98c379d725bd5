import fc from 'fast-check';
import { decodeBase32, decodeBase64Url, decodeHex, encodeBase32, encodeBase64Url, encodeHex } from '../src/index';
import { protocolCode } from './support';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('base64url (RFC 4648 §5, unpadded, canonical: admin-api.md §1)', () => {
  it('matches RFC 4648 §10 test vectors (in the URL alphabet, without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase64Url(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(decodeBase64Url(encoded))).toBe(plain);
    }
  });

  it('uses - and _ where base64 has + and /', () => {
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(decodeBase64Url('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it('agrees with Node for any bytes, and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(encodeBase64Url(backing.subarray(2, 4))).toBe(Buffer.from([3, 4]).toString('base64url'));
  });

  it.each([
    ['padding', 'Zg=='],
    ['a single padding character', 'Zm8='],
    ['the standard alphabet', '+/+/'],
    ['white space', 'Zm9v Yg'],
    ['a leading space', ' Zm9v'],
    ['a trailing newline', 'Zm9v\n'],
    ['an impossible length (4n+1)', 'Zm9vY'],
    ['non-canonical trailing bits (2 chars)', 'Zh'],
    ['non-canonical trailing bits (3 chars)', 'Zm9'],
    ['a non-ASCII character', 'Zm9vYé'],
    ['a full-width letter', 'Ｚm9v'],
  ])('malformed: refuses %s', (_what, text) => {
    expect(protocolCode(() => decodeBase64Url(text))).toBe('malformed');
  });

  it('malformed: refuses what is not a string', () => {
    for (const value of [undefined, null, 42, ['Zg'], new Uint8Array(2)]) {
      expect(protocolCode(() => decodeBase64Url(value as unknown as string))).toBe('malformed');
    }
  });

  it('malformed: refuses every non-canonical spelling of the same bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => b.length % 3 !== 0),
        fc.integer({ min: 1, max: 15 }),
        (bytes, noise) => {
          const text = encodeBase64Url(bytes);
          const unusedBits = bytes.length % 3 === 1 ? 4 : 2;
          const last = ALPHABET.indexOf(text.charAt(text.length - 1));
          const altered = last | (noise & ((1 << unusedBits) - 1));
          fc.pre(altered !== last);
          expect(protocolCode(() => decodeBase64Url(text.slice(0, -1) + ALPHABET.charAt(altered)))).toBe('malformed');
        },
      ),
    );
  });

  it('malformed: a value of another length than the field needs', () => {
    expect(decodeBase64Url('AAAAAAAAAAAAAAAAAAAAAA', 16)).toHaveLength(16);
    expect(() => decodeBase64Url('AAAAAAAAAAAAAAAAAAAAAA', 32)).toThrow(/expected 32 bytes, got 16/);
    expect(protocolCode(() => decodeBase64Url('', 1))).toBe('malformed');
  });
});

describe('hex (lower case, two digits per byte: ids, the relay environment, issuer names)', () => {
  it('encodes lower case and agrees with Node for any bytes, and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeHex(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('hex'));
        expect(decodeHex(text)).toEqual(bytes);
      }),
    );
    expect(encodeHex(new Uint8Array([0x00, 0x0f, 0xab, 0xff]))).toBe('000fabff');
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    expect(encodeHex(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe('0203');
  });

  it.each([
    ['upper case', '00FF'],
    ['mixed case', 'aB'],
    ['an odd number of digits', 'abc'],
    ['a single digit', 'a'],
    ['a 0x prefix', '0x00'],
    ['a non-hex letter', 'zz'],
    ['white space', '00 ff'],
    ['a trailing newline', '00ff\n'],
    ['a sign', '-1'],
    ['full-width digits', '０１'],
  ])('malformed: refuses %s', (_what, text) => {
    expect(protocolCode(() => decodeHex(text))).toBe('malformed');
  });

  it('malformed: refuses what is not a string', () => {
    for (const value of [undefined, null, 42, ['00']]) {
      expect(protocolCode(() => decodeHex(value as unknown as string))).toBe('malformed');
    }
  });

  it('malformed: a value of another length than the field needs', () => {
    expect(decodeHex('00'.repeat(16), 16)).toHaveLength(16);
    expect(() => decodeHex('00'.repeat(16), 32)).toThrow(/expected 32 bytes, got 16/);
  });
});

describe('base32 (RFC 4648 §6, unpadded, upper case, canonical: the typed device-link code)', () => {
  it('matches RFC 4648 §10 test vectors (without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase32(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(decodeBase32(encoded))).toBe(plain);
    }
  });

  it('round-trips any bytes, and encodes only the alphabet A-Z 2-7 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase32(bytes);
        expect(text).toMatch(/^[A-Z2-7]*$/);
        expect(text).toHaveLength(Math.ceil((bytes.length * 8) / 5));
        expect(decodeBase32(text)).toEqual(bytes);
      }),
    );
  });

  it.each([
    ['padding', 'MY======'],
    ["lower case (folding is the typed format's job)", 'mzxq'],
    ['a digit outside the alphabet (0)', 'MZX0'],
    ['a digit outside the alphabet (1)', 'MZX1'],
    ['a digit outside the alphabet (8)', 'MZX8'],
    ['white space', 'MZXW 6'],
    ['a dash', 'MZ-XQ'],
    ['an impossible length (1 character)', 'M'],
    ['an impossible length (3 characters)', 'MZX'],
    ['an impossible length (6 characters)', 'MZXW6Y'],
    ['non-canonical trailing bits', 'MZ'],
    ['non-canonical trailing bits (4 characters)', 'MZXR'],
    ['a non-ASCII character', 'MZXÉ'],
  ])('malformed: refuses %s', (_what, text) => {
    expect(protocolCode(() => decodeBase32(text))).toBe('malformed');
  });

  it('malformed: refuses what is not a string, and a value of another length than the field needs', () => {
    for (const value of [undefined, null, 42, ['MY']]) {
      expect(protocolCode(() => decodeBase32(value as unknown as string))).toBe('malformed');
    }
    expect(decodeBase32('MZXW6', 3)).toHaveLength(3);
    expect(protocolCode(() => decodeBase32('MZXW6', 4))).toBe('malformed');
  });
});
