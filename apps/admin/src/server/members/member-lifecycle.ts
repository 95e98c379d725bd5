// A member's state (docs/protocol/admin-api.md §10, "Members"): active, or disabled when they
// leave. Disabling is off-boarding in one transaction: the member marked disabled, every pending
// enrolment code cancelled, every active device revoked with the next signed revocation list, and
// the audit rows; a failure anywhere leaves all of it as it was. Enabling lets new codes be made
// again; the revoked devices stay revoked.
import type { RevocationReason } from '@opendescent/protocol';
import { recordAudit, type Actor } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { activeSigner, lockOrganisation } from '../org/organisation';
import { publishRevocationList, requireReason, revokeDevicesInTransaction } from '../revocation/revocation';
import type { AdminServices } from '../services';
import { lockMemberRow } from './member-lock';

export interface MemberDisabled {
  readonly revoked: number;
  readonly codesCancelled: number;
  readonly listVersion: number;
}

const noSuchMember = () => new ApiError(404, 'not_found', 'no such member');

export async function disableMember(
  s: AdminServices,
  actor: Actor,
  memberId: string,
  reasonInput: unknown,
): Promise<MemberDisabled> {
  const reason: RevocationReason = requireReason(reasonInput);
  const signer = await activeSigner(s);
  const now = s.now();
  const outcome = await s.prisma.$transaction(async (tx) => {
    // The lock order of every revocation: organisation, member, codes, devices.
    await lockOrganisation(tx);
    const member = await lockMemberRow(tx, memberId);
    if (!member) throw noSuchMember();
    if (member.status === 'disabled') throw new ApiError(409, 'member_disabled', 'this member is already disabled');
    await tx.member.update({ where: { id: memberId }, data: { status: 'disabled', disabledAt: now } });
    const revoked = await revokeDevicesInTransaction(
      tx,
      { signer, actor, now, validitySeconds: s.config.revocationListValiditySeconds },
      { memberId },
      reason,
      'member_disabled',
    );
    await recordAudit(tx, actor, 'member.disabled', {
      memberId,
      address: member.address,
      reason,
      devicesRevoked: revoked.revoked,
      codesCancelled: revoked.codesCancelled,
      listVersion: revoked.listVersion,
    });
    return revoked;
  });
  publishRevocationList(s, outcome);
  return { revoked: outcome.revoked, codesCancelled: outcome.codesCancelled, listVersion: outcome.listVersion };
}

/** Active again: new enrolment codes can be made; nothing that was revoked comes back. */
export async function enableMember(s: AdminServices, actor: Actor, memberId: string): Promise<void> {
  await s.prisma.$transaction(async (tx) => {
    const member = await lockMemberRow(tx, memberId);
    if (!member) throw noSuchMember();
    if (member.status === 'active') throw new ApiError(409, 'member_active', 'this member is not disabled');
    await tx.member.update({ where: { id: memberId }, data: { status: 'active', disabledAt: null } });
    await recordAudit(tx, actor, 'member.enabled', { memberId, address: member.address });
  });
}
