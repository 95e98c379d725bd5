/**
 * Ed25519 signatures (RFC 8032 §5.1), on Web Crypto or @noble/curves (curve-backend.ts).
 *
 * STRICT VERIFICATION RULE (docs/protocol/crypto.md, "Ed25519"). A signature sig = R || S on
 * message M under public key A is valid if and only if:
 *  1. A is 32 bytes and sig is 64 bytes;
 *  2. A and R are canonical point encodings (y < p, and no "negative zero" x: RFC 8032 §5.1.3
 *     decoding with its step-4 check) that decode to points on the curve;
 *  3. neither A nor R is of small order (order 1, 2, 4 or 8);
 *  4. S is canonical: S < L (RFC 8032 §5.1.7 step 1);
 *  5. the cofactorless equation holds exactly: [S]B = R + [k]A, k = SHA-512(R || A || M) mod L
 *     (RFC 8032 §5.1.7 step 3 allows it in place of the cofactored one).
 * Honest signatures always pass. Rules 2-4 make signatures non-malleable and keys unambiguous.
 * Rule 5 (rather than noble's cofactored [8][S]B = [8]R + [8][k]A) is what Web Crypto implements
 * (OpenSSL, BoringSSL); so that both backends give the same answer on every input, including
 * crafted mixed-order R or A, the noble backend checks rule 5 with noble's own point arithmetic
 * instead of calling ed25519.verify (which is cofactored). Rules 1-4 run before either backend.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, expectBytes, isBytes } from './bytes';
import { curveBackend } from './curve-backend';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { SecretBytes } from './secret';
import {
  bufferSource,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  subtleCrypto,
  type WebCryptoPrivateKey,
} from './webcrypto';

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SEED_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

const Point = nobleEd25519.Point;
type EdwardsPoint = InstanceType<typeof Point>;
/** L, the order of the base point (RFC 8032 §5.1). */
const L = Point.Fn.ORDER;

/**
 * An Ed25519 private key: the 32-byte seed of RFC 8032 §5.1.5 (not the expanded scalar). Knows its
 * public key; caches its Web Crypto CryptoKey when that backend is in use.
 */
export class Ed25519PrivateKey extends SecretBytes {
  readonly #publicKey: Uint8Array;
  #webCryptoKey: CryptoKey | undefined;

  /** @internal Use generateEd25519KeyPair or ed25519KeyPairFromSeed. */
  constructor(seed: Uint8Array, publicKey: Uint8Array, webCryptoKey?: CryptoKey) {
    super(expectBytes(seed, 'Ed25519 seed', ED25519_SEED_LENGTH), 'Ed25519 private key');
    this.#publicKey = expectBytes(publicKey, 'Ed25519 public key', ED25519_PUBLIC_KEY_LENGTH).slice();
    this.#webCryptoKey = webCryptoKey;
  }

  get publicKey(): Uint8Array {
    return this.#publicKey.slice();
  }

  /** @internal */
  async webCryptoKey(): Promise<CryptoKey> {
    if (this.#webCryptoKey === undefined) {
      this.#webCryptoKey = (await importPrivateKey('Ed25519', this.exposeBytes())).key;
    }
    return this.#webCryptoKey;
  }

  override wipe(): void {
    super.wipe();
    this.#webCryptoKey = undefined;
  }
}

export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Ed25519PrivateKey;
}

function pairFromWebCrypto(imported: WebCryptoPrivateKey): Ed25519KeyPair {
  const privateKey = new Ed25519PrivateKey(imported.privateKey, imported.publicKey, imported.key);
  return { publicKey: privateKey.publicKey, privateKey };
}

function pairFromNoble(seed: Uint8Array): Ed25519KeyPair {
  const privateKey = new Ed25519PrivateKey(seed, nobleEd25519.getPublicKey(seed));
  return { publicKey: privateKey.publicKey, privateKey };
}

export async function generateEd25519KeyPair(): Promise<Ed25519KeyPair> {
  if ((await curveBackend('ed25519')) === 'webcrypto') return pairFromWebCrypto(await generateKeyPair('Ed25519'));
  return pairFromNoble(randomBytes(ED25519_SEED_LENGTH));
}

/** Rebuilds a key pair from a stored 32-byte seed (copied; the caller keeps its array). */
export async function ed25519KeyPairFromSeed(seed: Uint8Array): Promise<Ed25519KeyPair> {
  const copy = expectBytes(seed, 'Ed25519 seed', ED25519_SEED_LENGTH).slice();
  if ((await curveBackend('ed25519')) === 'webcrypto')
    return pairFromWebCrypto(await importPrivateKey('Ed25519', copy));
  return pairFromNoble(copy);
}

/** RFC 8032 §5.1.6. Deterministic: both backends give the same signature. */
export async function ed25519Sign(privateKey: Ed25519PrivateKey, message: Uint8Array): Promise<Uint8Array> {
  if (!(privateKey instanceof Ed25519PrivateKey)) throw new TypeError('ed25519Sign: expected an Ed25519PrivateKey');
  expectBytes(message, 'ed25519Sign: message');
  if ((await curveBackend('ed25519')) === 'webcrypto') {
    const key = await privateKey.webCryptoKey();
    return new Uint8Array(await subtleCrypto().sign({ name: 'Ed25519' }, key, bufferSource(message)));
  }
  return nobleEd25519.sign(message, privateKey.exposeBytes());
}

interface StrictInputs {
  readonly A: EdwardsPoint;
  readonly R: EdwardsPoint;
  readonly S: bigint;
}

/** Rules 1-4 of the strict rule; undefined when any fails. */
function decodeStrict(publicKey: Uint8Array, signature: Uint8Array): StrictInputs | undefined {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return undefined;
  let A: EdwardsPoint;
  let R: EdwardsPoint;
  try {
    // zip215 = false: RFC 8032 decoding, refusing y >= p and x = 0 with the sign bit set.
    A = Point.fromBytes(publicKey, false);
    R = Point.fromBytes(signature.subarray(0, 32), false);
  } catch {
    return undefined;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return undefined;
  const S = bytesToNumberLE(signature.subarray(32, 64));
  if (S >= L) return undefined;
  return { A, R, S };
}

/** Rule 5 with noble's group operations: [S]B == R + [k]A, exactly (no cofactor). */
function cofactorlessEquationHolds(
  inputs: StrictInputs,
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  const k = bytesToNumberLE(sha512(concatBytes(signature.subarray(0, 32), publicKey, message))) % L;
  return Point.BASE.multiplyUnsafe(inputs.S).equals(inputs.R.add(inputs.A.multiplyUnsafe(k)));
}

/** The canonical encodings of the eight points of small order (rule 3 for R on the Web Crypto path). */
const SMALL_ORDER_ENCODINGS = new Set(ED25519_TORSION_SUBGROUP);

interface VerifyingKey {
  /** Rules 1-3 for A: 32 bytes, canonical, on the curve, not of small order. */
  readonly valid: boolean;
  webCryptoKey?: Promise<CryptoKey>;
}

/**
 * Verifiers see the same few public keys again and again (a relay checks every command of a
 * connection under one device key), so the checks of A and its imported CryptoKey are kept for
 * the most recent keys. Public data only; bounded.
 */
const verifyingKeys = new Map<string, VerifyingKey>();
const MAX_VERIFYING_KEYS = 1024;

function verifyingKey(publicKey: Uint8Array): VerifyingKey {
  const id = String.fromCharCode(...publicKey);
  let entry = verifyingKeys.get(id);
  if (entry === undefined) {
    let valid = publicKey.length === ED25519_PUBLIC_KEY_LENGTH;
    if (valid) {
      try {
        valid = !Point.fromBytes(publicKey, false).isSmallOrder();
      } catch {
        valid = false;
      }
    }
    entry = { valid };
    if (verifyingKeys.size >= MAX_VERIFYING_KEYS) verifyingKeys.delete(verifyingKeys.keys().next().value as string);
    verifyingKeys.set(id, entry);
  }
  return entry;
}

/**
 * Verifies under the strict rule above. Never throws on hostile input: any malformed key or
 * signature is simply `false`.
 *
 * On the Web Crypto path R is not decoded: OpenSSL and BoringSSL recompute R' = [S]B - [k]A and
 * compare its canonical encoding with R byte for byte, so a non-canonical or off-curve R never
 * passes (rule 2), and rule 3 for R is a look-up among the small-order encodings. The backend
 * self-test (curve-backend.ts) and the Wycheproof and crafted vectors, run on both backends,
 * hold the two paths to the same answers.
 */
export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (!isBytes(publicKey) || !isBytes(signature))
    throw new TypeError('ed25519Verify: key and signature must be Uint8Arrays');
  expectBytes(message, 'ed25519Verify: message');
  if ((await curveBackend('ed25519')) === 'webcrypto') {
    if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
    const key = verifyingKey(publicKey);
    if (!key.valid) return false;
    const r = signature.subarray(0, 32);
    if (SMALL_ORDER_ENCODINGS.has(Array.from(r, (b) => b.toString(16).padStart(2, '0')).join(''))) return false;
    if (bytesToNumberLE(signature.subarray(32, 64)) >= L) return false;
    try {
      key.webCryptoKey ??= importPublicKey('Ed25519', publicKey);
      return await subtleCrypto().verify(
        { name: 'Ed25519' },
        await key.webCryptoKey,
        bufferSource(signature),
        bufferSource(message),
      );
    } catch {
      return false; // a runtime refusal after rules 1-4 passed is still a refusal, never a throw
    }
  }
  const inputs = decodeStrict(publicKey, signature);
  if (inputs === undefined) return false;
  return cofactorlessEquationHolds(inputs, publicKey, signature, message);
}

/** ed25519Verify that throws CryptoError('bad_signature'), for code paths that must not go on. */
export async function ed25519VerifyOrThrow(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<void> {
  if (!(await ed25519Verify(publicKey, message, signature))) {
    throw new CryptoError('bad_signature', 'the Ed25519 signature does not verify under the strict rule');
  }
}
