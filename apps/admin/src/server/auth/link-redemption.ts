// Whether a one-time administrator link (setup, invitation, passkey reset) may be redeemed now
// (docs/decisions/0006-admin-auth.md, "Recovery"; issue 10 item 2). Checked when its options are
// asked for and again, inside the transaction that claims it, when the passkey is saved. A link
// dies with its maker: one made by an administrator who was disabled since is refused, so a
// removed administrator's links cannot make a new administrator or take over another's account.
// Every refusal is audited (`admin.link_refused`, never the token), within the source's budget.
import type { AdminInvitation } from '../../generated/prisma/client';
import { ApiError } from '../http/api-error';
import { FailedAttempt } from '../http/failure-budget';
import { isUuid } from '../http/ids';
import type { Db } from '../services';
import { activeAdminCount } from './one-time-secrets';

export type LinkRefusal =
  /** No link with this token. */
  | 'unknown'
  | 'used'
  | 'expired'
  | 'cancelled'
  /** Made by an administrator who has been disabled (or no longer exists). */
  | 'maker_disabled'
  /** A reset for an administrator who has been disabled. */
  | 'admin_disabled'
  /** The first-start setup link, once an administrator exists. */
  | 'setup_after_admin';

const MESSAGES: Record<LinkRefusal, string> = {
  unknown: 'this link is not valid any more: ask an administrator for a new one',
  used: 'this link was already used: ask an administrator for a new one',
  expired: 'this link has expired: ask an administrator for a new one',
  cancelled: 'this link was cancelled: ask an administrator for a new one',
  maker_disabled: 'this link is not valid any more: the administrator who made it was removed',
  admin_disabled: 'this administrator was removed',
  setup_after_admin: 'this setup link is not valid any more: an administrator already exists',
};

/** Why `invitation` cannot be redeemed at `now`, or undefined when it can. */
export async function linkRefusal(
  db: Db,
  invitation: AdminInvitation | null,
  now: Date,
): Promise<LinkRefusal | undefined> {
  if (!invitation) return 'unknown';
  if (invitation.usedAt) return 'used';
  if (invitation.cancelledAt) return 'cancelled';
  if (invitation.expiresAt <= now) return 'expired';
  if (!(await makerEnabled(db, invitation.createdBy))) return 'maker_disabled';
  if (invitation.purpose === 'setup' && (await activeAdminCount(db)) > 0) return 'setup_after_admin';
  if (invitation.adminId) {
    const admin = await db.admin.findUnique({ where: { id: invitation.adminId }, select: { disabledAt: true } });
    if (!admin || admin.disabledAt) return 'admin_disabled';
  }
  return undefined;
}

/** `system` (the setup link) and `system:cli` (npm run admin:reset-link) stay valid makers. */
async function makerEnabled(db: Db, createdBy: string): Promise<boolean> {
  if (createdBy === 'system' || createdBy === 'system:cli') return true;
  const id = createdBy.startsWith('admin:') ? createdBy.slice('admin:'.length) : undefined;
  if (!isUuid(id)) return false;
  const maker = await db.admin.findUnique({ where: { id }, select: { disabledAt: true } });
  return maker !== null && maker.disabledAt === null;
}

/** The refusal a redemption answers: `403 invitation_invalid`, audited while under budget. */
export function refusedLink(reason: LinkRefusal, invitation: AdminInvitation | null, source: string): FailedAttempt {
  return new FailedAttempt(new ApiError(403, 'invitation_invalid', MESSAGES[reason]), {
    actor: 'system',
    action: 'admin.link_refused',
    detail: { reason, source, ...(invitation ? { invitationId: invitation.id, purpose: invitation.purpose } : {}) },
  });
}
