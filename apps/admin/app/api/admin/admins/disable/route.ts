import { disableAdmin } from '../../../../../src/server/auth/admin-accounts';
import { requireUuid } from '../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/**
 * Removes another administrator: no more sign-in, sessions ended, their pending links cancelled.
 * The last one who can sign in cannot be removed.
 */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const adminId = requireUuid(field(body, 'adminId'), 'adminId');
    const { linksCancelled } = await disableAdmin(s, admin.admin.id, adminId);
    return jsonResponse({ disabled: true, linksCancelled });
  });
}
