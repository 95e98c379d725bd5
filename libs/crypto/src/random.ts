/**
 * Randomness for every key, nonce and id in OpenDescent. Web Crypto's CSPRNG is present in every
 * supported browser and in Node >= 19 as `globalThis.crypto`, so the libraries need no polyfill.
 */

/** Web Crypto refuses more than 65,536 bytes per call (WebCrypto §10.1.1, QuotaExceededError). */
const MAX_BYTES_PER_CALL = 65_536;

export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`randomBytes: length must be a non-negative integer, got ${length}`);
  }
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_BYTES_PER_CALL) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_BYTES_PER_CALL)));
  }
  return out;
}
