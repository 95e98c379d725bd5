import { createInvitation } from '../../../../../src/server/auth/one-time-secrets';
import { actorOf } from '../../../../../src/server/auth/sessions';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation } from '../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** A one-time link for a new administrator to register their passkey (24 hours). */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => {
    const { link, expiresAt } = await createInvitation(s, s.prisma, actorOf(admin), 'invite');
    return jsonResponse({ link, expiresAt: expiresAt.toISOString() }, { status: 201 });
  });
}
