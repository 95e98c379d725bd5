// The directory (docs/protocol/admin-api.md §7): an attested, unrevoked device asks for ONE
// colleague by exact address and gets that colleague's current attestations, nothing else.
// No listing, no prefix or pattern, no bulk export; a per-device hourly budget; every look-up
// is in the audit log (without the address looked up: see the audit module).
// This is the defence against the 2026 scrape's second half (73,000 accounts' details).
import { constantTimeEqual } from '@opendescent/crypto';
import { ProtocolError, isRevoked, verifyAttestation } from '@opendescent/protocol';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes, toBase64Url, toHex, unixSeconds } from '../http/encoding';
import { enforceRateLimit } from '../http/rate-limit';
import { requireExactAddressQuery } from '../members/member-fields';
import { ensureOrganisation, trustedOrgKeys } from '../org/organisation';
import { currentRevocationList } from '../revocation/revocation';
import type { AdminServices } from '../services';
import { b64bytes, checkFreshness, commonFields, consumeNonce, parseEnvelope, parsePayload, verifyDeviceSignature } from '../devices/signed-request';

const lookupPayload = z.strictObject({
  ...commonFields,
  type: z.literal('lookup'),
  orgId: b64bytes(16),
  deviceId: b64bytes(16),
  // Validated below, after authentication, so that a malformed query still costs budget.
  address: z.string().max(512),
});

export const LOOKUP_WINDOW_SECONDS = 3600;

export async function lookUpColleague(s: AdminServices, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const now = s.now();
  const envelope = parseEnvelope(body);
  if (!envelope.attestation) throw new ApiError(401, 'attestation_required', 'a directory look-up needs the device attestation');
  const request = parsePayload(envelope.payload, 'lookup', lookupPayload);
  const orgId = await ensureOrganisation(s);
  if (!constantTimeEqual(request.orgId, orgId)) throw new ApiError(403, 'wrong_organisation', 'this request names another organisation');

  let attestation;
  try {
    attestation = await verifyAttestation(envelope.attestation, { trusted: await trustedOrgKeys(s, orgId), now: unixSeconds(now) });
  } catch (error) {
    if (error instanceof ProtocolError) throw new ApiError(401, 'attestation_invalid', `the attestation is not acceptable: ${error.code}`);
    throw error;
  }
  if (!constantTimeEqual(attestation.deviceId, request.deviceId)) {
    throw new ApiError(401, 'attestation_mismatch', 'the attestation is for another device');
  }
  await verifyDeviceSignature(attestation.signingKey, envelope);
  checkFreshness(request.timestamp, now);
  const deviceHex = toHex(attestation.deviceId);
  const current = await currentRevocationList(s);
  const device = await s.prisma.device.findUnique({ where: { id: dbBytes(attestation.deviceId) }, select: { status: true } });
  if (isRevoked(current.list, attestation.deviceId) || device?.status !== 'active') {
    throw new ApiError(403, 'device_revoked', 'this device was revoked');
  }
  await consumeNonce(s.prisma, request.nonce, request.timestamp);
  const actor = `device:${deviceHex}` as const;
  try {
    await enforceRateLimit(s, [{ key: `lookup:${deviceHex}`, rule: { limit: s.config.directoryLookupsPerHour, windowSeconds: LOOKUP_WINDOW_SECONDS } }], now, 'directory look-ups for this device');
  } catch (error) {
    if (error instanceof ApiError) await recordAudit(s.prisma, actor, 'directory.lookup_refused', { deviceId: deviceHex, requester: attestation.userAddress, reason: error.code });
    throw error;
  }
  let address: string;
  try {
    address = requireExactAddressQuery(request.address);
  } catch (error) {
    if (error instanceof ApiError) await recordAudit(s.prisma, actor, 'directory.lookup_refused', { deviceId: deviceHex, requester: attestation.userAddress, reason: error.code });
    throw error;
  }

  // Exact equality on the unique address: never LIKE, never a scan.
  const member = await s.prisma.member.findUnique({
    where: { address },
    select: {
      address: true,
      devices: {
        where: { status: 'active' },
        select: { id: true, prekeySlotId: true, attestations: { where: { expiresAt: { gt: now } }, orderBy: { expiresAt: 'desc' }, take: 1 } },
      },
    },
  });
  const devices = (member?.devices ?? [])
    .filter((entry) => entry.attestations.length > 0)
    .map((entry) => ({
      deviceId: toBase64Url(entry.id),
      attestation: toBase64Url((entry.attestations[0] as { bytes: Uint8Array }).bytes),
      ...(entry.prekeySlotId ? { prekeySlotId: toBase64Url(entry.prekeySlotId) } : {}),
    }));
  await recordAudit(s.prisma, actor, 'directory.lookup', { deviceId: deviceHex, requester: attestation.userAddress, devicesReturned: devices.length });
  // The same answer shape for "no such person" and "no current device": nothing to tell them apart.
  return { status: 200, body: { address, devices } };
}
