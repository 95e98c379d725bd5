import {
  concatBytes,
  constantTimeEqual,
  ed25519KeyPairFromSeed,
  generateX25519KeyPair,
  hkdfSha256,
  isCryptoError,
  open,
  seal,
  SEAL_OVERHEAD,
  x25519SharedSecret,
  type Ed25519KeyPair,
  type Ed25519PrivateKey,
  type X25519PrivateKey,
} from '@opendescent/crypto';
import { PUBLIC_KEY_LENGTH, type DeviceAttestation } from '../attestation';
import { ProtocolError } from '../errors';
import { domainSeparated } from '../signing-input';
import { protocolReader, protocolWriter } from '../wire-bytes';
import {
  MAX_DEVICE_CERTIFICATE_BYTES,
  decodeDeviceCertificate,
  verifyDeviceCertificate,
  verifyDeviceCertificateSignature,
  type DeviceCertificate,
} from './device-certificate';
import {
  deviceLinkCommitment,
  offerMatchesAttestation,
  type DeviceLinkOffer,
  type ReceivedDeviceLinkOffer,
} from './device-link';
import { openUserKeyFrame, USER_KEY_TYPES, userKeyFrameWriter, type UserKeyFormat } from './frame';

/**
 * The device-link transfer (docs/protocol/user-keys.md §4): what the approving device sends the
 * new one once it has checked the offer against the attestation and signed a certificate. It
 * carries the user key's private half, so it is sealed to the new device's attested agreement key
 * (an ephemeral X25519 + HKDF-SHA256 + the library's sealed box, as envelopes.md §2.1) and keyed
 * with the link secret too: only the device that showed the offer can open it, and only a device
 * that read the offer can make one the new device accepts (§4.1).
 */
export const DEVICE_LINK_TRANSFER_VERSION = 1;
export const DEVICE_LINK_TRANSFER_TYPE = USER_KEY_TYPES.deviceLinkTransfer;
/** §4.2: the person's other approved devices the transfer may list; the rest the directory tells. */
export const MAX_LINKED_DEVICE_CERTIFICATES = 32;
const USER_KEY_SEED_LENGTH = 32;
const HEADER_LENGTH = 2 + PUBLIC_KEY_LENGTH;
const MAX_PLAINTEXT =
  USER_KEY_SEED_LENGTH +
  2 +
  MAX_DEVICE_CERTIFICATE_BYTES +
  1 +
  MAX_LINKED_DEVICE_CERTIFICATES * (2 + MAX_DEVICE_CERTIFICATE_BYTES);
export const MAX_DEVICE_LINK_TRANSFER_BYTES = HEADER_LENGTH + SEAL_OVERHEAD + MAX_PLAINTEXT;

const FORMAT: UserKeyFormat = {
  what: 'device link transfer',
  version: DEVICE_LINK_TRANSFER_VERSION,
  type: DEVICE_LINK_TRANSFER_TYPE,
  maxBytes: MAX_DEVICE_LINK_TRANSFER_BYTES,
};
const KEY_LABEL = 'OpenDescent device link transfer v1';

export interface DeviceLinkTransferInput {
  /** The offer as the approving device scanned or typed it. */
  readonly offer: ReceivedDeviceLinkOffer;
  /** The new device's attestation, verified (organisation signature, validity, revocation list). */
  readonly attestation: DeviceAttestation;
  /** The new device's certificate, just signed with `userPrivateKey` (signDeviceCertificate). */
  readonly certificate: Uint8Array;
  readonly userPrivateKey: Ed25519PrivateKey;
  /** The person's other approved devices' certificates, this device's own included (optional). */
  readonly deviceCertificates?: readonly Uint8Array[];
}

export interface OpenedDeviceLinkTransfer {
  /** The person's user key pair: the new device stores it as it stores its identity (at rest, sealed). */
  readonly userKey: Ed25519KeyPair;
  readonly certificate: DeviceCertificate;
  /** The new device's certificate as signed, to publish with its attestation. */
  readonly certificateBytes: Uint8Array;
  readonly deviceCertificates: readonly { readonly certificate: DeviceCertificate; readonly bytes: Uint8Array }[];
}

/**
 * Seals the transfer (§4.1) after the approving device's checks: the offer names the attested
 * device (`mismatch` otherwise), the certificate is the user key's and names exactly that device,
 * and every listed certificate is the same person's.
 */
export async function sealDeviceLinkTransfer(input: DeviceLinkTransferInput): Promise<Uint8Array> {
  const { offer, attestation, certificate, userPrivateKey } = input;
  const others = input.deviceCertificates ?? [];
  if (!offerMatchesAttestation(offer, attestation))
    throw new ProtocolError('mismatch', 'device link transfer: the offer does not name the attested device');
  const userKey = userPrivateKey.publicKey;
  await verifyDeviceCertificate(certificate, { userKey, attestation });
  await checkListedCertificates(others, userKey, attestation);

  const ephemeral = await generateX25519KeyPair();
  const header = userKeyFrameWriter(FORMAT).raw(ephemeral.publicKey, PUBLIC_KEY_LENGTH).finish();
  const writer = protocolWriter().raw(userPrivateKey.exposeBytes(), USER_KEY_SEED_LENGTH).bytes16(certificate);
  writer.u8(others.length);
  for (const other of others) writer.bytes16(other);
  const plaintext = writer.finish();
  try {
    const key = await transferKey(ephemeral.privateKey, attestation.agreementKey, {
      ephemeralKey: ephemeral.publicKey,
      recipientKey: attestation.agreementKey,
      offer,
      commitment: deviceLinkCommitment(attestation),
    });
    try {
      return concatBytes(header, seal(key, plaintext, concatBytes(header, attestation.agreementKey)));
    } finally {
      key.fill(0);
    }
  } catch (error) {
    // A low-order agreement key in a signed attestation: the organisation signed junk.
    if (isCryptoError(error)) throw new ProtocolError('malformed', `device link transfer: cannot seal (${error.code})`);
    throw error;
  } finally {
    plaintext.fill(0);
    ephemeral.privateKey.wipe();
  }
}

export interface DeviceLinkTransferOpening {
  /** The offer this device made and showed (makeDeviceLinkOffer), with its link secret. */
  readonly offer: DeviceLinkOffer;
  /** This device's X25519 identity private key. */
  readonly agreementPrivateKey: X25519PrivateKey;
  /** This device's own attestation. */
  readonly attestation: DeviceAttestation;
}

/**
 * Opens a transfer on the new device (§4.3). `undecryptable` when it was not sealed to this
 * device, not with this offer's secret, or was altered; then the user key must match the
 * certificate (`mismatch`), the certificate must name this device (verifyDeviceCertificate), and
 * every listed certificate must be the same person's. All or nothing: a refused transfer returns
 * no key.
 */
export async function openDeviceLinkTransfer(
  opening: DeviceLinkTransferOpening,
  input: unknown,
): Promise<OpenedDeviceLinkTransfer> {
  const { offer, agreementPrivateKey, attestation } = opening;
  const { bytes, reader } = openUserKeyFrame(input, FORMAT);
  const ephemeralKey = reader.raw(PUBLIC_KEY_LENGTH, 'ephemeralKey');
  if (reader.remaining < SEAL_OVERHEAD) throw new ProtocolError('malformed', 'device link transfer: truncated');
  const sealed = reader.rest();
  const recipientKey = agreementPrivateKey.publicKey;
  if (!constantTimeEqual(recipientKey, attestation.agreementKey) || !offerMatchesAttestation(offer, attestation))
    throw new ProtocolError('mismatch', 'device link transfer: the offer or key is not this attested device');

  let plaintext: Uint8Array;
  try {
    const key = await transferKey(agreementPrivateKey, ephemeralKey, {
      ephemeralKey,
      recipientKey,
      offer,
      commitment: offer.keyCommitment,
    });
    try {
      plaintext = open(key, sealed, concatBytes(bytes.subarray(0, HEADER_LENGTH), recipientKey));
    } finally {
      key.fill(0);
    }
  } catch (error) {
    if (isCryptoError(error))
      throw new ProtocolError('undecryptable', `device link transfer: does not open (${error.code})`);
    throw error;
  }
  let userKey: Ed25519KeyPair | undefined;
  let seed: Uint8Array | undefined;
  try {
    const contents = protocolReader(plaintext, 'device link transfer contents');
    seed = contents.raw(USER_KEY_SEED_LENGTH, 'userKey');
    const certificateBytes = contents.bytes16(MAX_DEVICE_CERTIFICATE_BYTES, 'certificate');
    const count = contents.count(contents.u8('certificate count'), MAX_LINKED_DEVICE_CERTIFICATES, 'certificate count');
    const listed: Uint8Array[] = [];
    for (let i = 0; i < count; i++) listed.push(contents.bytes16(MAX_DEVICE_CERTIFICATE_BYTES, 'listed certificate'));
    contents.end();
    userKey = await ed25519KeyPairFromSeed(seed);
    if (!constantTimeEqual(decodeDeviceCertificate(certificateBytes).certificate.userKey, userKey.publicKey))
      throw new ProtocolError('mismatch', 'device link transfer: the user key is not the one the certificate names');
    const certificate = await verifyDeviceCertificate(certificateBytes, { userKey: userKey.publicKey, attestation });
    const deviceCertificates = await checkListedCertificates(listed, userKey.publicKey, attestation);
    return { userKey, certificate, certificateBytes, deviceCertificates };
  } catch (error) {
    userKey?.privateKey.wipe();
    throw error;
  } finally {
    seed?.fill(0);
    plaintext.fill(0);
  }
}

/**
 * §4.1: `HKDF-SHA256(ikm = X25519(e, A) ‖ link secret, salt = E ‖ A, info = label ‖ 0x00 ‖
 * commitment, 32)`. The secret is in the input key material: without it the key is a guess of
 * 64 bits even for whoever holds A's private key, and without A's private key it cannot be
 * computed at all, so a guess can only be tried by sending a transfer to the new device.
 */
async function transferKey(
  ours: X25519PrivateKey,
  theirs: Uint8Array,
  context: {
    ephemeralKey: Uint8Array;
    recipientKey: Uint8Array;
    offer: ReceivedDeviceLinkOffer;
    commitment: Uint8Array;
  },
): Promise<Uint8Array> {
  const shared = await x25519SharedSecret(ours, theirs);
  const ikm = concatBytes(shared.exposeBytes(), context.offer.linkSecret.exposeBytes());
  try {
    return hkdfSha256(
      ikm,
      concatBytes(context.ephemeralKey, context.recipientKey),
      domainSeparated(KEY_LABEL, context.commitment),
      32,
    );
  } finally {
    ikm.fill(0);
    shared.wipe();
  }
}

/**
 * §4.2: each listed certificate is signed by the same user key, for the same organisation and
 * address as the new device, no device twice and never the new device itself (its own is apart).
 */
async function checkListedCertificates(
  listed: readonly Uint8Array[],
  userKey: Uint8Array,
  attestation: DeviceAttestation,
): Promise<{ certificate: DeviceCertificate; bytes: Uint8Array }[]> {
  if (listed.length > MAX_LINKED_DEVICE_CERTIFICATES)
    throw new ProtocolError('oversized', `device link transfer: over ${MAX_LINKED_DEVICE_CERTIFICATES} certificates`);
  const seen = [attestation.deviceId];
  const out: { certificate: DeviceCertificate; bytes: Uint8Array }[] = [];
  for (const bytes of listed) {
    const certificate = await verifyDeviceCertificateSignature(bytes, userKey);
    if (!constantTimeEqual(certificate.orgId, attestation.orgId) || certificate.userAddress !== attestation.userAddress)
      throw new ProtocolError('mismatch', 'device link transfer: a listed certificate is for another person');
    if (seen.some((id) => constantTimeEqual(id, certificate.deviceId)))
      throw new ProtocolError('mismatch', 'device link transfer: a device is listed twice, or the new device is');
    seen.push(certificate.deviceId);
    out.push({ certificate, bytes: bytes.slice() });
  }
  return out;
}
