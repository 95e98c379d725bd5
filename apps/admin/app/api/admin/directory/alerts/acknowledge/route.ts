import { actorOf } from '../../../../../../src/server/auth/sessions';
import { acknowledgeAlert } from '../../../../../../src/server/directory/directory-alerts';
import { requireUuid } from '../../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §8: an administrator has looked at a directory alert. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    await acknowledgeAlert(s, actorOf(admin), requireUuid(field(body, 'id'), 'id'));
    return jsonResponse({ acknowledged: true });
  });
}
