/**
 * X25519 key agreement (RFC 7748 §5), on Web Crypto or @noble/curves (curve-backend.ts).
 *
 * Checks, in this order (docs/protocol/crypto.md, "X25519"):
 *  1. every key is exactly 32 bytes;
 *  2. the peer's public key is not of small order (RFC 7748 §7): its u-coordinate, read as
 *     RFC 7748 §5 says (top bit masked, non-canonical values reduced mod p), is not one of the
 *     five u-values of the points of order 1, 2, 4 and 8 on the curve and its twist. Such a key
 *     makes the shared secret independent of our private key, and is CryptoError('low_order_point');
 *  3. the output is not all zeros (RFC 7748 §6.1). With clamped scalars, 2 already implies 3;
 *     the check stays as a second line of defence and is CryptoError('zero_shared_secret').
 * Twist points and non-canonical encodings that are not of small order are accepted, as RFC 7748
 * §5 requires (Curve25519 is twist-secure).
 */
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { expectBytes } from './bytes';
import { curveBackend } from './curve-backend';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { SecretBytes } from './secret';
import {
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  subtleCrypto,
  type WebCryptoPrivateKey,
} from './webcrypto';

export const X25519_KEY_LENGTH = 32;

const P = 2n ** 255n - 19n;
/**
 * u-coordinates of the small-order points of Curve25519 and its twist (cr.yp.to/ecdh.html#validate;
 * libsodium's blocklist, reduced mod p): 0 (order 1 and 2), 1 (order 4), p-1 (order 4 on the
 * twist) and the two points of order 8. test/x25519.spec.ts checks each against noble.
 */
const SMALL_ORDER_U: readonly bigint[] = [
  0n,
  1n,
  P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
];

/** @internal RFC 7748 §5 decodeUCoordinate: mask bit 255, then reduce mod p. */
export function isSmallOrderX25519PublicKey(publicKey: Uint8Array): boolean {
  const masked = expectBytes(publicKey, 'X25519 public key', X25519_KEY_LENGTH).slice();
  masked[31] = (masked[31] as number) & 0x7f;
  const u = bytesToNumberLE(masked) % P;
  return SMALL_ORDER_U.includes(u);
}

/** @internal RFC 7748 §6.1: "check whether the [output] is all-zero ... and abort if so". */
export function rejectAllZeroSharedSecret(shared: Uint8Array): void {
  let any = 0;
  for (const byte of shared) any |= byte;
  if (any === 0) throw new CryptoError('zero_shared_secret', 'X25519 produced the all-zero shared secret');
}

/**
 * An X25519 private key (32 bytes, RFC 7748 §5; clamping is applied by the scalar multiplication,
 * not stored). Knows its public key; caches its Web Crypto CryptoKey when that backend is in use.
 */
export class X25519PrivateKey extends SecretBytes {
  readonly #publicKey: Uint8Array;
  #webCryptoKey: CryptoKey | undefined;

  /** @internal Use generateX25519KeyPair or x25519KeyPairFromPrivateKey. */
  constructor(privateKey: Uint8Array, publicKey: Uint8Array, webCryptoKey?: CryptoKey) {
    super(expectBytes(privateKey, 'X25519 private key', X25519_KEY_LENGTH), 'X25519 private key');
    this.#publicKey = expectBytes(publicKey, 'X25519 public key', X25519_KEY_LENGTH).slice();
    this.#webCryptoKey = webCryptoKey;
  }

  get publicKey(): Uint8Array {
    return this.#publicKey.slice();
  }

  /** @internal */
  async webCryptoKey(): Promise<CryptoKey> {
    if (this.#webCryptoKey === undefined) {
      this.#webCryptoKey = (await importPrivateKey('X25519', this.exposeBytes())).key;
    }
    return this.#webCryptoKey;
  }

  override wipe(): void {
    super.wipe();
    this.#webCryptoKey = undefined;
  }
}

export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: X25519PrivateKey;
}

function pairFromWebCrypto(imported: WebCryptoPrivateKey): X25519KeyPair {
  const privateKey = new X25519PrivateKey(imported.privateKey, imported.publicKey, imported.key);
  return { publicKey: privateKey.publicKey, privateKey };
}

function pairFromNoble(secret: Uint8Array): X25519KeyPair {
  const privateKey = new X25519PrivateKey(secret, nobleX25519.getPublicKey(secret));
  return { publicKey: privateKey.publicKey, privateKey };
}

export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  if ((await curveBackend('x25519')) === 'webcrypto') return pairFromWebCrypto(await generateKeyPair('X25519'));
  return pairFromNoble(randomBytes(X25519_KEY_LENGTH));
}

/** Rebuilds a key pair from stored private key bytes (copied; the caller keeps its array). */
export async function x25519KeyPairFromPrivateKey(privateKey: Uint8Array): Promise<X25519KeyPair> {
  const secret = expectBytes(privateKey, 'X25519 private key', X25519_KEY_LENGTH).slice();
  if ((await curveBackend('x25519')) === 'webcrypto')
    return pairFromWebCrypto(await importPrivateKey('X25519', secret));
  return pairFromNoble(secret);
}

/** X25519(ourPrivate, peerPublic) with the checks listed at the top of this file. */
export async function x25519SharedSecret(
  privateKey: X25519PrivateKey,
  peerPublicKey: Uint8Array,
): Promise<SecretBytes> {
  if (!(privateKey instanceof X25519PrivateKey))
    throw new TypeError('x25519SharedSecret: expected an X25519PrivateKey');
  if (isSmallOrderX25519PublicKey(peerPublicKey)) {
    throw new CryptoError('low_order_point', 'the peer X25519 public key has small order');
  }
  let shared: Uint8Array;
  if ((await curveBackend('x25519')) === 'webcrypto') {
    const ours = await privateKey.webCryptoKey();
    const theirs = await importPublicKey('X25519', peerPublicKey);
    shared = new Uint8Array(await subtleCrypto().deriveBits({ name: 'X25519', public: theirs }, ours, 256));
  } else {
    shared = nobleX25519.getSharedSecret(privateKey.exposeBytes(), peerPublicKey);
  }
  rejectAllZeroSharedSecret(shared);
  return new SecretBytes(shared, 'X25519 shared secret');
}
