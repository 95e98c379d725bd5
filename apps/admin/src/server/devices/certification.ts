// Device certificates (docs/protocol/admin-api.md §12, user-keys.md §7): a device of a person
// publishes the certificate its person's user key made for one of their devices. The admin app
// keeps junk out and stays consistent (the checks below); it is not what protects peers from a
// hostile admin app (A3), which is the clients' own check of the certificate under the user key
// they pinned.
import { constantTimeEqual } from '@opendescent/crypto';
import {
  ProtocolError,
  certifyPayloadSchema,
  decodeAttestation,
  decodeDeviceCertificate,
  encodeBase64Url,
  encodeHex,
  verifyDeviceCertificate,
  type CertifyAnswerJson,
} from '@opendescent/protocol';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { unixSeconds } from '../http/encoding';
import { RATE_LIMITS, enforceRateLimit } from '../http/rate-limit';
import { appendToLog } from '../log/log-append';
import { ensureOrganisation } from '../org/organisation';
import type { AdminServices } from '../services';
import { checkFreshness, consumeNonce, parseEnvelope, parsePayload, verifyDeviceSignature } from './signed-request';

export async function certifyDevice(
  s: AdminServices,
  body: unknown,
): Promise<{ status: number; body: CertifyAnswerJson & Record<string, unknown> }> {
  const now = s.now();
  const envelope = parseEnvelope(body);
  if (envelope.attestation) throw new ApiError(400, 'malformed', 'a certificate upload carries no attestation');
  const request = parsePayload(envelope.payload, 'certify', certifyPayloadSchema);
  const orgId = await ensureOrganisation(s);
  if (!constantTimeEqual(request.orgId, orgId))
    throw new ApiError(403, 'wrong_organisation', 'this request names another organisation');
  checkFreshness(request.timestamp, now);
  const uploader = await s.prisma.device.findUnique({ where: { id: request.deviceId } });
  if (!uploader) throw new ApiError(404, 'unknown_device', 'no device with this id is enrolled here');
  await verifyDeviceSignature(new Uint8Array(uploader.signingKey), envelope);
  await enforceRateLimit(
    s,
    [{ key: `certify:${encodeHex(uploader.id)}`, rule: RATE_LIMITS.renewal }],
    now,
    'certificate uploads for this device',
  );
  await consumeNonce(s.prisma, request.nonce, request.timestamp);
  if (uploader.status === 'revoked') throw new ApiError(403, 'device_revoked', 'this device was revoked');

  let userKey: Uint8Array;
  let certifiedId: Uint8Array;
  try {
    ({ userKey, deviceId: certifiedId } = decodeDeviceCertificate(request.certificate).certificate);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ApiError(400, 'malformed', `certificate: ${error.code}`);
    throw error;
  }
  return s.prisma.$transaction(async (tx) => {
    const device = await tx.device.findUnique({
      where: { id: new Uint8Array(certifiedId) },
      include: { member: true, attestations: { orderBy: { issuedAt: 'desc' }, take: 1 } },
    });
    // Only a device of the same person publishes a certificate, and only for a device enrolled here.
    if (!device || device.memberId !== uploader.memberId)
      throw new ApiError(403, 'certificate_mismatch', 'the certificate is not for a device of this person');
    if (device.status === 'revoked') throw new ApiError(403, 'device_revoked', 'the certified device was revoked');
    const attested = device.attestations[0];
    if (!attested) throw new ApiError(409, 'certificate_mismatch', 'the certified device has no attestation');
    const recorded = device.member.userKey ? new Uint8Array(device.member.userKey) : undefined;
    const replacing = recorded !== undefined && !constantTimeEqual(recorded, userKey);
    if (replacing && (await stillCertifiedUnder(tx, device.memberId, recorded)))
      throw new ApiError(
        409,
        'user_key_mismatch',
        'this person has active devices certified under another user key; revoke them first (re-enrolment)',
      );
    try {
      await verifyDeviceCertificate(request.certificate, {
        userKey,
        attestation: decodeAttestation(new Uint8Array(attested.bytes)).attestation,
      });
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new ApiError(400, 'certificate_mismatch', `the certificate does not fit the device: ${error.code}`);
      throw error;
    }
    if (!recorded || replacing) {
      await tx.member.update({
        where: { id: device.memberId },
        data: { userKey: new Uint8Array(userKey), userKeySetAt: now },
      });
      await recordAudit(
        tx,
        `device:${encodeHex(uploader.id)}`,
        replacing ? 'member.user_key_replaced' : 'member.user_key_set',
        {
          memberId: device.memberId,
          userKey: encodeHex(userKey),
        },
      );
    }
    await tx.device.update({
      where: { id: device.id },
      data: { certificate: new Uint8Array(request.certificate), certifiedAt: now },
    });
    const logIndex = await appendToLog(tx, 'device_certificate', request.certificate, now);
    await recordAudit(tx, `device:${encodeHex(uploader.id)}`, 'device.certified', {
      deviceId: encodeHex(device.id),
      memberId: device.memberId,
      logIndex,
    });
    return {
      status: 201,
      body: { deviceId: encodeBase64Url(device.id), certifiedAt: unixSeconds(now), logIndex },
    };
  });
}

/** Whether an active device of the member holds a certificate under `userKey` (then the key cannot change). */
async function stillCertifiedUnder(
  tx: Prisma.TransactionClient,
  memberId: string,
  userKey: Uint8Array,
): Promise<boolean> {
  const devices = await tx.device.findMany({
    where: { memberId, status: 'active', certificate: { not: null } },
    select: { certificate: true },
  });
  return devices.some((d) => {
    try {
      return constantTimeEqual(
        decodeDeviceCertificate(new Uint8Array(d.certificate as Uint8Array)).certificate.userKey,
        userKey,
      );
    } catch {
      return false;
    }
  });
}
