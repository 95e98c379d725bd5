/**
 * Every applicable Wycheproof file, every case, through our facade (curve families on both
 * backends). Each `acceptable` case is decided in code below, with the reason.
 */
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import {
  chacha20Poly1305Decrypt,
  chacha20Poly1305Encrypt,
  xchacha20Poly1305Decrypt,
  xchacha20Poly1305Encrypt,
} from '../src/aead';
import { ed25519Verify } from '../src/ed25519';
import { CryptoError, type CryptoErrorCode } from '../src/errors';
import { hkdfSha256, hmacSha256, verifyHmacSha256 } from '../src/kdf';
import { mlKem768Decapsulate, mlKem768Encapsulate, mlKem768KeyPairFromSeed } from '../src/mlkem';
import { x25519KeyPairFromPrivateKey, x25519SharedSecret } from '../src/x25519';
import { describeEachCurveBackend } from './backends';
import {
  CaseFailures,
  countTests,
  describeWycheproof,
  loadWycheproof,
  type WycheproofGroup,
  type WycheproofTest,
} from './wycheproof';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: CryptoErrorCode | 'not a CryptoError' };

async function outcomeOf<T>(run: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, code: error instanceof CryptoError ? error.code : 'not a CryptoError' };
  }
}

function flagged(test: WycheproofTest, ...flags: string[]): boolean {
  return flags.some((flag) => test.flags?.includes(flag));
}

describeWycheproof('Wycheproof', () => {
  // ---------------------------------------------------------------------------------------------
  interface XdhTest extends WycheproofTest {
    readonly public: string;
    readonly private: string;
    readonly shared: string;
  }

  /**
   * X25519 decision for `acceptable`: every acceptable case whose public key has small order
   * (flags LowOrderPublic, and the all-zero output they give, ZeroSharedSecret) is REJECTED with
   * CryptoError('low_order_point') (RFC 7748 §7 and §6.1; our rule in x25519.ts). Every other
   * acceptable case (Twist, NonCanonicalPublic, SmallPublicKey with a non-zero result,
   * EdgeCaseMultiplication, EdgeCaseShared, SpecialPublicKey, Ktv) is ACCEPTED with the expected
   * shared secret: RFC 7748 §5 requires masking bit 255 and accepting non-canonical u, and
   * Curve25519 is twist-secure, so these keys are harmless.
   */
  function x25519AcceptableIsAccepted(test: XdhTest): boolean {
    return !flagged(test, 'LowOrderPublic', 'ZeroSharedSecret');
  }

  describeEachCurveBackend('x25519_test.json', () => {
    const file = loadWycheproof<XdhTest>('x25519_test.json');

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    it('RFC 7748 X25519: every case through x25519SharedSecret, acceptable cases decided as documented', async () => {
      const failures = new CaseFailures();
      const tally = { valid: 0, invalid: 0, acceptedAcceptable: 0, rejectedAcceptable: 0 };
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          const outcome = await outcomeOf(async () => {
            const pair = await x25519KeyPairFromPrivateKey(hexToBytes(test.private));
            const shared = await x25519SharedSecret(pair.privateKey, hexToBytes(test.public));
            return bytesToHex(shared.exposeBytes());
          });
          const accept = test.result === 'valid' || (test.result === 'acceptable' && x25519AcceptableIsAccepted(test));
          if (accept) {
            failures.check(outcome.ok && outcome.value === test.shared, test, `expected shared ${test.shared}`);
          } else {
            const expectedCode = test.result === 'acceptable' ? 'low_order_point' : undefined;
            failures.check(
              !outcome.ok && (expectedCode === undefined || outcome.code === expectedCode),
              test,
              `expected a rejection (${expectedCode ?? 'any code'}), got ${JSON.stringify(outcome)}`,
            );
          }
          if (test.result === 'acceptable') tally[accept ? 'acceptedAcceptable' : 'rejectedAcceptable']++;
          else tally[test.result]++;
        }
      }
      expect(failures.lines).toEqual([]);
      // The decision above, in numbers (file commit dac1dd47): 264 valid; of 254 acceptable,
      // 31 small-order keys rejected and 223 twist/non-canonical/edge cases accepted.
      expect(tally).toEqual({ valid: 264, invalid: 0, acceptedAcceptable: 223, rejectedAcceptable: 31 });
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface EddsaTest extends WycheproofTest {
    readonly msg: string;
    readonly sig: string;
  }
  interface EddsaGroup extends WycheproofGroup<EddsaTest> {
    readonly publicKey: { readonly pk: string };
  }

  describeEachCurveBackend('ed25519_test.json', () => {
    const file = loadWycheproof<EddsaTest, EddsaGroup>('ed25519_test.json');

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    it('RFC 8032 Ed25519 strict verification: valid accepted, invalid (malleable, non-canonical, truncated) rejected', async () => {
      const failures = new CaseFailures();
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          // The file has no acceptable cases; one would fail the check below until decided here.
          const ok = await ed25519Verify(hexToBytes(group.publicKey.pk), hexToBytes(test.msg), hexToBytes(test.sig));
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          failures.check(ok === (test.result === 'valid'), test, `verify returned ${ok}`);
        }
      }
      expect(failures.lines).toEqual([]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface AeadTest extends WycheproofTest {
    readonly key: string;
    readonly iv: string;
    readonly aad: string;
    readonly msg: string;
    readonly ct: string;
    readonly tag: string;
  }

  const aeads = [
    ['chacha20_poly1305_test.json', 'RFC 8439 ChaCha20-Poly1305', chacha20Poly1305Encrypt, chacha20Poly1305Decrypt],
    ['xchacha20_poly1305_test.json', 'XChaCha20-Poly1305', xchacha20Poly1305Encrypt, xchacha20Poly1305Decrypt],
  ] as const;

  describe.each(aeads)('%s', (fileName, title, encrypt, decrypt) => {
    const file = loadWycheproof<AeadTest>(fileName);

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    it(`${title}: valid cases encrypt and decrypt exactly; modified tags and wrong nonce sizes are refused`, async () => {
      const failures = new CaseFailures();
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          const [key, iv, aad, msg] = [test.key, test.iv, test.aad, test.msg].map(hexToBytes) as [
            Uint8Array,
            Uint8Array,
            Uint8Array,
            Uint8Array,
          ];
          const sealed = hexToBytes(test.ct + test.tag);
          const opened = await outcomeOf(() => bytesToHex(decrypt(key, iv, sealed, aad)));
          const encrypted = await outcomeOf(() => bytesToHex(encrypt(key, iv, msg, aad)));
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          if (test.result === 'valid') {
            failures.check(opened.ok && opened.value === test.msg, test, 'decryption differs');
            failures.check(encrypted.ok && encrypted.value === test.ct + test.tag, test, 'encryption differs');
          } else if (flagged(test, 'InvalidNonceSize')) {
            // The caller never picks a nonce in our API; the internal functions still refuse any
            // nonce of the wrong size, both ways.
            failures.check(!opened.ok && opened.code === 'bad_length', test, 'nonce size accepted on decrypt');
            failures.check(!encrypted.ok && encrypted.code === 'bad_length', test, 'nonce size accepted on encrypt');
          } else {
            failures.check(
              !opened.ok && opened.code === 'auth_failed',
              test,
              `expected auth_failed, got ${JSON.stringify(opened)}`,
            );
          }
        }
      }
      expect(failures.lines).toEqual([]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface HkdfTest extends WycheproofTest {
    readonly ikm: string;
    readonly salt: string;
    readonly info: string;
    readonly size: number;
    readonly okm: string;
  }

  describe('hkdf_sha256_test.json', () => {
    const file = loadWycheproof<HkdfTest>('hkdf_sha256_test.json');

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    it('RFC 5869 HKDF-SHA256: every valid output matches; a length over 255*32 is bad_parameter', async () => {
      const failures = new CaseFailures();
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          const outcome = await outcomeOf(() =>
            bytesToHex(hkdfSha256(hexToBytes(test.ikm), hexToBytes(test.salt), hexToBytes(test.info), test.size)),
          );
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          if (test.result === 'valid') failures.check(outcome.ok && outcome.value === test.okm, test, 'okm differs');
          else failures.check(!outcome.ok && outcome.code === 'bad_parameter', test, `expected bad_parameter`);
        }
      }
      expect(failures.lines).toEqual([]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface MacTest extends WycheproofTest {
    readonly key: string;
    readonly msg: string;
    readonly tag: string;
  }
  interface MacGroup extends WycheproofGroup<MacTest> {
    readonly tagSize: number;
  }

  describe('hmac_sha256_test.json', () => {
    const file = loadWycheproof<MacTest, MacGroup>('hmac_sha256_test.json');

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    /**
     * Groups with tagSize 256 go through verifyHmacSha256. Groups with tagSize 128 test truncated
     * tags, which our API deliberately does not offer: verifyHmacSha256 must refuse every 16-byte
     * tag (valid ones included), and the primitive is checked by comparing the first 16 bytes of
     * hmacSha256 in constant time, as a caller needing truncation would have to.
     */
    it('RFC 2104 HMAC-SHA256: full tags verify exactly; truncated tags are never accepted by verifyHmacSha256', () => {
      const failures = new CaseFailures();
      const tally = { full: 0, truncated: 0 };
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          const [key, msg, tag] = [test.key, test.msg, test.tag].map(hexToBytes) as [
            Uint8Array,
            Uint8Array,
            Uint8Array,
          ];
          const valid = test.result === 'valid';
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          const full = hmacSha256(key, msg);
          if (group.tagSize === 256) {
            tally.full++;
            failures.check(verifyHmacSha256(key, msg, tag) === valid, test, 'verifyHmacSha256 disagrees');
            if (valid) failures.check(bytesToHex(full) === test.tag, test, 'tag differs');
          } else {
            tally.truncated++;
            failures.check(!verifyHmacSha256(key, msg, tag), test, 'a truncated tag was accepted');
            failures.check(
              (bytesToHex(full.subarray(0, group.tagSize / 8)) === test.tag) === valid,
              test,
              'prefix check',
            );
          }
        }
      }
      expect(failures.lines).toEqual([]);
      expect(tally.full).toBeGreaterThan(0);
      expect(tally.truncated).toBeGreaterThan(0);
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface MlKemTest extends WycheproofTest {
    readonly seed: string;
    readonly ek?: string;
    readonly c: string;
    readonly K: string;
  }

  describe('mlkem_768_test.json', () => {
    const file = loadWycheproof<MlKemTest>('mlkem_768_test.json');

    it('has cases', () => {
      expect(countTests(file)).toBeGreaterThan(0);
      expect(countTests(file)).toBe(file.numberOfTests);
    });

    it('FIPS 203 ML-KEM-768: keygen from seed, decapsulation (implicit rejection included), length checks', async () => {
      const failures = new CaseFailures();
      for (const group of file.testGroups) {
        for (const test of group.tests) {
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          const outcome = await outcomeOf(() => {
            const pair = mlKem768KeyPairFromSeed(hexToBytes(test.seed));
            if (test.ek !== undefined && bytesToHex(pair.encapsulationKey) !== test.ek) return 'ek differs';
            const key = bytesToHex(mlKem768Decapsulate(pair.decapsulationKey, hexToBytes(test.c)).exposeBytes());
            if (key !== test.K) return 'K differs';
            // And a fresh encapsulation to the same key round-trips.
            const fresh = mlKem768Encapsulate(pair.encapsulationKey);
            const back = mlKem768Decapsulate(pair.decapsulationKey, fresh.ciphertext);
            return bytesToHex(back.exposeBytes()) === bytesToHex(fresh.sharedSecret.exposeBytes())
              ? 'ok'
              : 'round trip';
          });
          if (test.result === 'valid')
            failures.check(outcome.ok && outcome.value === 'ok', test, JSON.stringify(outcome));
          // Invalid cases are seeds ("private keys") or ciphertexts of the wrong length.
          else
            failures.check(
              !outcome.ok && outcome.code === 'bad_length',
              test,
              `expected bad_length, ${JSON.stringify(outcome)}`,
            );
        }
      }
      expect(failures.lines).toEqual([]);
    });
  });
});
