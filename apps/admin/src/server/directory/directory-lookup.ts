// The directory (docs/protocol/admin-api.md §7): an attested, unrevoked device asks for ONE
// colleague by exact address and gets that colleague's current attestations, nothing else.
// No listing, no prefix or pattern, no bulk export; limits per device, per member and per
// organisation (directory-limits.ts), watched by alerts (directory-alerts.ts); every answered
// look-up is in the audit log (without the address looked up: see the audit module).
// This is the defence against the 2026 scrape's second half (73,000 accounts' details).
import { constantTimeEqual } from '@opendescent/crypto';
import {
  ProtocolError,
  encodeBase64Url,
  encodeHex,
  isRevoked,
  lookupPayloadSchema,
  verifyAttestation,
  type LookupAnswerJson,
  type LookupDeviceJson,
} from '@opendescent/protocol';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes, unixSeconds } from '../http/encoding';
import { rateLimited, takeRateLimit } from '../http/rate-limit';
import { requireExactAddressQuery } from '../members/member-fields';
import { ensureOrganisation, trustedOrgKeys } from '../org/organisation';
import { currentRevocationList } from '../revocation/revocation';
import type { AdminServices, Db } from '../services';
import {
  checkFreshness,
  consumeNonce,
  parseEnvelope,
  parsePayload,
  verifyDeviceSignature,
} from '../devices/signed-request';
import { systemFloorClock, withAnswerFloor, type FloorClock } from './answer-floor';
import { countLimitRefusal, countRevokedRefusal, countSuspendedRefusal } from './directory-alerts';
import { directoryChecks, type DirectoryCheck } from './directory-limits';

/** §7: answered or refused, no earlier than the configured floor after the request began. */
export function lookUpColleague(
  s: AdminServices,
  body: unknown,
  clock: FloorClock = systemFloorClock,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return withAnswerFloor(s.config.directory.answerFloorMs, clock, () => answerLookup(s, body));
}

async function answerLookup(
  s: AdminServices,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const now = s.now();
  const envelope = parseEnvelope(body);
  if (!envelope.attestation)
    throw new ApiError(401, 'attestation_required', 'a directory look-up needs the device attestation');
  const request = parsePayload(envelope.payload, 'lookup', lookupPayloadSchema);
  const orgId = await ensureOrganisation(s);
  if (!constantTimeEqual(request.orgId, orgId))
    throw new ApiError(403, 'wrong_organisation', 'this request names another organisation');

  let attestation;
  try {
    attestation = await verifyAttestation(envelope.attestation, {
      trusted: await trustedOrgKeys(s, orgId),
      now: unixSeconds(now),
    });
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new ApiError(401, 'attestation_invalid', `the attestation is not acceptable: ${error.code}`);
    throw error;
  }
  if (!constantTimeEqual(attestation.deviceId, request.deviceId)) {
    throw new ApiError(401, 'attestation_mismatch', 'the attestation is for another device');
  }
  await verifyDeviceSignature(attestation.signingKey, envelope);
  checkFreshness(request.timestamp, now);
  const deviceHex = encodeHex(attestation.deviceId);
  const current = await currentRevocationList(s);
  const device = await s.prisma.device.findUnique({
    where: { id: dbBytes(attestation.deviceId) },
    select: { status: true, memberId: true, member: { select: { status: true, directorySuspendedAt: true } } },
  });
  if (
    isRevoked(current.list, attestation.deviceId) ||
    device?.status !== 'active' ||
    device.member.status !== 'active'
  ) {
    await countRevokedRefusal(
      s,
      { deviceId: attestation.deviceId, memberId: device?.memberId, requester: attestation.userAddress },
      now,
    );
    throw new ApiError(403, 'device_revoked', 'this device was revoked');
  }
  await consumeNonce(s.prisma, request.nonce, request.timestamp);
  if (device.member.directorySuspendedAt) {
    await countSuspendedRefusal(s, device.memberId, now);
    throw new ApiError(
      403,
      'directory_suspended',
      'directory access is suspended for this member until an administrator resumes it',
    );
  }
  const limits = await takeRateLimit(s, directoryChecks(s.config, deviceHex, device.memberId), now);
  if (!limits.allowed) {
    const scope = (limits.refusedBy as DirectoryCheck).scope;
    await countLimitRefusal(s, { scope, memberId: device.memberId, deviceId: attestation.deviceId }, now);
    throw rateLimited(
      limits,
      scope === 'organisation' ? 'directory look-ups in the organisation' : `directory look-ups for this ${scope}`,
    );
  }
  const actor = `device:${deviceHex}` as const;
  let address: string;
  try {
    address = requireExactAddressQuery(request.address);
  } catch (error) {
    if (error instanceof ApiError)
      await recordAudit(s.prisma, actor, 'directory.lookup_refused', {
        deviceId: deviceHex,
        requester: attestation.userAddress,
        reason: error.code,
      });
    throw error;
  }
  const devices = await currentDevicesAt(s.prisma, address, now);
  await recordAudit(s.prisma, actor, 'directory.lookup', {
    deviceId: deviceHex,
    requester: attestation.userAddress,
    devicesReturned: devices.length,
  });
  // The same answer shape for "no such person" and "no current device": nothing to tell them apart.
  const answer: LookupAnswerJson = { address, devices };
  return { status: 200, body: answer };
}

interface CurrentDeviceRow {
  readonly id: Uint8Array;
  readonly prekey_slot_id: Uint8Array | null;
  readonly certificate: Uint8Array | null;
  readonly bytes: Uint8Array;
}

/**
 * Each active device of the member at `address` with its newest unexpired attestation. ONE
 * statement whatever the answer (an ORM's nested read would skip its second query when nobody
 * matches, which a stopwatch could see), and an equality on the unique address: never a scan.
 */
export async function currentDevicesAt(db: Db, address: string, now: Date): Promise<LookupDeviceJson[]> {
  const rows = await db.$queryRaw<CurrentDeviceRow[]>`
    SELECT d.id, d.prekey_slot_id, d.certificate, a.bytes
    FROM members m
    JOIN devices d ON d.member_id = m.id AND d.status = 'active'
    JOIN LATERAL (
      SELECT bytes FROM attestations WHERE device_id = d.id AND expires_at > ${now} ORDER BY expires_at DESC LIMIT 1
    ) a ON TRUE
    WHERE m.address = ${address}
    ORDER BY d.enrolled_at, d.id`;
  return rows.map((row) => ({
    deviceId: encodeBase64Url(row.id),
    attestation: encodeBase64Url(row.bytes),
    ...(row.prekey_slot_id ? { prekeySlotId: encodeBase64Url(row.prekey_slot_id) } : {}),
    ...(row.certificate ? { certificate: encodeBase64Url(row.certificate) } : {}),
  }));
}
