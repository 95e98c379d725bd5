import {
  constantTimeEqual,
  PERSON_FINGERPRINT_LENGTH,
  personFingerprintBytes,
  personSafetyNumber as personSafetyNumberOfKeys,
} from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { addressProblem } from '../identifiers';
import { USER_KEY_LENGTH } from './device-certificate';
import { openUserKeyFrame, USER_KEY_TYPES, userKeyFrameWriter, type UserKeyFormat } from './frame';

/**
 * Safety numbers per person (docs/protocol/user-keys.md §5): one number per contact, over the two
 * people's user keys and addresses (crypto.md §2.3), whatever devices either has; and the QR code
 * two people scan instead of reading 60 digits aloud. A device's number (crypto.md §2.2) is no
 * longer what people compare: devices are vouched for by certificates under the user key.
 */
export const PERSON_SAFETY_QR_VERSION = 1;
export const PERSON_SAFETY_QR_TYPE = USER_KEY_TYPES.personSafetyQr;
export const PERSON_SAFETY_QR_BYTES = 2 + 2 * PERSON_FINGERPRINT_LENGTH;

const FORMAT: UserKeyFormat = {
  what: 'person safety QR code',
  version: PERSON_SAFETY_QR_VERSION,
  type: PERSON_SAFETY_QR_TYPE,
  maxBytes: PERSON_SAFETY_QR_BYTES,
};

/** A person as a safety number sees them. */
export interface SafetyNumberPerson {
  /** In the address profile (identifiers.md §2), as their attestations and certificates state it. */
  readonly address: string;
  /** Their Ed25519 user public key, as this device pins it. */
  readonly userKey: Uint8Array;
}

/** The 60-digit number of two people, the same on both sides (show it with formatSafetyNumber). */
export function personSafetyNumber(a: SafetyNumberPerson, b: SafetyNumberPerson): string {
  return personSafetyNumberOfKeys(checked(a), checked(b));
}

/**
 * The QR code a device shows (§5.2): `version ‖ type ‖ our fingerprint ‖ theirs`, the shower's
 * first, so a code read back to the one who shows it (a photo of one's own screen) never matches.
 */
export function personSafetyQr(ours: SafetyNumberPerson, theirs: SafetyNumberPerson): Uint8Array {
  return userKeyFrameWriter(FORMAT)
    .raw(personFingerprintBytes(checked(ours)), PERSON_FINGERPRINT_LENGTH)
    .raw(personFingerprintBytes(checked(theirs)), PERSON_FINGERPRINT_LENGTH)
    .finish();
}

/** Reads a scanned code strictly: the fingerprint of the person who shows it, then the other's. */
export function decodePersonSafetyQr(input: unknown): { shown: Uint8Array; other: Uint8Array } {
  const { reader } = openUserKeyFrame(input, FORMAT);
  const shown = reader.raw(PERSON_FINGERPRINT_LENGTH, 'shown fingerprint');
  const other = reader.raw(PERSON_FINGERPRINT_LENGTH, 'other fingerprint');
  reader.end();
  return { shown, other };
}

/**
 * That a scanned code is the contact's view of the same two user keys (§5.2): the fingerprint it
 * shows first is the one we hold for them, and the second is ours. `expected` is the code this
 * device shows for the pair (personSafetyQr). False for another person, another key, and our own
 * code read back; a code that does not decode is a ProtocolError, never true.
 */
export function comparePersonSafetyQr(scanned: unknown, expected: Uint8Array): boolean {
  const theirs = decodePersonSafetyQr(scanned);
  const ours = decodePersonSafetyQr(expected);
  // Both compared whatever the first gives, so the answer's timing says nothing about which differed.
  const first = constantTimeEqual(theirs.shown, ours.other);
  const second = constantTimeEqual(theirs.other, ours.shown);
  return first && second;
}

function checked(person: SafetyNumberPerson): SafetyNumberPerson {
  const problem = addressProblem(person.address);
  if (problem) throw new ProtocolError('malformed', `safety number: address ${problem}`);
  if (!(person.userKey instanceof Uint8Array) || person.userKey.length !== USER_KEY_LENGTH)
    throw new ProtocolError('malformed', `safety number: a user key is ${USER_KEY_LENGTH} bytes`);
  return person;
}
