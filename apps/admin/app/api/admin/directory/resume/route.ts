import { actorOf } from '../../../../../src/server/auth/sessions';
import { resumeDirectoryAccess } from '../../../../../src/server/directory/directory-alerts';
import { requireUuid } from '../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §8: lifts a member's directory suspension. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const memberId = requireUuid(field(body, 'memberId'), 'memberId');
    const { alertsAcknowledged } = await resumeDirectoryAccess(s, actorOf(admin), memberId);
    return jsonResponse({ resumed: true, alertsAcknowledged });
  });
}
