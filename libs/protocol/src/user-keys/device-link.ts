import { constantTimeEqual, randomBytes, SecretBytes, sha256 } from '@opendescent/crypto';
import { DEVICE_ID_LENGTH, PUBLIC_KEY_LENGTH, type DeviceAttestation } from '../attestation';
import { decodeBase32, encodeBase32 } from '../encoding';
import { ProtocolError } from '../errors';
import { ORG_ID_LENGTH } from '../org-key';
import { domainSeparated } from '../signing-input';
import { openUserKeyFrame, USER_KEY_TYPES, userKeyFrameWriter, type UserKeyFormat } from './frame';
import { checkSymbols } from './typed-code-check';

/**
 * The device-link offer (docs/protocol/user-keys.md §3): what a NEW device shows so that one of
 * its person's existing devices can approve it. It commits to the new device's keys (so a device
 * whose keys were swapped on the way, by the admin app or the directory, is not approved) and
 * carries a link secret (so only the device that saw it can send the approval back, §4). Shown as
 * a QR code (the bytes, §3.1) and as a code to type (§3.2).
 */
export const DEVICE_LINK_OFFER_VERSION = 1;
export const DEVICE_LINK_OFFER_TYPE = USER_KEY_TYPES.deviceLinkOffer;
export const DEVICE_LINK_COMMITMENT_LENGTH = 32;
/** §3.2: 64 bits, the same in both forms, so the transfer's key does not depend on how it was read. */
export const DEVICE_LINK_SECRET_LENGTH = 8;
/** §3.2: the typed code carries the first 80 bits of the commitment. */
export const DEVICE_LINK_CODE_COMMITMENT_LENGTH = 10;
export const DEVICE_LINK_OFFER_BYTES =
  2 + ORG_ID_LENGTH + DEVICE_ID_LENGTH + DEVICE_LINK_COMMITMENT_LENGTH + DEVICE_LINK_SECRET_LENGTH;
/** Characters of a typed code, without its grouping: version, 29 of payload, 2 check characters. */
export const DEVICE_LINK_CODE_LENGTH = 32;
/** Longest text parseDeviceLinkCode reads (grouping and stray spaces included), refused before any work. */
export const MAX_DEVICE_LINK_CODE_CHARS = 128;

const FORMAT: UserKeyFormat = {
  what: 'device link offer',
  version: DEVICE_LINK_OFFER_VERSION,
  type: DEVICE_LINK_OFFER_TYPE,
  maxBytes: DEVICE_LINK_OFFER_BYTES,
};
const COMMITMENT_LABEL = 'OpenDescent device link commitment v1';
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PAYLOAD_CHARS = 29;
const GROUP = 4;

/** The attested device an offer is about: the fields of its attestation that the commitment binds. */
export type LinkedDevice = Pick<DeviceAttestation, 'orgId' | 'deviceId' | 'signingKey' | 'agreementKey'>;

/** The whole offer: what the new device makes and keeps, and what its QR code carries. */
export interface DeviceLinkOffer {
  readonly form: 'offer';
  readonly orgId: Uint8Array;
  readonly deviceId: Uint8Array;
  /** deviceLinkCommitment of the new device (§3.1). */
  readonly keyCommitment: Uint8Array;
  readonly linkSecret: SecretBytes;
}

/** What a typed code carries (§3.2): the commitment's first 10 bytes and the link secret. */
export interface DeviceLinkCodeOffer {
  readonly form: 'code';
  readonly keyCommitment: Uint8Array;
  readonly linkSecret: SecretBytes;
}

/** What the approving device holds, scanned or typed. */
export type ReceivedDeviceLinkOffer = DeviceLinkOffer | DeviceLinkCodeOffer;

/**
 * §3.1: `SHA-256(label ‖ 0x00 ‖ org id ‖ device id ‖ signing key ‖ agreement key)`: the device as
 * its attestation names it, every field fixed-length, so the input is unambiguous.
 */
export function deviceLinkCommitment(device: LinkedDevice): Uint8Array {
  const fixed = (value: Uint8Array, length: number, field: string) => {
    if (!(value instanceof Uint8Array) || value.length !== length)
      throw new ProtocolError('malformed', `device link offer: ${field} must be ${length} bytes`);
    return value;
  };
  return sha256(
    domainSeparated(
      COMMITMENT_LABEL,
      fixed(device.orgId, ORG_ID_LENGTH, 'orgId'),
      fixed(device.deviceId, DEVICE_ID_LENGTH, 'deviceId'),
      fixed(device.signingKey, PUBLIC_KEY_LENGTH, 'signingKey'),
      fixed(device.agreementKey, PUBLIC_KEY_LENGTH, 'agreementKey'),
    ),
  );
}

/** The new device's offer, with a fresh link secret; show it, keep it until the transfer arrives, then drop it. */
export function makeDeviceLinkOffer(device: LinkedDevice): DeviceLinkOffer {
  return {
    form: 'offer',
    orgId: device.orgId.slice(),
    deviceId: device.deviceId.slice(),
    keyCommitment: deviceLinkCommitment(device),
    linkSecret: new SecretBytes(randomBytes(DEVICE_LINK_SECRET_LENGTH), 'device link secret'),
  };
}

/** The QR code's bytes (§3.1). They contain the link secret: show them, never send or log them. */
export function encodeDeviceLinkOffer(offer: DeviceLinkOffer): Uint8Array {
  return userKeyFrameWriter(FORMAT)
    .raw(offer.orgId, ORG_ID_LENGTH)
    .raw(offer.deviceId, DEVICE_ID_LENGTH)
    .raw(offer.keyCommitment, DEVICE_LINK_COMMITMENT_LENGTH)
    .raw(offer.linkSecret.exposeBytes(), DEVICE_LINK_SECRET_LENGTH)
    .finish();
}

/** Reads a scanned QR code's bytes (§3.1), strictly. */
export function decodeDeviceLinkOffer(input: unknown): DeviceLinkOffer {
  const { reader } = openUserKeyFrame(input, FORMAT);
  const orgId = reader.raw(ORG_ID_LENGTH, 'orgId');
  const deviceId = reader.raw(DEVICE_ID_LENGTH, 'deviceId');
  const keyCommitment = reader.raw(DEVICE_LINK_COMMITMENT_LENGTH, 'keyCommitment');
  const secret = reader.raw(DEVICE_LINK_SECRET_LENGTH, 'linkSecret');
  reader.end();
  return { form: 'offer', orgId, deviceId, keyCommitment, linkSecret: new SecretBytes(secret, 'device link secret') };
}

/**
 * The code to type (§3.2): `version ‖ base32(commitment[0..10] ‖ secret) ‖ 2 check characters`,
 * 32 characters in groups of four joined by dashes.
 */
export function deviceLinkCode(offer: DeviceLinkOffer): string {
  const payload = new Uint8Array(DEVICE_LINK_CODE_COMMITMENT_LENGTH + DEVICE_LINK_SECRET_LENGTH);
  payload.set(offer.keyCommitment.subarray(0, DEVICE_LINK_CODE_COMMITMENT_LENGTH), 0);
  payload.set(offer.linkSecret.exposeBytes(), DEVICE_LINK_CODE_COMMITMENT_LENGTH);
  const data = [DEVICE_LINK_OFFER_VERSION, ...symbolsOf(encodeBase32(payload))];
  payload.fill(0);
  const text = [...data, ...checkSymbols(data)].map((symbol) => BASE32_ALPHABET.charAt(symbol)).join('');
  return (text.match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? []).join('-');
}

/**
 * Reads a typed code (§3.2): case-insensitive, ASCII spaces and dashes ignored. A typo is refused
 * (`malformed`), never read as another code: the check characters catch every change of one or
 * two characters. A code of another version is `version_too_old` or `version_unknown`.
 */
export function parseDeviceLinkCode(text: unknown): DeviceLinkCodeOffer {
  const bad = (why: string) => new ProtocolError('malformed', `device link code: ${why}`);
  if (typeof text !== 'string') throw bad('expected a string');
  if (text.length > MAX_DEVICE_LINK_CODE_CHARS)
    throw new ProtocolError('oversized', `device link code: over ${MAX_DEVICE_LINK_CODE_CHARS} characters`);
  // ASCII only before folding case: 'ß'.toUpperCase() is 'SS', 'ı' becomes 'I'; a typed letter
  // outside the alphabet must be refused, never turned into one inside it.
  if (!/^[\x20-\x7e]*$/.test(text)) throw bad('only ASCII letters, digits 2-7, spaces and dashes');
  const compact = text.replace(/[ -]/g, '').toUpperCase();
  if (compact.length !== DEVICE_LINK_CODE_LENGTH) throw bad(`expected ${DEVICE_LINK_CODE_LENGTH} characters`);
  if (!/^[A-Z2-7]+$/.test(compact)) throw bad('only the letters A-Z and the digits 2-7');
  const symbols = symbolsOf(compact);
  const data = symbols.slice(0, 1 + PAYLOAD_CHARS);
  const [first, second] = checkSymbols(data);
  // The check characters are public (derived from what was typed): an ordinary comparison will do.
  if (symbols[30] !== first || symbols[31] !== second) throw bad('a character is wrong (the check does not match)');
  const version = data[0] as number;
  if (version < DEVICE_LINK_OFFER_VERSION)
    throw new ProtocolError('version_too_old', `device link code: version ${version} is no longer accepted`);
  if (version > DEVICE_LINK_OFFER_VERSION)
    throw new ProtocolError('version_unknown', `device link code: version ${version} is newer than this code knows`);
  const payload = decodeBase32(compact.slice(1, 1 + PAYLOAD_CHARS));
  return {
    form: 'code',
    keyCommitment: payload.slice(0, DEVICE_LINK_CODE_COMMITMENT_LENGTH),
    linkSecret: new SecretBytes(payload.slice(DEVICE_LINK_CODE_COMMITMENT_LENGTH), 'device link secret'),
  };
}

/**
 * That the offer names this attested device (§3.3 step 3): its commitment, all 32 bytes from a QR
 * code or the typed 10, equals the one recomputed from the attestation. Compared in constant time.
 */
export function offerMatchesAttestation(offer: ReceivedDeviceLinkOffer, attestation: LinkedDevice): boolean {
  const expected = deviceLinkCommitment(attestation);
  const length = offer.form === 'code' ? DEVICE_LINK_CODE_COMMITMENT_LENGTH : DEVICE_LINK_COMMITMENT_LENGTH;
  return constantTimeEqual(offer.keyCommitment, expected.subarray(0, length));
}

function symbolsOf(text: string): number[] {
  return Array.from(text, (character) => BASE32_ALPHABET.indexOf(character));
}
