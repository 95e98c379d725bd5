/**
 * Authenticated encryption. The public API is `seal`/`open` over XChaCha20-Poly1305
 * (draft-irtf-cfrg-xchacha-03, built on RFC 8439) with a fresh random 24-byte nonce per message,
 * so the caller never picks a nonce: 192 random bits make a repeat negligible (birthday bound
 * 2^96 messages per key), which removes the nonce-reuse failure of 96-bit nonces.
 *
 * Sealed layout (docs/protocol/crypto.md, "Sealed box"):  nonce(24) || ciphertext || tag(16)
 *
 * The explicit-nonce functions below are internal: seal/open are built on them and the Wycheproof
 * tests drive them directly. The raw ChaCha20-Poly1305 (RFC 8439 §2.8) exists only for those tests.
 */
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, expectBytes } from './bytes';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { keyBytes, type KeyBytes } from './secret';

export const AEAD_KEY_LENGTH = 32;
export const XCHACHA_NONCE_LENGTH = 24;
export const CHACHA_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;
/** Bytes a sealed box adds to its plaintext. */
export const SEAL_OVERHEAD = XCHACHA_NONCE_LENGTH + AEAD_TAG_LENGTH;

/** Encrypts `plaintext` under a fresh random nonce; returns nonce || ciphertext || tag. */
export function seal(key: KeyBytes, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
  const nonce = randomBytes(XCHACHA_NONCE_LENGTH);
  return concatBytes(nonce, xchacha20Poly1305Encrypt(key, nonce, plaintext, associatedData));
}

/**
 * Opens a sealed box. Any change to the nonce, ciphertext, tag or associated data, or the wrong
 * key, gives CryptoError('auth_failed'); nothing of the plaintext is released before the tag is
 * checked. A box shorter than nonce + tag is CryptoError('bad_length').
 */
export function open(key: KeyBytes, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  expectBytes(sealed, 'open: sealed box');
  if (sealed.length < SEAL_OVERHEAD) {
    throw new CryptoError('bad_length', `a sealed box is at least ${SEAL_OVERHEAD} bytes, got ${sealed.length}`);
  }
  return xchacha20Poly1305Decrypt(
    key,
    sealed.subarray(0, XCHACHA_NONCE_LENGTH),
    sealed.subarray(XCHACHA_NONCE_LENGTH),
    associatedData,
  );
}

type NobleAead = typeof xchacha20poly1305;

function encryptWith(
  cipher: NobleAead,
  nonceLength: number,
  key: KeyBytes,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  const k = keyBytes(key, 'AEAD key', AEAD_KEY_LENGTH);
  expectBytes(nonce, 'AEAD nonce', nonceLength);
  expectBytes(plaintext, 'AEAD plaintext');
  expectBytes(associatedData, 'AEAD associated data');
  return cipher(k, nonce, associatedData).encrypt(plaintext);
}

function decryptWith(
  cipher: NobleAead,
  nonceLength: number,
  key: KeyBytes,
  nonce: Uint8Array,
  ciphertextAndTag: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  const k = keyBytes(key, 'AEAD key', AEAD_KEY_LENGTH);
  expectBytes(nonce, 'AEAD nonce', nonceLength);
  expectBytes(ciphertextAndTag, 'AEAD ciphertext');
  expectBytes(associatedData, 'AEAD associated data');
  if (ciphertextAndTag.length < AEAD_TAG_LENGTH) {
    throw new CryptoError('bad_length', `an AEAD ciphertext is at least ${AEAD_TAG_LENGTH} bytes`);
  }
  try {
    // noble checks the Poly1305 tag in constant time before it decrypts anything.
    return cipher(k, nonce, associatedData).decrypt(ciphertextAndTag);
  } catch {
    throw new CryptoError('auth_failed', 'the ciphertext, its tag, nonce or associated data, or the key is wrong');
  }
}

/** @internal XChaCha20-Poly1305 with an explicit nonce: for seal() and the Wycheproof tests only. */
export function xchacha20Poly1305Encrypt(
  key: KeyBytes,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  return encryptWith(xchacha20poly1305, XCHACHA_NONCE_LENGTH, key, nonce, plaintext, associatedData);
}

/** @internal */
export function xchacha20Poly1305Decrypt(
  key: KeyBytes,
  nonce: Uint8Array,
  ciphertextAndTag: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  return decryptWith(xchacha20poly1305, XCHACHA_NONCE_LENGTH, key, nonce, ciphertextAndTag, associatedData);
}

/** @internal ChaCha20-Poly1305 (RFC 8439 §2.8), for the Wycheproof tests only. */
export function chacha20Poly1305Encrypt(
  key: KeyBytes,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  return encryptWith(chacha20poly1305, CHACHA_NONCE_LENGTH, key, nonce, plaintext, associatedData);
}

/** @internal */
export function chacha20Poly1305Decrypt(
  key: KeyBytes,
  nonce: Uint8Array,
  ciphertextAndTag: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  return decryptWith(chacha20poly1305, CHACHA_NONCE_LENGTH, key, nonce, ciphertextAndTag, associatedData);
}
