import fc from 'fast-check';
import { Base64UrlError, decodeBase64Url, encodeBase64Url } from '../../src/net/base64url';

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

  it.each([
    ['padding', 'Zg=='],
    ['a single padding character', 'Zm8='],
    ['the standard alphabet', '+/+/'],
    ['white space', 'Zm9v Yg'],
    ['a trailing newline', 'Zm9v\n'],
    ['an impossible length (4n+1)', 'Zm9vY'],
    ['non-canonical trailing bits (2 chars)', 'Zh'],
    ['non-canonical trailing bits (3 chars)', 'Zm9'],
    ['a non-ASCII character', 'Zm9vYé'],
  ])('refuses %s', (_what, text) => {
    expect(() => decodeBase64Url(text)).toThrow(Base64UrlError);
  });

  it('refuses every non-canonical spelling of the same bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => b.length % 3 !== 0), fc.integer({ min: 1, max: 15 }), (bytes, noise) => {
        const text = encodeBase64Url(bytes);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const unusedBits = bytes.length % 3 === 1 ? 4 : 2;
        const last = alphabet.indexOf(text.charAt(text.length - 1));
        const altered = last | (noise & ((1 << unusedBits) - 1));
        fc.pre(altered !== last);
        expect(() => decodeBase64Url(text.slice(0, -1) + alphabet.charAt(altered))).toThrow(Base64UrlError);
      }),
    );
  });

  it('checks the expected length', () => {
    expect(decodeBase64Url('AAAAAAAAAAAAAAAAAAAAAA', 16)).toHaveLength(16);
    expect(() => decodeBase64Url('AAAAAAAAAAAAAAAAAAAAAA', 32)).toThrow(/expected 32 bytes/);
  });
});
