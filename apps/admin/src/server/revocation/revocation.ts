// Revocation (docs/protocol/admin-api.md §6): an admin revokes one device or all of a member's
// devices, with a reason; the next signed revocation list is issued in the same transaction and
// pushed to the relays afterwards, without waiting for them.
import {
  DEVICE_ID_LENGTH,
  decodeHex,
  decodeRevocationList,
  encodeHex,
  REVOCATION_REASONS,
  type RevocationList,
  type RevocationReason,
} from '@opendescent/protocol';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type Actor } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import type { Bytes } from '../http/encoding';
import { cancelPendingCodesOf } from '../devices/enrolment-codes';
import { lockMemberRow } from '../members/member-lock';
import { activeSigner, ensureOrganisation, lockOrganisation, type OrgSigner } from '../org/organisation';
import type { AdminServices } from '../services';
import { issueRevocationList, type IssuedList } from './list-issuer';

export type RevocationTarget = { readonly deviceId: string } | { readonly memberId: string };

export function requireReason(input: unknown): RevocationReason {
  if (typeof input === 'string' && (REVOCATION_REASONS as readonly string[]).includes(input))
    return input as RevocationReason;
  throw new ApiError(400, 'invalid_reason', `expected one of ${REVOCATION_REASONS.join(', ')}`);
}

export interface RevocationOutcome {
  /** Devices revoked by this action (already revoked ones are not counted again). */
  readonly revoked: number;
  readonly listVersion: number;
}

export async function revokeDevices(
  s: AdminServices,
  actor: Actor,
  target: RevocationTarget,
  reasonInput: unknown,
): Promise<RevocationOutcome> {
  const reason = requireReason(reasonInput);
  if ('deviceId' in target) deviceIdFromHex(target.deviceId); // a malformed id is refused before any work
  const signer = await activeSigner(s);
  const now = s.now();
  const outcome = await s.prisma.$transaction(async (tx) => {
    // Checked inside, so that a refusal rolls back the codes cancelled on the way.
    const revoked = await revokeDevicesInTransaction(
      tx,
      { signer, actor, now, validitySeconds: s.config.revocationListValiditySeconds },
      target,
      reason,
    );
    if (revoked.found === 0) throw new ApiError(404, 'not_found', 'no such device or member devices');
    return revoked;
  });
  publishRevocationList(s, outcome);
  return { revoked: outcome.revoked, listVersion: outcome.listVersion };
}

export interface RevocationContext {
  readonly signer: OrgSigner;
  readonly actor: Actor;
  readonly now: Date;
  /** The new list's validity (ADMIN_REVOCATION_LIST_VALIDITY_SECONDS, attestations.md §3.5). */
  readonly validitySeconds: number;
}

export interface RevocationInTransaction extends RevocationOutcome {
  /** Devices that matched the target, revoked before or now. */
  readonly found: number;
  /** The list issued by this transaction, to publish once it commits. */
  readonly list: IssuedList | undefined;
  /** Pending enrolment codes cancelled (member targets only). */
  readonly codesCancelled: number;
}

/**
 * Revokes inside the caller's transaction (member disabling runs it with its own changes), so
 * that everything commits or nothing does. For a member, their pending enrolment codes are
 * cancelled too: revoking all of someone's devices must not leave a way to enrol another.
 * Locks: the organisation row, then the member row, then codes and devices; every writer
 * takes them in that order.
 */
export async function revokeDevicesInTransaction(
  tx: Prisma.TransactionClient,
  { signer, actor, now, validitySeconds }: RevocationContext,
  target: RevocationTarget,
  reason: RevocationReason,
  /** Why the member's codes are cancelled, for the audit log. */
  codesCancelledBecause: 'devices_revoked' | 'member_disabled' = 'devices_revoked',
): Promise<RevocationInTransaction> {
  await lockOrganisation(tx);
  let codesCancelled = 0;
  if ('memberId' in target) {
    await lockMemberRow(tx, target.memberId);
    // Before reading the devices: this waits for an enrolment redeeming one of these codes, so
    // that the device it makes is seen below and revoked too.
    codesCancelled = await cancelPendingCodesOf(tx, actor, target.memberId, now, codesCancelledBecause);
  }
  const devices = await tx.device.findMany({
    where: deviceWhere(target),
    include: { member: { select: { address: true } } },
  });
  const active = devices.filter((device) => device.status === 'active');
  if (active.length === 0) {
    const latest = await tx.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
    return { found: devices.length, revoked: 0, list: undefined, listVersion: latest?.version ?? 0, codesCancelled };
  }
  const ids = active.map((device) => new Uint8Array(device.id));
  await tx.device.updateMany({
    where: { id: { in: ids } },
    data: { status: 'revoked', revokedAt: now, revocationReason: reason },
  });
  const nextVersion =
    ((await tx.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { version: true } }))?.version ?? 0) +
    1;
  await tx.revocation.createMany({
    data: ids.map((deviceId) => ({ deviceId, revokedAt: now, reason, revokedBy: actor, listVersion: nextVersion })),
  });
  const list = await issueRevocationList(tx, signer.orgId, signer, now, validitySeconds);
  for (const device of active) {
    await recordAudit(tx, actor, 'device.revoked', {
      deviceId: encodeHex(device.id),
      memberId: device.memberId,
      address: device.member.address,
      reason,
      listVersion: list.version,
    });
  }
  return { found: devices.length, revoked: active.length, list, listVersion: list.version, codesCancelled };
}

/** After the commit, never before, and never awaited: relays are told, the admin is not kept waiting. */
export function publishRevocationList(s: AdminServices, outcome: { list: IssuedList | undefined }): void {
  if (outcome.list) s.pusher.publish(outcome.list.version, outcome.list.bytes);
}

function deviceWhere(target: RevocationTarget): Prisma.DeviceWhereInput {
  return 'deviceId' in target ? { id: deviceIdFromHex(target.deviceId) } : { memberId: target.memberId };
}

function deviceIdFromHex(hex: string): Bytes {
  try {
    return decodeHex(hex, DEVICE_ID_LENGTH);
  } catch {
    throw new ApiError(400, 'malformed', 'deviceId: expected 32 lower-case hexadecimal characters');
  }
}

export interface CurrentList {
  readonly version: number;
  readonly bytes: Uint8Array;
  readonly list: RevocationList;
  readonly issuedAt: Date;
}

/** The newest signed list (the organisation's first start issues version 1). */
export async function currentRevocationList(s: AdminServices): Promise<CurrentList> {
  await ensureOrganisation(s);
  const row = await s.prisma.revocationList.findFirst({ orderBy: { version: 'desc' } });
  if (!row) throw new Error('the organisation has no revocation list');
  const bytes = new Uint8Array(row.bytes);
  return { version: row.version, bytes, list: decodeRevocationList(bytes).list, issuedAt: row.issuedAt };
}

/** At start: tell the relays the current list (a relay with the memory store forgets it on restart). */
export async function pushCurrentList(s: AdminServices): Promise<void> {
  if (s.pusher.relayUrls.length === 0) return;
  const current = await currentRevocationList(s);
  s.pusher.publish(current.version, current.bytes);
}
