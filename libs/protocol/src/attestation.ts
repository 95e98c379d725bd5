import { utf8Encode, type ByteReader, type Ed25519PrivateKey } from '@opendescent/crypto';
import { expectBytesInput, protocolReader, protocolWriter } from './wire-bytes';
import { ProtocolError } from './errors';
import { addressProblem, displayNameProblem, MAX_ADDRESS_BYTES, MAX_DISPLAY_NAME_BYTES } from './identifiers';
import {
  ORG_ID_LENGTH,
  ORG_KEY_ID_LENGTH,
  orgKeyId,
  signWithOrgKey,
  type TrustedOrgKey,
  verifyOrgSignature,
} from './org-key';

/**
 * The device attestation (docs/protocol/attestations.md §2): the organisation's signed statement
 * that a device with these public keys belongs to this staff member, for a short time. Relays
 * check it offline before letting a device in; clients check it before trusting a device.
 */
export const ATTESTATION_VERSION = 1;
export const ATTESTATION_TYPE = 0x01;
export const DEVICE_ID_LENGTH = 16;
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
/** Attestations are short-lived so that a lost device falls out even if a list is missed (§2.3). */
export const MAX_ATTESTATION_LIFETIME_SECONDS = 31 * 24 * 3600;
/** Clock skew tolerated between the admin app and a verifier (§2.3). */
export const ALLOWED_CLOCK_SKEW_SECONDS = 300;
export const MAX_ATTESTATION_BYTES =
  2 +
  ORG_ID_LENGTH +
  ORG_KEY_ID_LENGTH +
  DEVICE_ID_LENGTH +
  2 * PUBLIC_KEY_LENGTH +
  8 +
  2 +
  MAX_ADDRESS_BYTES +
  MAX_DISPLAY_NAME_BYTES +
  SIGNATURE_LENGTH;

const SIGNATURE_LABEL = 'OpenDescent device attestation v1';

export interface DeviceAttestation {
  readonly orgId: Uint8Array;
  /** Which organisation key signed it (first 8 bytes of SHA-256 of its public key). */
  readonly orgKeyId: Uint8Array;
  readonly deviceId: Uint8Array;
  /** The staff member's address, in the address profile (identifiers.md §2): the directory's exact-match key. */
  readonly userAddress: string;
  /** Shows all it contains: no invisible, bidi-control or unassigned code point (identifiers.md §3). */
  readonly displayName: string;
  /** The device's Ed25519 identity (signing) public key. */
  readonly signingKey: Uint8Array;
  /** The device's X25519 identity (key agreement) public key. */
  readonly agreementKey: Uint8Array;
  /** Unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type AttestationFields = Omit<DeviceAttestation, 'orgKeyId'>;

export async function signAttestation(fields: AttestationFields, orgKey: Ed25519PrivateKey): Promise<Uint8Array> {
  const attestation: DeviceAttestation = { ...fields, orgKeyId: orgKeyId(orgKey.publicKey) };
  const body = encodeBody(attestation);
  const signature = await signWithOrgKey(SIGNATURE_LABEL, body, orgKey);
  return protocolWriter().raw(body).raw(signature, SIGNATURE_LENGTH).finish();
}

/** Parses without checking the signature or the validity period: use verifyAttestation to trust it. */
export function decodeAttestation(input: unknown): {
  attestation: DeviceAttestation;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const bytes = expectBytesInput(input, 'attestation', MAX_ATTESTATION_BYTES);
  const reader = protocolReader(bytes, 'attestation');
  readVersionAndType(reader);
  const orgId = reader.raw(ORG_ID_LENGTH, 'orgId');
  const keyId = reader.raw(ORG_KEY_ID_LENGTH, 'orgKeyId');
  const deviceId = reader.raw(DEVICE_ID_LENGTH, 'deviceId');
  const signingKey = reader.raw(PUBLIC_KEY_LENGTH, 'signingKey');
  const agreementKey = reader.raw(PUBLIC_KEY_LENGTH, 'agreementKey');
  const issuedAt = reader.u32('issuedAt');
  const expiresAt = reader.u32('expiresAt');
  const userAddress = reader.utf8(reader.u8('userAddress length'), 'userAddress');
  const displayName = reader.utf8(reader.u8('displayName length'), 'displayName');
  const bodyLength = reader.offset;
  const signature = reader.raw(SIGNATURE_LENGTH, 'signature');
  reader.end();
  const attestation: DeviceAttestation = {
    orgId,
    orgKeyId: keyId,
    deviceId,
    userAddress,
    displayName,
    signingKey,
    agreementKey,
    issuedAt,
    expiresAt,
  };
  checkFields(attestation);
  return { attestation, body: bytes.slice(0, bodyLength), signature };
}

export interface AttestationCheck {
  /** The organisation keys this verifier pins (several during a rotation). */
  readonly trusted: readonly TrustedOrgKey[];
  /** The verifier's clock, in Unix seconds: passed in, never read here. */
  readonly now: number;
}

/**
 * Decodes and checks an attestation: layout, signature by a trusted organisation key, validity
 * period. Revocation is checked separately against the current revocation list.
 */
export async function verifyAttestation(input: unknown, check: AttestationCheck): Promise<DeviceAttestation> {
  const { attestation, body, signature } = decodeAttestation(input);
  await verifyOrgSignature(
    'attestation',
    SIGNATURE_LABEL,
    body,
    signature,
    attestation.orgId,
    attestation.orgKeyId,
    check.trusted,
  );
  if (check.now + ALLOWED_CLOCK_SKEW_SECONDS < attestation.issuedAt) {
    throw new ProtocolError('not_yet_valid', 'attestation: issued in the future');
  }
  if (check.now >= attestation.expiresAt) throw new ProtocolError('expired', 'attestation: expired');
  return attestation;
}

function encodeBody(a: DeviceAttestation): Uint8Array {
  checkFields(a);
  const address = utf8Encode(a.userAddress);
  const name = utf8Encode(a.displayName);
  return protocolWriter()
    .u8(ATTESTATION_VERSION)
    .u8(ATTESTATION_TYPE)
    .raw(a.orgId, ORG_ID_LENGTH)
    .raw(a.orgKeyId, ORG_KEY_ID_LENGTH)
    .raw(a.deviceId, DEVICE_ID_LENGTH)
    .raw(a.signingKey, PUBLIC_KEY_LENGTH)
    .raw(a.agreementKey, PUBLIC_KEY_LENGTH)
    .u32(a.issuedAt)
    .u32(a.expiresAt)
    .u8(address.length)
    .raw(address)
    .u8(name.length)
    .raw(name)
    .finish();
}

function readVersionAndType(reader: ByteReader): void {
  const version = reader.u8('version');
  if (version < ATTESTATION_VERSION)
    throw new ProtocolError('version_too_old', `attestation: version ${version} is no longer accepted`);
  if (version > ATTESTATION_VERSION)
    throw new ProtocolError('version_unknown', `attestation: version ${version} is newer than this code knows`);
  if (reader.u8('type') !== ATTESTATION_TYPE)
    throw new ProtocolError('malformed', 'attestation: not an attestation (type byte)');
}

/**
 * The rules of attestations.md §2.2, applied on encode and on decode alike: a verifier refuses a
 * spoofed name even under a valid signature, so no client displays one.
 */
function checkFields(a: DeviceAttestation): void {
  const bad = (why: string) => new ProtocolError('malformed', `attestation: ${why}`);
  const addressWrong = addressProblem(a.userAddress);
  if (addressWrong) throw bad(`userAddress ${addressWrong}`);
  const nameWrong = displayNameProblem(a.displayName);
  if (nameWrong) throw bad(`displayName ${nameWrong}`);
  if (a.expiresAt <= a.issuedAt) throw bad('expiresAt must be after issuedAt');
  if (a.expiresAt - a.issuedAt > MAX_ATTESTATION_LIFETIME_SECONDS) throw bad('validity longer than 31 days');
}
