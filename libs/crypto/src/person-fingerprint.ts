/**
 * The person fingerprint and the per-person safety number (docs/protocol/crypto.md §2.3): the
 * device fingerprint's construction (§2.1, after Signal's NumericFingerprintGenerator) applied
 * to a person's user key and address, so two people compare one number per contact however many
 * devices each has. Its own label makes every input differ from every device-fingerprint input
 * (at byte 14, `P` against `F`), so a person number and a device number are never the same
 * computation and a screen can never pass one off as the other.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, expectBytes, uintBE, utf8Encode } from './bytes';
import { ED25519_PUBLIC_KEY_LENGTH } from './ed25519';
import { CryptoError } from './errors';

/** A person as a safety number sees them: the user key and the address it belongs to. */
export interface PersonFingerprintSubject {
  /** The person's Ed25519 user public key (the one their device certificates are signed with). */
  readonly userKey: Uint8Array;
  /** The person's address, as their attestations and certificates state it. */
  readonly address: string;
}

export const PERSON_FINGERPRINT_VERSION = 1;
/** Bytes of a person fingerprint: the first 30 of the last SHA-512 (crypto.md §2.3). */
export const PERSON_FINGERPRINT_LENGTH = 30;
/** As for devices (§2.1): Signal's count, to make a search for a matching number costlier. */
const ITERATIONS = 5200;
const LABEL = 'OpenDescent-Person-Fingerprint';
const MAX_ADDRESS_BYTES = 1024;

/**
 * The 30 bytes behind a person's number: what a comparison QR code carries (the 30 digits are
 * these bytes shortened for reading aloud).
 *   H_0 = u16be(1) ‖ "OpenDescent-Person-Fingerprint" ‖ UK ‖ u16be(len A) ‖ A
 *   H_i = SHA-512(H_(i-1) ‖ UK)   for i = 1 .. 5200
 */
export function personFingerprintBytes(subject: PersonFingerprintSubject): Uint8Array {
  const userKey = expectBytes(subject.userKey, 'person fingerprint: user key', ED25519_PUBLIC_KEY_LENGTH);
  if (typeof subject.address !== 'string' || subject.address.length === 0) {
    throw new CryptoError('bad_parameter', 'person fingerprint: the address must be a non-empty string');
  }
  const address = utf8Encode(subject.address);
  if (address.length > MAX_ADDRESS_BYTES) {
    throw new CryptoError('bad_length', `person fingerprint: the address is over ${MAX_ADDRESS_BYTES} bytes`);
  }
  let hash = sha512(
    concatBytes(
      uintBE(PERSON_FINGERPRINT_VERSION, 2),
      utf8Encode(LABEL),
      userKey,
      uintBE(address.length, 2),
      address,
      userKey,
    ),
  );
  // One reused 96-byte block (H ‖ UK): this loop is the whole cost.
  const block = new Uint8Array(64 + ED25519_PUBLIC_KEY_LENGTH);
  block.set(userKey, 64);
  for (let i = 1; i < ITERATIONS; i++) {
    block.set(hash, 0);
    hash = sha512(block);
  }
  return hash.slice(0, PERSON_FINGERPRINT_LENGTH);
}

/** The 30-digit fingerprint of one person. */
export function personFingerprint(subject: PersonFingerprintSubject): string {
  return fingerprintDigits(personFingerprintBytes(subject));
}

/**
 * The 60-digit safety number of two people: both person fingerprints, the smaller first, so both
 * compute the same number (as for devices, §2.2). Shown with formatSafetyNumber.
 */
export function personSafetyNumber(a: PersonFingerprintSubject, b: PersonFingerprintSubject): string {
  const first = personFingerprint(a);
  const second = personFingerprint(b);
  return first <= second ? first + second : second + first;
}

/**
 * `digits` of crypto.md §2.1, as identity.ts computes it for devices: each 5-byte group read
 * big-endian, mod 100,000, five digits with leading zeros.
 */
function fingerprintDigits(bytes: Uint8Array): string {
  let out = '';
  for (let offset = 0; offset < bytes.length; offset += 5) {
    let chunk = 0;
    // 5 bytes = 40 bits, exact in a double (< 2^53).
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + (bytes[offset + i] as number);
    out += String(chunk % 100_000).padStart(5, '0');
  }
  return out;
}
