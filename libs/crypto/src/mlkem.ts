/**
 * ML-KEM-768 (FIPS 203) from @noble/post-quantum, with explicit length checks and typed errors.
 * Security category 3; used beside X25519 in the hybrid handshake so that a future quantum
 * computer must break both.
 *
 * FIPS 203 input checks: encapsulation runs the §7.2 modulus check on the encapsulation key
 * (CryptoError('malformed_key') when it fails); decapsulation runs the §7.3 hash check on the
 * decapsulation key (also 'malformed_key'). A wrong or tampered ciphertext is NOT an error: as
 * FIPS 203 §6.3 specifies, decapsulation then returns the implicit-rejection key, a pseudorandom
 * value the sender cannot know, and the failure shows later as an AEAD authentication failure.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { expectBytes } from './bytes';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { SecretBytes } from './secret';

/** FIPS 203 Table 3, ML-KEM-768. */
export const MLKEM768_ENCAPSULATION_KEY_LENGTH = 1184;
export const MLKEM768_DECAPSULATION_KEY_LENGTH = 2400;
export const MLKEM768_CIPHERTEXT_LENGTH = 1088;
export const MLKEM768_SHARED_SECRET_LENGTH = 32;
/** FIPS 203 §7.1: the key-generation seed d || z. */
export const MLKEM768_SEED_LENGTH = 64;

export interface MlKem768KeyPair {
  readonly encapsulationKey: Uint8Array;
  readonly decapsulationKey: SecretBytes;
}

export interface MlKem768Encapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: SecretBytes;
}

export function generateMlKem768KeyPair(): MlKem768KeyPair {
  const seed = randomBytes(MLKEM768_SEED_LENGTH);
  try {
    return mlKem768KeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/** @internal FIPS 203 ML-KEM.KeyGen_internal(d, z) with seed = d || z: for known-answer tests. */
export function mlKem768KeyPairFromSeed(seed: Uint8Array): MlKem768KeyPair {
  expectBytes(seed, 'ML-KEM-768 seed', MLKEM768_SEED_LENGTH);
  const { publicKey, secretKey } = ml_kem768.keygen(seed);
  return { encapsulationKey: publicKey, decapsulationKey: new SecretBytes(secretKey, 'ML-KEM-768 decapsulation key') };
}

export function mlKem768Encapsulate(encapsulationKey: Uint8Array): MlKem768Encapsulation {
  expectBytes(encapsulationKey, 'ML-KEM-768 encapsulation key', MLKEM768_ENCAPSULATION_KEY_LENGTH);
  let result: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    result = ml_kem768.encapsulate(encapsulationKey);
  } catch {
    throw new CryptoError('malformed_key', 'the ML-KEM-768 encapsulation key fails the FIPS 203 §7.2 modulus check');
  }
  // noble returns a view into a larger buffer; keep an owned copy and zero the original.
  const sharedSecret = new SecretBytes(result.sharedSecret.slice(), 'ML-KEM-768 shared secret');
  result.sharedSecret.fill(0);
  return { ciphertext: result.cipherText, sharedSecret };
}

export function mlKem768Decapsulate(decapsulationKey: SecretBytes, ciphertext: Uint8Array): SecretBytes {
  if (!(decapsulationKey instanceof SecretBytes))
    throw new TypeError('mlKem768Decapsulate: expected a SecretBytes key');
  const dk = expectBytes(
    decapsulationKey.exposeBytes(),
    'ML-KEM-768 decapsulation key',
    MLKEM768_DECAPSULATION_KEY_LENGTH,
  );
  expectBytes(ciphertext, 'ML-KEM-768 ciphertext', MLKEM768_CIPHERTEXT_LENGTH);
  let shared: Uint8Array;
  try {
    shared = ml_kem768.decapsulate(ciphertext, dk);
  } catch {
    throw new CryptoError('malformed_key', 'the ML-KEM-768 decapsulation key fails the FIPS 203 §7.3 hash check');
  }
  return new SecretBytes(shared, 'ML-KEM-768 shared secret');
}
