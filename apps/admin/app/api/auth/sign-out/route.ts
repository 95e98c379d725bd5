import { recordAudit } from '../../../../src/server/audit/audit-log';
import { actorOf, clearSessionCookie, endSession } from '../../../../src/server/auth/sessions';
import { jsonResponse } from '../../../../src/server/http/responses';
import { adminMutation } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => {
    await endSession(s, admin);
    await recordAudit(s.prisma, actorOf(admin), 'admin.signed_out');
    return jsonResponse({ signedOut: true }, { headers: { 'Set-Cookie': clearSessionCookie(s.config.publicUrl) } });
  });
}
