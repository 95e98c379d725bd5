// Renewal (docs/protocol/admin-api.md §5): an enrolled device proves it still holds its identity
// key with a fresh signed request and gets a fresh attestation, unless it was revoked.
import { constantTimeEqual } from '@opendescent/crypto';
import { encodeHex, renewPayloadSchema } from '@opendescent/protocol';
import { recordAudit } from '../audit/audit-log';
import { appendToLog } from '../log/log-append';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import { RATE_LIMITS, enforceRateLimit } from '../http/rate-limit';
import { activeSigner, ensureOrganisation } from '../org/organisation';
import type { AdminServices } from '../services';
import { attestationResponse, signDeviceAttestation } from './attestation-issuer';
import { checkFreshness, consumeNonce, parseEnvelope, parsePayload, verifyDeviceSignature } from './signed-request';

export async function renewAttestation(
  s: AdminServices,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const now = s.now();
  const envelope = parseEnvelope(body);
  if (envelope.attestation) throw new ApiError(400, 'malformed', 'a renewal request carries no attestation');
  const request = parsePayload(envelope.payload, 'renew', renewPayloadSchema);
  const orgId = await ensureOrganisation(s);
  if (!constantTimeEqual(request.orgId, orgId))
    throw new ApiError(403, 'wrong_organisation', 'this request names another organisation');
  checkFreshness(request.timestamp, now);
  const device = await s.prisma.device.findUnique({ where: { id: request.deviceId }, include: { member: true } });
  if (!device) throw new ApiError(404, 'unknown_device', 'no device with this id is enrolled here');
  await verifyDeviceSignature(new Uint8Array(device.signingKey), envelope);
  await enforceRateLimit(
    s,
    [{ key: `renew:${encodeHex(device.id)}`, rule: RATE_LIMITS.renewal }],
    now,
    'renewals for this device',
  );
  await consumeNonce(s.prisma, request.nonce, request.timestamp);
  if (device.status === 'revoked')
    throw new ApiError(403, 'device_revoked', 'this device was revoked; it gets no new attestation');

  const signer = await activeSigner(s);
  const deviceId = new Uint8Array(device.id);
  const attestation = await signDeviceAttestation(
    s,
    signer,
    { deviceId, signingKey: new Uint8Array(device.signingKey), agreementKey: new Uint8Array(device.agreementKey) },
    device.member,
  );
  await s.prisma.$transaction(async (tx) => {
    // Revoked between the check above and now: no attestation leaves.
    const renewed = await tx.device.updateMany({
      where: { id: deviceId, status: 'active' },
      data: { lastRenewedAt: now, ...(request.prekeySlotId ? { prekeySlotId: request.prekeySlotId } : {}) },
    });
    if (renewed.count !== 1)
      throw new ApiError(403, 'device_revoked', 'this device was revoked; it gets no new attestation');
    await tx.attestation.create({
      data: {
        deviceId,
        orgKeyId: dbBytes(signer.keyId),
        issuedAt: attestation.issuedAt,
        expiresAt: attestation.expiresAt,
        reason: 'renewal',
        bytes: new Uint8Array(attestation.bytes),
      },
    });
    await appendToLog(tx, 'attestation', attestation.bytes, now);
    await recordAudit(tx, `device:${encodeHex(deviceId)}`, 'device.renewed', {
      deviceId: encodeHex(deviceId),
      address: device.member.address,
      expiresAt: attestation.expiresAt.toISOString(),
    });
  });
  return { status: 200, body: await attestationResponse(s, deviceId, attestation) };
}
