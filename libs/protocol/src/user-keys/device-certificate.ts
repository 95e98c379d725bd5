import { constantTimeEqual, ed25519Sign, ed25519Verify, utf8Encode, type Ed25519PrivateKey } from '@opendescent/crypto';
import { DEVICE_ID_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, type DeviceAttestation } from '../attestation';
import { ProtocolError } from '../errors';
import { addressProblem, MAX_ADDRESS_BYTES } from '../identifiers';
import { ORG_ID_LENGTH } from '../org-key';
import { domainSeparated } from '../signing-input';
import { protocolWriter } from '../wire-bytes';
import { openUserKeyFrame, USER_KEY_TYPES, userKeyFrameWriter, type UserKeyFormat } from './frame';

/**
 * The device certificate (docs/protocol/user-keys.md §2): the user key's signature that a device,
 * with these keys, belongs to this person. The organisation's attestation says a device is staff;
 * the certificate says the person approved it from one of their own devices. A peer accepts a
 * contact's device only with both (§2.3), so the admin app alone can no longer add a device that
 * reads a conversation (issue 13; DESIGN.md threat model, A3).
 */
export const DEVICE_CERTIFICATE_VERSION = 1;
export const DEVICE_CERTIFICATE_TYPE = USER_KEY_TYPES.deviceCertificate;
export const USER_KEY_LENGTH = PUBLIC_KEY_LENGTH;
export const MAX_DEVICE_CERTIFICATE_BYTES =
  2 +
  ORG_ID_LENGTH +
  USER_KEY_LENGTH +
  DEVICE_ID_LENGTH +
  2 * PUBLIC_KEY_LENGTH +
  4 +
  1 +
  MAX_ADDRESS_BYTES +
  SIGNATURE_LENGTH;

const FORMAT: UserKeyFormat = {
  what: 'device certificate',
  version: DEVICE_CERTIFICATE_VERSION,
  type: DEVICE_CERTIFICATE_TYPE,
  maxBytes: MAX_DEVICE_CERTIFICATE_BYTES,
};
const SIGNATURE_LABEL = 'OpenDescent device certificate v1';

export interface DeviceCertificate {
  readonly orgId: Uint8Array;
  /** The person's address, in the address profile (identifiers.md §2). */
  readonly userAddress: string;
  /** The Ed25519 user public key that signed the certificate. */
  readonly userKey: Uint8Array;
  readonly deviceId: Uint8Array;
  /** The device's Ed25519 identity public key, as its attestation names it. */
  readonly signingKey: Uint8Array;
  /** The device's X25519 identity public key, as its attestation names it. */
  readonly agreementKey: Uint8Array;
  /** Unix seconds: when the person approved the device (shown, and ordered in the log). */
  readonly issuedAt: number;
}

/** The user key comes from the private key that signs. */
export type DeviceCertificateFields = Omit<DeviceCertificate, 'userKey'>;

/**
 * Signs a certificate with the user key. The approving device takes the device id and both keys
 * from the new device's verified attestation, and the organisation and address from its own
 * identity (never from the attestation): then a certificate made for someone else's device
 * cannot match that device's attestation (§3.3 step 4).
 */
export async function signDeviceCertificate(
  fields: DeviceCertificateFields,
  userPrivateKey: Ed25519PrivateKey,
): Promise<Uint8Array> {
  const certificate: DeviceCertificate = { ...fields, userKey: userPrivateKey.publicKey };
  const problem = addressProblem(certificate.userAddress);
  if (problem) throw new ProtocolError('malformed', `device certificate: userAddress ${problem}`);
  const address = utf8Encode(certificate.userAddress);
  // The writer refuses, as 'malformed', a field of the wrong length and an issue time that is not a u32.
  const body = userKeyFrameWriter(FORMAT)
    .raw(certificate.orgId, ORG_ID_LENGTH)
    .raw(certificate.userKey, USER_KEY_LENGTH)
    .raw(certificate.deviceId, DEVICE_ID_LENGTH)
    .raw(certificate.signingKey, PUBLIC_KEY_LENGTH)
    .raw(certificate.agreementKey, PUBLIC_KEY_LENGTH)
    .u32(certificate.issuedAt)
    .u8(address.length)
    .raw(address)
    .finish();
  const signature = await ed25519Sign(userPrivateKey, domainSeparated(SIGNATURE_LABEL, body));
  return protocolWriter().raw(body).raw(signature, SIGNATURE_LENGTH).finish();
}

/** Parses strictly, without checking the signature: verifyDeviceCertificate is how a device trusts one. */
export function decodeDeviceCertificate(input: unknown): {
  certificate: DeviceCertificate;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const { bytes, reader } = openUserKeyFrame(input, FORMAT);
  const orgId = reader.raw(ORG_ID_LENGTH, 'orgId');
  const userKey = reader.raw(USER_KEY_LENGTH, 'userKey');
  const deviceId = reader.raw(DEVICE_ID_LENGTH, 'deviceId');
  const signingKey = reader.raw(PUBLIC_KEY_LENGTH, 'signingKey');
  const agreementKey = reader.raw(PUBLIC_KEY_LENGTH, 'agreementKey');
  const issuedAt = reader.u32('issuedAt');
  const userAddress = reader.utf8(reader.u8('userAddress length'), 'userAddress');
  const bodyLength = reader.offset;
  const signature = reader.raw(SIGNATURE_LENGTH, 'signature');
  reader.end();
  // Checked at decode too: a certificate naming a spoofed address is refused under a valid signature.
  const problem = addressProblem(userAddress);
  if (problem) throw new ProtocolError('malformed', `device certificate: userAddress ${problem}`);
  return {
    certificate: { orgId, userAddress, userKey, deviceId, signingKey, agreementKey, issuedAt },
    body: bytes.slice(0, bodyLength),
    signature,
  };
}

export interface DeviceCertificateCheck {
  /** The person's user key as this verifier pins it (its own, or a contact's). */
  readonly userKey: Uint8Array;
  /**
   * The device's attestation, already verified by the caller (verifyAttestation: organisation
   * signature and validity; the revocation list is the caller's too).
   */
  readonly attestation: DeviceAttestation;
}

/**
 * Decodes and checks a certificate (user-keys.md §2.3): that it names the pinned user key (else
 * `unknown_signer`: the person's user key changed, or someone else made it), that its signature
 * verifies under that key (else `bad_signature`), and that it is about exactly this attested
 * device: organisation, address, device id and both keys (else `mismatch`).
 */
export async function verifyDeviceCertificate(
  input: unknown,
  check: DeviceCertificateCheck,
): Promise<DeviceCertificate> {
  const certificate = await verifyDeviceCertificateSignature(input, check.userKey);
  const { attestation } = check;
  const differs = (field: string) =>
    new ProtocolError('mismatch', `device certificate: names ${field} than the attestation it is checked against`);
  if (!constantTimeEqual(certificate.orgId, attestation.orgId)) throw differs('another organisation');
  if (certificate.userAddress !== attestation.userAddress) throw differs('another user');
  if (!constantTimeEqual(certificate.deviceId, attestation.deviceId)) throw differs('another device');
  if (!constantTimeEqual(certificate.signingKey, attestation.signingKey)) throw differs('other keys');
  if (!constantTimeEqual(certificate.agreementKey, attestation.agreementKey)) throw differs('other keys');
  return certificate;
}

/**
 * The signature half of verifyDeviceCertificate: for the certificates a device link transfer
 * lists (§4.2), whose attestations the new device does not hold yet.
 */
export async function verifyDeviceCertificateSignature(
  input: unknown,
  userKey: Uint8Array,
): Promise<DeviceCertificate> {
  const { certificate, body, signature } = decodeDeviceCertificate(input);
  if (!(userKey instanceof Uint8Array) || !constantTimeEqual(certificate.userKey, userKey))
    throw new ProtocolError('unknown_signer', 'device certificate: signed by a user key this verifier does not pin');
  if (!(await ed25519Verify(userKey, domainSeparated(SIGNATURE_LABEL, body), signature)))
    throw new ProtocolError('bad_signature', 'device certificate: the user key signature does not verify');
  return certificate;
}
