/**
 * What a hostile or stolen admin app can do to a person's devices (threat model A3, user-keys.md
 * §2.5): serve a device in the directory with a device certificate under a user key of its own
 * making, as if the person had approved it. The person's own user key never signed it.
 */
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { decodeAttestation, signDeviceCertificate } from '@opendescent/protocol';
import { nowSeconds } from '../net/support/relay-process';
import type { FakeAdmin } from './fake-admin';

/** Certifies the enrolled device `deviceIdHex` under `userKey` (a fresh key when absent); resolves with that key. */
export async function forgeCertificate(
  admin: FakeAdmin,
  deviceIdHex: string,
  userKey?: Ed25519KeyPair,
): Promise<Ed25519KeyPair> {
  const enrolled = admin.devices.find((d) => Buffer.from(d.deviceId).toString('hex') === deviceIdHex);
  if (!enrolled) throw new Error(`${deviceIdHex} is not enrolled`);
  const attestation = decodeAttestation(enrolled.attestation).attestation;
  const key = userKey ?? (await generateEd25519KeyPair());
  enrolled.certificate = await signDeviceCertificate(
    {
      orgId: attestation.orgId,
      userAddress: attestation.userAddress,
      deviceId: attestation.deviceId,
      signingKey: attestation.signingKey,
      agreementKey: attestation.agreementKey,
      issuedAt: nowSeconds(),
    },
    key.privateKey,
  );
  return key;
}
