/** People, devices and attestations for the user-key specs (docs/protocol/user-keys.md). */
import {
  ed25519KeyPairFromSeed,
  generateDeviceIdentity,
  sha256,
  x25519KeyPairFromPrivateKey,
  type DeviceIdentity,
  type Ed25519KeyPair,
} from '@opendescent/crypto';
import { ProtocolError, type DeviceAttestation, type DeviceCertificateFields } from '../../src/index';
import { labelled } from '../support';

export const orgId = labelled('org: ministry of examples', 16);
export const NOW = 1_800_000_000;

/**
 * A user key behind the checked-in vectors, derived from a public label like goldenOrgKey (no
 * secret: anyone can reproduce the vectors).
 */
export async function goldenUserKey(person: string): Promise<Ed25519KeyPair> {
  return ed25519KeyPairFromSeed(sha256(new TextEncoder().encode(`OpenDescent golden vector user key: ${person}`)));
}

/** A device identity derived from a public label, for vectors that need its private halves. */
export async function goldenDeviceIdentity(device: string): Promise<DeviceIdentity> {
  const [signing, agreement] = await Promise.all([
    ed25519KeyPairFromSeed(labelled(`golden device signing key: ${device}`, 32)),
    x25519KeyPairFromPrivateKey(labelled(`golden device agreement key: ${device}`, 32)),
  ]);
  return { signing, agreement };
}

export interface TestDevice {
  readonly identity: DeviceIdentity;
  readonly attestation: DeviceAttestation;
}

/**
 * A device and its attestation as a verifier holds it once verifyAttestation passed (the
 * organisation's signature is attestation.spec.ts's business, not these specs').
 */
export async function device(
  name: string,
  userAddress = 'alice@ministry.example',
  identity?: DeviceIdentity,
): Promise<TestDevice> {
  const keys = identity ?? (await generateDeviceIdentity());
  return {
    identity: keys,
    attestation: {
      orgId,
      orgKeyId: labelled('org key id', 8),
      deviceId: labelled(`device: ${name}`, 16),
      userAddress,
      displayName: 'Alice Martin',
      signingKey: keys.signing.publicKey,
      agreementKey: keys.agreement.publicKey,
      issuedAt: NOW - 3600,
      expiresAt: NOW + 7 * 86_400,
    },
  };
}

/** The certificate fields for an attested device: what the approving device signs. */
export function certificateFields(attestation: DeviceAttestation, issuedAt = NOW): DeviceCertificateFields {
  return {
    orgId: attestation.orgId,
    userAddress: attestation.userAddress,
    deviceId: attestation.deviceId,
    signingKey: attestation.signingKey,
    agreementKey: attestation.agreementKey,
    issuedAt,
  };
}

/** The code of the ProtocolError a promise rejects with; fails if it resolves or throws anything else. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return (error as ProtocolError).code;
}

/** `bytes` with one bit of byte `index` flipped. */
export function flipped(bytes: Uint8Array, index: number, bit = 1): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ bit;
  return copy;
}
