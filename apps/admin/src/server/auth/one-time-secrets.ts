// Admin invitations: one-time passkey registration links (first admin, invitation, passkey reset),
// 256-bit random tokens shown once and stored as SHA-256 only. A fast hash is enough: nobody can
// search the space, and the hash only keeps a database dump (A3) from using them. These links are
// the only way to register a passkey: there are no recovery codes (decision 0006, "Recovery").
// A link never outlives its maker: disabling an administrator cancels the pending links they made
// and the resets made for them (admin-accounts.ts); any administrator may cancel a pending link.
import { concatBytes, randomBytes, sha256, utf8Encode } from '@opendescent/crypto';
import { encodeBase64Url } from '@opendescent/protocol';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type Actor } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import type { AdminServices, Db } from '../services';

export const INVITATION_LIFETIME_SECONDS = 24 * 3600;
const INVITATION_LABEL = utf8Encode('OpenDescent admin invitation v1');

export type InvitationPurpose = 'setup' | 'invite' | 'reset';

export function invitationHash(token: string): Uint8Array<ArrayBuffer> {
  return dbBytes(sha256(concatBytes(INVITATION_LABEL, new Uint8Array([0]), utf8Encode(token))));
}

/** The link an invited person opens. The token rides in the fragment: never sent in a request line or a Referer. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/setup#token=${token}`;
}

export async function createInvitation(
  s: AdminServices,
  db: Db,
  actor: Actor,
  purpose: InvitationPurpose,
  adminId?: string,
): Promise<{ link: string; expiresAt: Date; id: string }> {
  const token = encodeBase64Url(randomBytes(32));
  const now = s.now();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_SECONDS * 1000);
  const row = await db.adminInvitation.create({
    data: {
      tokenHash: invitationHash(token),
      purpose,
      adminId: adminId ?? null,
      createdBy: actor,
      createdAt: now,
      expiresAt,
    },
  });
  await recordAudit(
    db,
    actor,
    `admin.${purpose === 'setup' ? 'setup_link' : purpose === 'invite' ? 'invitation' : 'passkey_reset_link'}_created`,
    {
      invitationId: row.id,
      ...(adminId ? { adminId } : {}),
      expiresAt: expiresAt.toISOString(),
    },
  );
  return { link: invitationLink(s.config.publicUrl, token), expiresAt, id: row.id };
}

/** Admins who can sign in: enabled, with at least one passkey. */
export async function activeAdminCount(db: Db): Promise<number> {
  return db.admin.count({ where: { disabledAt: null, credentials: { some: {} } } });
}

/**
 * At start, while no admin can sign in: a fresh one-time setup link (earlier unused ones are
 * cancelled, since only their hashes were kept and they cannot be shown again).
 */
export async function ensureSetupLink(s: AdminServices): Promise<string | undefined> {
  if ((await activeAdminCount(s.prisma)) > 0) return undefined;
  return s.prisma.$transaction(async (tx) => {
    await tx.adminInvitation.updateMany({
      where: { purpose: 'setup', usedAt: null, cancelledAt: null },
      data: { cancelledAt: s.now(), cancelledBy: 'system' },
    });
    return (await createInvitation(s, tx, 'system', 'setup')).link;
  });
}

/** Links that still work: neither used nor cancelled, not expired. */
export function pendingLinkWhere(now: Date): Prisma.AdminInvitationWhereInput {
  return { usedAt: null, cancelledAt: null, expiresAt: { gt: now } };
}

/**
 * An administrator cancels a pending link (one handed to the wrong person, or no longer needed).
 * Used, cancelled or expired links, and unknown ids, are `404 not_found`: there is nothing to stop.
 */
export async function cancelLink(s: AdminServices, actor: Actor, invitationId: string): Promise<void> {
  const now = s.now();
  await s.prisma.$transaction(async (tx) => {
    const [cancelled] = await tx.adminInvitation.updateManyAndReturn({
      where: { id: invitationId, ...pendingLinkWhere(now) },
      data: { cancelledAt: now, cancelledBy: actor },
      select: { id: true, purpose: true, adminId: true },
    });
    if (!cancelled)
      throw new ApiError(
        404,
        'not_found',
        'no pending link with this id (used, cancelled or expired links need no cancelling)',
      );
    await recordAudit(tx, actor, 'admin.link_cancelled', {
      invitationId,
      purpose: cancelled.purpose,
      ...(cancelled.adminId ? { adminId: cancelled.adminId } : {}),
    });
  });
}

/**
 * When an administrator is disabled (inside that transaction): every pending link they made, and
 * every pending reset link for them, stops working. Cancelled by `system`: the actor who disabled
 * them is in the `admin.disabled` event. Returns the ids.
 */
export async function cancelLinksOfDisabledAdmin(
  tx: Prisma.TransactionClient,
  adminId: string,
  now: Date,
): Promise<string[]> {
  const cancelled = await tx.adminInvitation.updateManyAndReturn({
    where: { ...pendingLinkWhere(now), OR: [{ createdBy: `admin:${adminId}` }, { adminId }] },
    data: { cancelledAt: now, cancelledBy: 'system' },
    select: { id: true },
  });
  return cancelled.map((link) => link.id);
}
