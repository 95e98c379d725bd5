/**
 * Device identity (docs/protocol/crypto.md, "Device identity"): every device has an Ed25519
 * signing key pair and an X25519 key agreement key pair, generated on the device and never sent
 * anywhere. Its public half is what attestations carry and what safety numbers are made of.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, expectBytes, uintBE, utf8Encode } from './bytes';
import { ed25519KeyPairFromSeed, generateEd25519KeyPair, type Ed25519KeyPair } from './ed25519';
import { CryptoError } from './errors';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import { generateX25519KeyPair, x25519KeyPairFromPrivateKey, type X25519KeyPair } from './x25519';

export interface DeviceIdentity {
  readonly signing: Ed25519KeyPair;
  readonly agreement: X25519KeyPair;
}

export interface PublicDeviceIdentity {
  /** Ed25519 public key (RFC 8032), 32 bytes. */
  readonly signingKey: Uint8Array;
  /** X25519 public key (RFC 7748), 32 bytes. */
  readonly agreementKey: Uint8Array;
}

/** A device as a safety number sees it: its public keys and the stable id they are bound to. */
export interface FingerprintSubject {
  readonly identity: PublicDeviceIdentity;
  /**
   * The identifier the keys belong to, as the attestation states it; the web client uses
   * `<user address>/<device id>`. Binding it stops a key from being shown for someone else.
   */
  readonly stableId: string;
}

export async function generateDeviceIdentity(): Promise<DeviceIdentity> {
  const [signing, agreement] = await Promise.all([generateEd25519KeyPair(), generateX25519KeyPair()]);
  return { signing, agreement };
}

export function publicDeviceIdentity(identity: DeviceIdentity): PublicDeviceIdentity {
  return { signingKey: identity.signing.publicKey.slice(), agreementKey: identity.agreement.publicKey.slice() };
}

/** Stored private identity, "Private identity record" in the spec: version || Ed25519 seed || X25519 key. */
export const DEVICE_IDENTITY_RECORD_VERSION = 0x01;
const DEVICE_IDENTITY_RECORD_LENGTH = 1 + 32 + 32;

/** Serialises the private identity for at-rest storage (seal it with sealRecord). */
export function exportDeviceIdentity(identity: DeviceIdentity): SecretBytes {
  const out = new Uint8Array(DEVICE_IDENTITY_RECORD_LENGTH);
  out[0] = DEVICE_IDENTITY_RECORD_VERSION;
  out.set(identity.signing.privateKey.exposeBytes(), 1);
  out.set(identity.agreement.privateKey.exposeBytes(), 33);
  return new SecretBytes(out, 'device identity record');
}

export async function importDeviceIdentity(record: KeyBytes): Promise<DeviceIdentity> {
  const bytes = keyBytes(record, 'device identity record');
  if (bytes.length < 1) throw new CryptoError('bad_length', 'the device identity record is empty');
  const version = bytes[0] as number;
  if (version !== DEVICE_IDENTITY_RECORD_VERSION) {
    const code = version < DEVICE_IDENTITY_RECORD_VERSION ? 'version_too_old' : 'unknown_version';
    throw new CryptoError(code, `device identity record version ${version} is not accepted`);
  }
  expectBytes(bytes, 'device identity record', DEVICE_IDENTITY_RECORD_LENGTH);
  const [signing, agreement] = await Promise.all([
    ed25519KeyPairFromSeed(bytes.subarray(1, 33)),
    x25519KeyPairFromPrivateKey(bytes.subarray(33, 65)),
  ]);
  return { signing, agreement };
}

/**
 * Fingerprint derivation, after Signal's NumericFingerprintGenerator (version 0 there), with our
 * own version, label and key layout ("Fingerprint" in docs/protocol/crypto.md):
 *   KEYS = signingKey(32) || agreementKey(32)
 *   H_0  = u16be(FINGERPRINT_VERSION) || "OpenDescent-Fingerprint" || KEYS || u16be(len ID) || ID
 *   H_i  = SHA-512(H_{i-1} || KEYS)  for i = 1 .. 5200
 *   fingerprint = 6 groups of 5 digits from H_5200[0..30): each 5-byte group read big-endian,
 *                 mod 100000, zero-padded.
 * The 5,200 iterations are Signal's: they make a second preimage of a displayed number costlier.
 */
export const FINGERPRINT_VERSION = 1;
export const FINGERPRINT_ITERATIONS = 5200;
const FINGERPRINT_LABEL = 'OpenDescent-Fingerprint';
const MAX_STABLE_ID_BYTES = 1024;

function fingerprintBytes(subject: FingerprintSubject): Uint8Array {
  const signingKey = expectBytes(subject.identity.signingKey, 'fingerprint: signing key', 32);
  const agreementKey = expectBytes(subject.identity.agreementKey, 'fingerprint: agreement key', 32);
  if (typeof subject.stableId !== 'string' || subject.stableId.length === 0) {
    throw new CryptoError('bad_parameter', 'fingerprint: stableId must be a non-empty string');
  }
  const id = utf8Encode(subject.stableId);
  if (id.length > MAX_STABLE_ID_BYTES) {
    throw new CryptoError('bad_length', `fingerprint: stableId is over ${MAX_STABLE_ID_BYTES} bytes`);
  }
  const keys = new Uint8Array(64);
  keys.set(signingKey, 0);
  keys.set(agreementKey, 32);
  let hash = sha512(
    concatBytes(uintBE(FINGERPRINT_VERSION, 2), utf8Encode(FINGERPRINT_LABEL), keys, uintBE(id.length, 2), id, keys),
  );
  // H_i = SHA-512(H_{i-1} || KEYS): one reused 128-byte buffer, since this loop is the whole cost.
  const block = new Uint8Array(128);
  block.set(keys, 64);
  for (let i = 1; i < FINGERPRINT_ITERATIONS; i++) {
    block.set(hash, 0);
    hash = sha512(block);
  }
  return hash.subarray(0, 30);
}

function digits(bytes: Uint8Array): string {
  let out = '';
  for (let offset = 0; offset < bytes.length; offset += 5) {
    let chunk = 0;
    // 5 bytes = 40 bits, exact in a double (< 2^53).
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + (bytes[offset + i] as number);
    out += String(chunk % 100_000).padStart(5, '0');
  }
  return out;
}

/** The 30-digit fingerprint of one device. */
export function fingerprint(subject: FingerprintSubject): string {
  return digits(fingerprintBytes(subject));
}

/**
 * The 60-digit safety number of two devices: both fingerprints, the numerically smaller first
 * (Signal's DisplayableFingerprint), so both sides compute the same number whatever the order.
 */
export function safetyNumber(a: FingerprintSubject, b: FingerprintSubject): string {
  const first = fingerprint(a);
  const second = fingerprint(b);
  return first <= second ? first + second : second + first;
}

/** "12345 67890 ..." : twelve groups of five, as people read them aloud. */
export function formatSafetyNumber(safety: string): string {
  if (!/^\d{60}$/.test(safety)) throw new CryptoError('bad_parameter', 'a safety number is 60 digits');
  return (safety.match(/\d{5}/g) ?? []).join(' ');
}
