import { ed25519 as nobleEd25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, concatBytes, hexToBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { COFACTORED_ONLY_MESSAGE, COFACTORED_ONLY_SIGNATURE, setCurveBackend } from '../src/curve-backend';
import { CryptoError } from '../src/errors';
import {
  ed25519KeyPairFromSeed,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyOrThrow,
  generateEd25519KeyPair,
} from '../src/ed25519';
import { describeEachCurveBackend } from './backends';

const Point = nobleEd25519.Point;
const L = Point.Fn.ORDER;
const TEST1_SEED = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const TEST1_PUBLIC = hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const { scalar: TEST1_SCALAR } = nobleEd25519.utils.getExtendedPublicKey(TEST1_SEED);
const IDENTITY = hexToBytes('0100000000000000000000000000000000000000000000000000000000000000');
/** A point of order 8, from noble's list of the torsion subgroup. */
const ORDER_8 = (() => {
  const point = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex)).find((p) => !p.multiplyUnsafe(4n).is0());
  if (point === undefined) throw new Error('noble lists no point of order 8');
  return point;
})();

const challenge = (R: Uint8Array, A: Uint8Array, message: Uint8Array): bigint =>
  bytesToNumberLE(sha512(concatBytes(R, A, message))) % L;

/** Signs with a known scalar and an arbitrary R point, as an attacker crafting edge cases would. */
function craftSignature(
  R: InstanceType<typeof Point>,
  r: bigint,
  publicKey: Uint8Array,
  message: Uint8Array,
): Uint8Array {
  const Rb = R.toBytes();
  const S = (r + challenge(Rb, publicKey, message) * TEST1_SCALAR) % L;
  return concatBytes(Rb, numberToBytesLE(S, 32));
}

describe('the cofactored-only self-test vector (curve-backend.ts)', () => {
  it('is regenerated exactly: R = r·B + T8 (T8 of order 8), S = r + k·a', () => {
    const message = hexToBytes(COFACTORED_ONLY_MESSAGE);
    const r = 0x1234567890abcdefn;
    const sig = craftSignature(Point.BASE.multiply(r).add(ORDER_8), r, TEST1_PUBLIC, message);
    expect(bytesToHex(sig)).toBe(COFACTORED_ONLY_SIGNATURE);
  });

  it("is accepted by noble's cofactored verify (zip215: false), which is why we do not call it", () => {
    expect(
      nobleEd25519.verify(hexToBytes(COFACTORED_ONLY_SIGNATURE), hexToBytes(COFACTORED_ONLY_MESSAGE), TEST1_PUBLIC, {
        zip215: false,
      }),
    ).toBe(true);
  });
});

describeEachCurveBackend('Ed25519 strict verification', () => {
  const message = new TextEncoder().encode('OpenDescent strict rule');

  it('accepts an honest signature, refuses it for another message or another key', async () => {
    const pair = await ed25519KeyPairFromSeed(TEST1_SEED);
    const other = await generateEd25519KeyPair();
    const sig = await ed25519Sign(pair.privateKey, message);
    expect(await ed25519Verify(pair.publicKey, message, sig)).toBe(true);
    expect(await ed25519Verify(pair.publicKey, new Uint8Array([1, 2, 3]), sig)).toBe(false);
    expect(await ed25519Verify(other.publicKey, message, sig)).toBe(false);
  });

  it('rule 5: a cofactored-only signature (mixed-order R) is refused', async () => {
    expect(
      await ed25519Verify(TEST1_PUBLIC, hexToBytes(COFACTORED_ONLY_MESSAGE), hexToBytes(COFACTORED_ONLY_SIGNATURE)),
    ).toBe(false);
  });

  it('rule 5: a mixed-order public key verifies exactly when the cofactorless equation holds (k ≡ 0 mod 8)', async () => {
    const mixedA = Point.fromBytes(TEST1_PUBLIC).add(ORDER_8).toBytes();
    const outcomes = new Set<boolean>();
    for (let i = 0; i < 48; i++) {
      const msg = Uint8Array.of(i);
      const r = 1000n + BigInt(i);
      const R = Point.BASE.multiply(r);
      const k = challenge(R.toBytes(), mixedA, msg);
      // S = r + k·a satisfies [S]B = R + k(A' - T8), so the exact equation needs k·T8 = 0.
      const sig = concatBytes(R.toBytes(), numberToBytesLE((r + k * TEST1_SCALAR) % L, 32));
      const expected = k % 8n === 0n;
      expect(await ed25519Verify(mixedA, msg, sig)).toBe(expected);
      outcomes.add(expected);
    }
    expect(outcomes).toEqual(new Set([true, false])); // both branches were exercised
  });

  it('rule 3: a small-order public key is refused (the identity with R = identity, S = 0 "verifies" any message elsewhere)', async () => {
    const sig = concatBytes(IDENTITY, new Uint8Array(32));
    expect(await ed25519Verify(IDENTITY, message, sig)).toBe(false);
    for (const torsion of ED25519_TORSION_SUBGROUP) {
      expect(await ed25519Verify(hexToBytes(torsion), message, sig)).toBe(false);
    }
  });

  it('rule 3: a small-order R is refused even when the cofactorless equation holds', async () => {
    // R = identity, S = k·a: [S]B = [k]A = R + [k]A.
    const k = challenge(IDENTITY, TEST1_PUBLIC, message);
    const sig = concatBytes(IDENTITY, numberToBytesLE((k * TEST1_SCALAR) % L, 32));
    expect(
      Point.BASE.multiplyUnsafe((k * TEST1_SCALAR) % L).equals(Point.fromBytes(TEST1_PUBLIC).multiplyUnsafe(k)),
    ).toBe(true);
    expect(await ed25519Verify(TEST1_PUBLIC, message, sig)).toBe(false);
  });

  it('rule 4: S + L (signature malleability) is refused', async () => {
    const pair = await ed25519KeyPairFromSeed(TEST1_SEED);
    const sig = await ed25519Sign(pair.privateKey, message);
    const S = bytesToNumberLE(sig.subarray(32));
    const malleated = concatBytes(sig.subarray(0, 32), numberToBytesLE(S + L, 32));
    expect(await ed25519Verify(pair.publicKey, message, malleated)).toBe(false);
  });

  it('rule 2: a non-canonical encoding (y = p + 1, the identity) and a "negative zero" x are refused as keys', async () => {
    const pair = await ed25519KeyPairFromSeed(TEST1_SEED);
    const sig = await ed25519Sign(pair.privateKey, message);
    const nonCanonical = hexToBytes('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const negativeZero = hexToBytes('0100000000000000000000000000000000000000000000000000000000000080');
    expect(await ed25519Verify(nonCanonical, message, sig)).toBe(false);
    expect(await ed25519Verify(negativeZero, message, sig)).toBe(false);
  });

  it('rule 1: truncated, extended and empty signatures and keys are refused, never thrown', async () => {
    const pair = await ed25519KeyPairFromSeed(TEST1_SEED);
    const sig = await ed25519Sign(pair.privateKey, message);
    expect(await ed25519Verify(pair.publicKey, message, sig.subarray(0, 63))).toBe(false);
    expect(await ed25519Verify(pair.publicKey, message, concatBytes(sig, new Uint8Array(1)))).toBe(false);
    expect(await ed25519Verify(pair.publicKey, message, new Uint8Array(0))).toBe(false);
    expect(await ed25519Verify(pair.publicKey.subarray(0, 31), message, sig)).toBe(false);
  });

  it('bad_signature: ed25519VerifyOrThrow throws a CryptoError', async () => {
    const pair = await generateEd25519KeyPair();
    const sig = await ed25519Sign(pair.privateKey, message);
    await expect(ed25519VerifyOrThrow(pair.publicKey, message, sig)).resolves.toBeUndefined();
    sig[0] = (sig[0] as number) ^ 1;
    await expect(ed25519VerifyOrThrow(pair.publicKey, message, sig)).rejects.toMatchObject({ code: 'bad_signature' });
    await expect(ed25519VerifyOrThrow(pair.publicKey, message, sig)).rejects.toBeInstanceOf(CryptoError);
  });

  it('any single-bit change to an honest signature is refused (fast-check)', async () => {
    const pair = await generateEd25519KeyPair();
    const sig = await ed25519Sign(pair.privateKey, message);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 64 * 8 - 1 }), async (bit) => {
        const tampered = sig.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(await ed25519Verify(pair.publicKey, message, tampered)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('secret_wiped: a wiped key cannot sign', async () => {
    const pair = await generateEd25519KeyPair();
    pair.privateKey.wipe();
    await expect(ed25519Sign(pair.privateKey, message)).rejects.toMatchObject({ code: 'secret_wiped' });
  });
});

describe('Ed25519 backends agree', () => {
  afterEach(() => setCurveBackend('auto'));

  it('same public key and same (deterministic) signature from the same seed and message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        async (seed, msg) => {
          setCurveBackend('noble');
          const onNoble = await ed25519KeyPairFromSeed(seed);
          const sigNoble = await ed25519Sign(onNoble.privateKey, msg);
          setCurveBackend('webcrypto');
          const onWebCrypto = await ed25519KeyPairFromSeed(seed);
          const sigWebCrypto = await ed25519Sign(onWebCrypto.privateKey, msg);
          expect(bytesToHex(onWebCrypto.publicKey)).toBe(bytesToHex(onNoble.publicKey));
          expect(bytesToHex(sigWebCrypto)).toBe(bytesToHex(sigNoble));
          expect(await ed25519Verify(onNoble.publicKey, msg, sigNoble)).toBe(true);
          setCurveBackend('noble');
          expect(await ed25519Verify(onNoble.publicKey, msg, sigWebCrypto)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
