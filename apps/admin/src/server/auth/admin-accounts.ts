// Disabling an administrator (docs/protocol/admin-api.md §10): in one transaction, their sessions
// end and every pending link they made (and every reset link for them) is cancelled, so nothing
// they handed out outlives them. The organisation must keep at least one enabled administrator
// with a passkey, or nobody could sign in to revoke a stolen device.
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import type { Prisma } from '../../generated/prisma/client';
import type { AdminServices } from '../services';
import { cancelLinksOfDisabledAdmin } from './one-time-secrets';

export interface AdminDisabled {
  readonly linksCancelled: number;
}

/**
 * Every change to who is an enabled administrator takes this transaction-scoped lock first, then
 * counts: two administrators disabling each other at the same time take turns, and the second
 * sees the first's change (READ COMMITTED takes a fresh snapshot per statement, after the lock).
 */
async function lockAdministrators(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('opendescent:administrators', 0))`;
}

export async function disableAdmin(s: AdminServices, byAdminId: string, adminId: string): Promise<AdminDisabled> {
  if (adminId === byAdminId) throw new ApiError(400, 'not_for_yourself', 'another administrator must remove you');
  const now = s.now();
  return s.prisma.$transaction(async (tx) => {
    await lockAdministrators(tx);
    // The actor's session was checked before the lock: they may have been disabled meanwhile.
    const actor = await tx.admin.findUnique({ where: { id: byAdminId }, select: { disabledAt: true } });
    if (!actor || actor.disabledAt) throw new ApiError(401, 'not_signed_in', 'you were removed meanwhile');
    const target = await tx.admin.findUnique({ where: { id: adminId }, select: { disabledAt: true } });
    if (!target || target.disabledAt) throw new ApiError(404, 'not_found', 'no such administrator');
    const remaining = await tx.admin.count({
      where: { id: { not: adminId }, disabledAt: null, credentials: { some: {} } },
    });
    if (remaining === 0) {
      throw new ApiError(
        409,
        'last_admin',
        'this is the last administrator who can sign in: invite another and let them register a passkey first',
      );
    }
    await tx.admin.update({ where: { id: adminId }, data: { disabledAt: now } });
    await tx.adminSession.deleteMany({ where: { adminId } });
    const cancelled = await cancelLinksOfDisabledAdmin(tx, adminId, now);
    await recordAudit(tx, `admin:${byAdminId}`, 'admin.disabled', {
      adminId,
      linksCancelled: cancelled.length,
      cancelledLinkIds: cancelled,
    });
    return { linksCancelled: cancelled.length };
  });
}
