import fc from 'fast-check';
import { open, SEAL_OVERHEAD, seal } from '../src/aead';
import { utf8Encode } from '../src/bytes';
import { randomBytes } from '../src/random';
import { SecretBytes } from '../src/secret';
import { expectCode } from './expect-code';

const key = randomBytes(32);
const ad = utf8Encode('OpenDescent test AD');
const plaintext = utf8Encode('meet at the usual place at nine');

describe('seal / open (XChaCha20-Poly1305, managed nonces)', () => {
  it('round-trips, with the layout nonce(24) || ciphertext || tag(16)', () => {
    const sealed = seal(key, plaintext, ad);
    expect(sealed).toHaveLength(24 + plaintext.length + 16);
    expect(SEAL_OVERHEAD).toBe(40);
    expect(open(key, sealed, ad)).toEqual(plaintext);
  });

  it('round-trips an empty plaintext and accepts a SecretBytes key', () => {
    const secretKey = SecretBytes.copyOf(key, 'test key');
    const sealed = seal(secretKey, new Uint8Array(0), ad);
    expect(sealed).toHaveLength(SEAL_OVERHEAD);
    expect(open(secretKey, sealed, ad)).toEqual(new Uint8Array(0));
  });

  it('never reuses a nonce: sealing the same message twice differs in nonce and ciphertext', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 200; i++) nonces.add(Array.from(seal(key, plaintext, ad).subarray(0, 24)).join(','));
    expect(nonces.size).toBe(200);
  });

  it('auth_failed: a tampered ciphertext byte', () => {
    const sealed = seal(key, plaintext, ad);
    sealed[24 + 3] = (sealed[24 + 3] as number) ^ 0x01;
    expectCode(() => open(key, sealed, ad), 'auth_failed');
  });

  it('auth_failed: a tampered tag', () => {
    const sealed = seal(key, plaintext, ad);
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 0x80;
    expectCode(() => open(key, sealed, ad), 'auth_failed');
  });

  it('auth_failed: a tampered nonce', () => {
    const sealed = seal(key, plaintext, ad);
    sealed[0] = (sealed[0] as number) ^ 0x01;
    expectCode(() => open(key, sealed, ad), 'auth_failed');
  });

  it('auth_failed: different associated data (changed, truncated, extended, empty)', () => {
    const sealed = seal(key, plaintext, ad);
    const changed = ad.slice();
    changed[0] = (changed[0] as number) ^ 1;
    for (const wrong of [changed, ad.subarray(1), new Uint8Array([...ad, 0]), new Uint8Array(0)]) {
      expectCode(() => open(key, sealed, wrong), 'auth_failed');
    }
  });

  it('auth_failed: the wrong key', () => {
    const sealed = seal(key, plaintext, ad);
    expectCode(() => open(randomBytes(32), sealed, ad), 'auth_failed');
  });

  it('bad_length: a sealed box truncated below nonce + tag; auth_failed when truncated above it', () => {
    const sealed = seal(key, plaintext, ad);
    for (let length = 0; length < SEAL_OVERHEAD; length++) {
      expectCode(() => open(key, sealed.subarray(0, length), ad), 'bad_length');
    }
    for (let length = SEAL_OVERHEAD; length < sealed.length; length++) {
      expectCode(() => open(key, sealed.subarray(0, length), ad), 'auth_failed');
    }
  });

  it('bad_length: keys of 16, 31 and 33 bytes', () => {
    for (const length of [16, 31, 33]) {
      expectCode(() => seal(new Uint8Array(length), plaintext, ad), 'bad_length');
      expectCode(() => open(new Uint8Array(length), seal(key, plaintext, ad), ad), 'bad_length');
    }
  });

  it('any single-bit flip anywhere in the sealed box is refused (fast-check)', () => {
    const sealed = seal(key, plaintext, ad);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const tampered = sealed.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        expectCode(() => open(key, tampered, ad), 'auth_failed');
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any plaintext and associated data (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 64 }), (message, data) => {
        expect(open(key, seal(key, message, data), data)).toEqual(message);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses non-bytes with a TypeError (a programming error, not hostile input)', () => {
    expect(() => seal(key, 'text' as unknown as Uint8Array, ad)).toThrow(TypeError);
  });
});
