import { createInvitation } from '../../../../../src/server/auth/one-time-secrets';
import { actorOf } from '../../../../../src/server/auth/sessions';
import { ApiError } from '../../../../../src/server/http/api-error';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { requireUuid } from '../../../../../src/server/http/ids';

export const dynamic = 'force-dynamic';

/**
 * Another administrator lost their passkeys: a one-time link with which they register a new one
 * (their old passkeys and sessions end when they do).
 * Not for oneself: an admin who can sign in registers no passkey this way, and one who cannot asks
 * a colleague, or whoever runs the server (`npm run admin:reset-link`).
 */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const adminId = requireUuid(field(body, 'adminId'), 'adminId');
    if (adminId === admin.admin.id)
      throw new ApiError(
        400,
        'not_for_yourself',
        'ask another administrator, or whoever runs the server (npm run admin:reset-link), for a link to replace your own passkey',
      );
    const target = await s.prisma.admin.findUnique({ where: { id: adminId } });
    if (!target || target.disabledAt) throw new ApiError(404, 'not_found', 'no such administrator');
    const { link, expiresAt } = await createInvitation(s, s.prisma, actorOf(admin), 'reset', adminId);
    return jsonResponse({ link, expiresAt: expiresAt.toISOString() }, { status: 201 });
  });
}
