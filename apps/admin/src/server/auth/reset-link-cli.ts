// `npm run admin:reset-link -- <admin>`: the way back in when no administrator can sign in (the
// last admin lost their passkey). It makes the same one-time passkey reset link as an admin's
// "reset" button (createInvitation, purpose `reset`), audited as `system:cli`. Whoever can run it
// holds the server's shell and database, which is more than any passkey gives
// (docs/decisions/0006-admin-auth.md, "Recovery").
import { createInvitation } from './one-time-secrets';
import type { AdminServices } from '../services';

export class ResetLinkError extends Error {
  override readonly name = 'ResetLinkError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The admin `identifier` names: their id (a UUID, as on the Administrators page) or their exact
 * display name (admins have no email address). Removed admins are not found; an ambiguous name is
 * refused with the ids to choose from.
 */
export async function findAdminForReset(
  s: AdminServices,
  identifier: string,
): Promise<{ id: string; displayName: string }> {
  const wanted = identifier.trim();
  if (!wanted) throw new ResetLinkError('name the administrator: their id or their display name');
  const matches = UUID.test(wanted)
    ? await s.prisma.admin.findMany({ where: { id: wanted.toLowerCase(), disabledAt: null } })
    : await s.prisma.admin.findMany({
        where: { displayName: wanted, disabledAt: null },
        orderBy: { createdAt: 'asc' },
      });
  const admin = matches[0];
  if (!admin) throw new ResetLinkError(`no administrator with the id or display name ${JSON.stringify(wanted)}`);
  if (matches.length > 1) {
    throw new ResetLinkError(
      `several administrators are called ${JSON.stringify(wanted)}: name one by id (${matches.map((a) => a.id).join(', ')})`,
    );
  }
  return { id: admin.id, displayName: admin.displayName };
}

/** Creates the one-time reset link (24 hours) for the admin `identifier` names; the link is returned once. */
export async function createResetLinkFromCli(
  s: AdminServices,
  identifier: string,
): Promise<{ link: string; expiresAt: Date; admin: { id: string; displayName: string } }> {
  const admin = await findAdminForReset(s, identifier);
  const { link, expiresAt } = await createInvitation(s, s.prisma, 'system:cli', 'reset', admin.id);
  return { link, expiresAt, admin };
}
