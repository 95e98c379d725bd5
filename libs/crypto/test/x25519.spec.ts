import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { resetCurveBackendDetection, setCurveBackend, curveBackend } from '../src/curve-backend';
import { CryptoError } from '../src/errors';
import { randomBytes } from '../src/random';
import {
  generateX25519KeyPair,
  isSmallOrderX25519PublicKey,
  rejectAllZeroSharedSecret,
  x25519KeyPairFromPrivateKey,
  x25519SharedSecret,
} from '../src/x25519';
import { describeEachCurveBackend } from './backends';

const P = 2n ** 255n - 19n;
const ORDER_8_U = [
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
];
const SMALL_ORDER_U = [0n, 1n, P - 1n, ...ORDER_8_U];

/** Every 32-byte encoding of a small-order u: canonical, + p where it fits, and with bit 255 set. */
function smallOrderEncodings(): Uint8Array[] {
  const values = SMALL_ORDER_U.flatMap((u) => (u + P < 2n ** 255n ? [u, u + P] : [u]));
  return values.flatMap((u) => {
    const canonical = numberToBytesLE(u, 32);
    const highBit = canonical.slice();
    highBit[31] = (highBit[31] as number) | 0x80;
    return [canonical, highBit];
  });
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toThrow(CryptoError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe('X25519 small-order blocklist', () => {
  it('lists exactly points whose product with any clamped scalar is zero (checked with noble)', () => {
    for (const u of SMALL_ORDER_U) {
      // noble refuses an all-zero result itself, so a throw here means "zero output".
      expect(() => nobleX25519.getSharedSecret(randomBytes(32), numberToBytesLE(u, 32))).toThrow();
    }
  });

  it('covers non-canonical (u + p) and bit-255 encodings of every small-order point', () => {
    const encodings = smallOrderEncodings();
    // 5 canonical u, plus p and p + 1 (the only u + p below 2^255), each also with bit 255 set.
    expect(encodings).toHaveLength(14);
    for (const encoding of encodings) expect(isSmallOrderX25519PublicKey(encoding)).toBe(true);
  });

  it('never flags an honest public key', async () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey } = await generateX25519KeyPair();
      expect(isSmallOrderX25519PublicKey(publicKey)).toBe(false);
    }
  });
});

describeEachCurveBackend('X25519 failure modes', () => {
  it('low_order_point: every small-order public key is rejected before the scalar multiplication', async () => {
    const { privateKey } = await generateX25519KeyPair();
    for (const encoding of smallOrderEncodings()) {
      await expectCode(x25519SharedSecret(privateKey, encoding), 'low_order_point');
    }
  });

  it('bad_length: public keys of 31 and 33 bytes, private keys of 31 and 33 bytes', async () => {
    const { privateKey, publicKey } = await generateX25519KeyPair();
    await expectCode(x25519SharedSecret(privateKey, publicKey.subarray(0, 31)), 'bad_length');
    await expectCode(x25519SharedSecret(privateKey, new Uint8Array(33)), 'bad_length');
    await expectCode(x25519KeyPairFromPrivateKey(new Uint8Array(31)), 'bad_length');
    await expectCode(x25519KeyPairFromPrivateKey(new Uint8Array(33)), 'bad_length');
  });

  it('secret_wiped: a wiped private key cannot be used', async () => {
    const alice = await generateX25519KeyPair();
    const bob = await generateX25519KeyPair();
    alice.privateKey.wipe();
    await expectCode(x25519SharedSecret(alice.privateKey, bob.publicKey), 'secret_wiped');
  });

  it('two parties derive the same secret (RFC 7748 §6.1), for any generated keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async () => {
        const alice = await generateX25519KeyPair();
        const bob = await generateX25519KeyPair();
        const ab = await x25519SharedSecret(alice.privateKey, bob.publicKey);
        const ba = await x25519SharedSecret(bob.privateKey, alice.publicKey);
        expect(bytesToHex(ab.exposeBytes())).toBe(bytesToHex(ba.exposeBytes()));
        expect(ab.length).toBe(32);
      }),
      { numRuns: 20 },
    );
  });

  it('rebuilds the same public key from stored private key bytes', async () => {
    const pair = await generateX25519KeyPair();
    const again = await x25519KeyPairFromPrivateKey(pair.privateKey.exposeBytes());
    expect(again.publicKey).toEqual(pair.publicKey);
    expect(again.privateKey.publicKey).toEqual(pair.publicKey);
  });
});

describe('X25519 backends agree', () => {
  afterEach(() => setCurveBackend('auto'));

  it('keys generated on one backend give the same secret on the other', async () => {
    for (let i = 0; i < 10; i++) {
      setCurveBackend('noble');
      const alice = await generateX25519KeyPair();
      setCurveBackend('webcrypto');
      const bob = await generateX25519KeyPair();
      const onWebCrypto = await x25519SharedSecret(alice.privateKey, bob.publicKey);
      setCurveBackend('noble');
      const onNoble = await x25519SharedSecret(bob.privateKey, alice.publicKey);
      expect(bytesToHex(onNoble.exposeBytes())).toBe(bytesToHex(onWebCrypto.exposeBytes()));
    }
  });
});

describe('zero_shared_secret (RFC 7748 §6.1), the second line of defence', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    setCurveBackend('auto');
  });

  it('rejectAllZeroSharedSecret refuses 32 zero bytes and lets any other value through', () => {
    expect(() => rejectAllZeroSharedSecret(new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'zero_shared_secret' }),
    );
    const oneBit = new Uint8Array(32);
    oneBit[31] = 0x80;
    expect(() => rejectAllZeroSharedSecret(oneBit)).not.toThrow();
  });

  it('an all-zero result from the backend is refused even for a key that passed the blocklist', async () => {
    setCurveBackend('webcrypto');
    const alice = await generateX25519KeyPair();
    const bob = await generateX25519KeyPair();
    jest.spyOn(crypto.subtle, 'deriveBits').mockResolvedValue(new ArrayBuffer(32));
    await expectCode(x25519SharedSecret(alice.privateKey, bob.publicKey), 'zero_shared_secret');
  });
});

describe('curve backend detection', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    resetCurveBackendDetection();
    setCurveBackend('auto');
  });

  it('uses Web Crypto on Node 20, where the known-answer self-test passes', async () => {
    resetCurveBackendDetection();
    expect(await curveBackend('x25519')).toBe('webcrypto');
    expect(await curveBackend('ed25519')).toBe('webcrypto');
  });

  it('falls back to noble when Web Crypto lacks the curves, and refuses a forced Web Crypto', async () => {
    jest.spyOn(crypto.subtle, 'importKey').mockRejectedValue(new Error('NotSupportedError'));
    resetCurveBackendDetection();
    expect(await curveBackend('x25519')).toBe('noble');
    expect(await curveBackend('ed25519')).toBe('noble');
    const pair = await generateX25519KeyPair(); // works, on noble
    expect(pair.publicKey).toHaveLength(32);
    setCurveBackend('webcrypto');
    await expectCode(curveBackend('x25519'), 'backend_unavailable');
  });

  it('falls back to noble when Web Crypto gives a wrong answer', async () => {
    jest.spyOn(crypto.subtle, 'deriveBits').mockResolvedValue(new Uint8Array(32).fill(7).buffer);
    resetCurveBackendDetection();
    expect(await curveBackend('x25519')).toBe('noble');
  });

  it('refuses an unknown backend name', () => {
    expect(() => setCurveBackend('openssl' as never)).toThrow(TypeError);
  });
});
