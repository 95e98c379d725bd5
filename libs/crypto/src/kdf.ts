/**
 * Hashes, HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869), all from @noble/hashes. These are
 * byte-level primitives: they return plain Uint8Arrays, and the protocol code that derives a
 * long-lived secret wraps it in a SecretBytes itself.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { constantTimeEqual, expectBytes } from './bytes';
import { CryptoError } from './errors';
import { keyBytes, type KeyBytes } from './secret';

export const SHA256_LENGTH = 32;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * SHA256_LENGTH;

export function sha256(message: Uint8Array): Uint8Array {
  return nobleSha256(expectBytes(message, 'sha256: message'));
}

export function sha512(message: Uint8Array): Uint8Array {
  return nobleSha512(expectBytes(message, 'sha512: message'));
}

/** HMAC-SHA256 (RFC 2104, FIPS 198-1). Any key length; keys over 64 bytes are hashed first. */
export function hmacSha256(key: KeyBytes, message: Uint8Array): Uint8Array {
  return hmac(nobleSha256, keyBytes(key, 'hmacSha256: key'), expectBytes(message, 'hmacSha256: message'));
}

/**
 * Checks a full 32-byte HMAC-SHA256 tag in constant time. There is no truncated-tag variant: a
 * tag of any other length is simply not valid.
 */
export function verifyHmacSha256(key: KeyBytes, message: Uint8Array, tag: Uint8Array): boolean {
  expectBytes(tag, 'verifyHmacSha256: tag');
  const expected = hmacSha256(key, message);
  const ok = tag.length === SHA256_LENGTH && constantTimeEqual(expected, tag);
  expected.fill(0);
  return ok;
}

/**
 * HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand). An empty salt is the RFC's "not provided"
 * (HashLen zero bytes, which HMAC pads identically). `info` must be bytes: labels are encoded by
 * the caller (see docs/protocol/crypto.md for every label).
 */
export function hkdfSha256(ikm: KeyBytes, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const inputKey = keyBytes(ikm, 'hkdfSha256: ikm');
  expectBytes(salt, 'hkdfSha256: salt');
  expectBytes(info, 'hkdfSha256: info');
  if (!Number.isSafeInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new CryptoError('bad_parameter', `hkdfSha256: length must be 1..${HKDF_SHA256_MAX_LENGTH}, got ${length}`);
  }
  return hkdf(nobleSha256, inputKey, salt, info, length);
}
