import { actorOf } from '../../../../../src/server/auth/sessions';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation } from '../../../../../src/server/http/routes';
import { activateNextOrgKey } from '../../../../../src/server/org/organisation';

export const dynamic = 'force-dynamic';

/** Key rotation (docs/decisions/0006-admin-auth.md, "Rotation"). */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => {
    const { listVersion, tokenKeySetVersion } = await activateNextOrgKey(s, actorOf(admin));
    return jsonResponse({ activated: true, listVersion, tokenKeySetVersion });
  });
}
