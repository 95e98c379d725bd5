// Signs device attestations (docs/protocol/attestations.md §2) for enrolment and renewal.
import {
  DEVICE_ID_LENGTH,
  encodeBase64Url,
  ProtocolError,
  signAttestation,
  type AttestationAnswerJson,
  type OrgDocumentJson,
} from '@opendescent/protocol';
import { randomBytes } from '@opendescent/crypto';
import type { Member } from '../../generated/prisma/client';
import { ApiError } from '../http/api-error';
import { unixSeconds } from '../http/encoding';
import { orgPublicConfig, type OrgSigner } from '../org/organisation';
import type { AdminServices } from '../services';

export function newDeviceId(): Uint8Array {
  return randomBytes(DEVICE_ID_LENGTH);
}

export interface SignedAttestation {
  readonly bytes: Uint8Array;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export async function signDeviceAttestation(
  s: AdminServices,
  signer: OrgSigner,
  device: { deviceId: Uint8Array; signingKey: Uint8Array; agreementKey: Uint8Array },
  member: Pick<Member, 'address' | 'displayName'>,
): Promise<SignedAttestation> {
  const issuedAt = unixSeconds(s.now());
  const expiresAt = issuedAt + s.config.attestationLifetimeSeconds;
  let bytes: Uint8Array;
  try {
    bytes = await signAttestation(
      {
        orgId: signer.orgId,
        deviceId: device.deviceId,
        userAddress: member.address,
        displayName: member.displayName,
        signingKey: device.signingKey,
        agreementKey: device.agreementKey,
        issuedAt,
        expiresAt,
      },
      signer.privateKey,
    );
  } catch (error) {
    // A member made before the identifier profile (docs/protocol/identifiers.md) whose address or
    // name breaks it: no client would accept the attestation, so none is signed.
    if (error instanceof ProtocolError) {
      throw new ApiError(
        409,
        'identity_not_allowed',
        'this member’s address or display name does not meet the identifier profile; an administrator must re-create the member',
      );
    }
    throw error;
  }
  return { bytes, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000) };
}

/** The answer to enrolment and renewal (admin-api.md §4.3, §5), as the shared schema reads it. */
export async function attestationResponse(
  s: AdminServices,
  deviceId: Uint8Array,
  attestation: SignedAttestation,
): Promise<AttestationAnswerJson> {
  const org = await orgPublicConfig(s);
  const lifetime = attestation.expiresAt.getTime() - attestation.issuedAt.getTime();
  return {
    deviceId: encodeBase64Url(deviceId),
    attestation: encodeBase64Url(attestation.bytes),
    issuedAt: unixSeconds(attestation.issuedAt),
    expiresAt: unixSeconds(attestation.expiresAt),
    // Renew at half-life: a device offline for a while still has margin.
    renewAfter: unixSeconds(new Date(attestation.issuedAt.getTime() + lifetime / 2)),
    org: orgJson(org),
  };
}

/** §9.1's document. */
export function orgJson(org: Awaited<ReturnType<typeof orgPublicConfig>>): OrgDocumentJson {
  return {
    orgId: encodeBase64Url(org.orgId),
    keys: org.keys.map((key) => ({
      keyId: encodeBase64Url(key.keyId),
      publicKey: encodeBase64Url(key.publicKey),
      status: key.status,
      ...(key.pinnedUntil ? { pinnedUntil: unixSeconds(key.pinnedUntil) } : {}),
    })),
    revocationListVersion: org.revocationListVersion,
    statements: org.statements.map(encodeBase64Url),
  };
}
