import { recordAudit } from '../../../../../src/server/audit/audit-log';
import { actorOf } from '../../../../../src/server/auth/sessions';
import { ApiError } from '../../../../../src/server/http/api-error';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { requireUuid } from '../../../../../src/server/http/ids';

export const dynamic = 'force-dynamic';

/** Removes another administrator: no more sign-in, sessions ended. The last one cannot be removed. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const adminId = requireUuid(field(body, 'adminId'), 'adminId');
    if (adminId === admin.admin.id) throw new ApiError(400, 'not_for_yourself', 'another administrator must remove you');
    await s.prisma.$transaction(async (tx) => {
      const disabled = await tx.admin.updateMany({ where: { id: adminId, disabledAt: null }, data: { disabledAt: s.now() } });
      if (disabled.count !== 1) throw new ApiError(404, 'not_found', 'no such administrator');
      await tx.adminSession.deleteMany({ where: { adminId } });
      await recordAudit(tx, actorOf(admin), 'admin.disabled', { adminId });
    });
    return jsonResponse({ disabled: true });
  });
}
