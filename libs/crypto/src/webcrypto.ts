/**
 * Thin helpers over Web Crypto's X25519 and Ed25519 (W3C WebCrypto, "Secure Curves"), which are
 * native in Node >= 20 and current Chromium and several times faster than pure JavaScript.
 * Only the curve backends (x25519.ts, ed25519.ts) and their detection (curve-backend.ts) use this.
 */
import { concatBytes, expectBytes } from './bytes';
import { CryptoError } from './errors';

export type CurveAlgorithm = 'X25519' | 'Ed25519';

/**
 * RFC 8410 §7 and §10.3: a PKCS#8 PrivateKeyInfo (version 0, no attributes, no public key) for
 * X25519 (OID 1.3.101.110) or Ed25519 (OID 1.3.101.112) is this fixed 16-byte DER prefix followed
 * by the 32-byte private key (the CurvePrivateKey OCTET STRING):
 *   30 2e            SEQUENCE, 46 bytes
 *     02 01 00       INTEGER 0 (version v1)
 *     30 05 06 03 2b 65 6e|70   AlgorithmIdentifier { id-X25519 | id-Ed25519 }
 *     04 22 04 20    OCTET STRING (34) wrapping OCTET STRING (32)
 */
const PKCS8_PREFIX: Record<CurveAlgorithm, Uint8Array> = {
  X25519: Uint8Array.from([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
  ]),
  Ed25519: Uint8Array.from([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]),
};

const PRIVATE_USAGES: Record<CurveAlgorithm, KeyUsage[]> = { X25519: ['deriveBits'], Ed25519: ['sign'] };
const PUBLIC_USAGES: Record<CurveAlgorithm, KeyUsage[]> = { X25519: [], Ed25519: ['verify'] };
const PAIR_USAGES: Record<CurveAlgorithm, KeyUsage[]> = { X25519: ['deriveBits'], Ed25519: ['sign', 'verify'] };

/**
 * Web Crypto takes ArrayBuffer-backed views only (WebIDL BufferSource is not [AllowShared]). Our
 * inputs are ArrayBuffer-backed unless a caller passes a SharedArrayBuffer view, which is copied.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer)
    return new Uint8Array(bytes);
  return bytes as Uint8Array<ArrayBuffer>;
}

export function subtleCrypto(): SubtleCrypto {
  const subtle = (globalThis.crypto as Crypto | undefined)?.subtle;
  if (subtle === undefined) throw new CryptoError('backend_unavailable', 'this runtime has no crypto.subtle');
  return subtle;
}

export interface WebCryptoPrivateKey {
  /** The private key, usable for deriveBits (X25519) or sign (Ed25519). */
  readonly key: CryptoKey;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Imports a raw 32-byte private key and reads its public key back from the JWK export (RFC 8037 `x`). */
export async function importPrivateKey(
  algorithm: CurveAlgorithm,
  privateKey: Uint8Array,
): Promise<WebCryptoPrivateKey> {
  const pkcs8 = concatBytes(PKCS8_PREFIX[algorithm], expectBytes(privateKey, `${algorithm} private key`, 32));
  try {
    // Extractable only so that the public key can be read back; the CryptoKey never leaves the
    // private field of the key object that caches it.
    const key = await subtleCrypto().importKey(
      'pkcs8',
      bufferSource(pkcs8),
      { name: algorithm },
      true,
      PRIVATE_USAGES[algorithm],
    );
    const jwk = await subtleCrypto().exportKey('jwk', key);
    return { key, privateKey, publicKey: base64UrlDecode(jwk.x, 32) };
  } finally {
    pkcs8.fill(0);
  }
}

export async function generateKeyPair(algorithm: CurveAlgorithm): Promise<WebCryptoPrivateKey> {
  const pair = (await subtleCrypto().generateKey({ name: algorithm }, true, PAIR_USAGES[algorithm])) as CryptoKeyPair;
  // JWK export is the portable way to read both halves as raw bytes (RFC 8037 §2: d and x).
  const jwk = await subtleCrypto().exportKey('jwk', pair.privateKey);
  return { key: pair.privateKey, privateKey: base64UrlDecode(jwk.d, 32), publicKey: base64UrlDecode(jwk.x, 32) };
}

export function importPublicKey(algorithm: CurveAlgorithm, publicKey: Uint8Array): Promise<CryptoKey> {
  return subtleCrypto().importKey('raw', bufferSource(publicKey), { name: algorithm }, false, PUBLIC_USAGES[algorithm]);
}

/** RFC 4648 §5 base64url without padding, as JWK uses it (RFC 7515 §2). */
function base64UrlDecode(text: string | undefined, length: number): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new CryptoError('backend_unavailable', 'Web Crypto returned a malformed JWK');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (bytes.length !== length)
    throw new CryptoError('backend_unavailable', 'Web Crypto returned a JWK of the wrong size');
  return bytes;
}
