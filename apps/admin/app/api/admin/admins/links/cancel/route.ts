import { cancelLink } from '../../../../../../src/server/auth/one-time-secrets';
import { actorOf } from '../../../../../../src/server/auth/sessions';
import { requireUuid } from '../../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** `{id}`: a pending invitation, reset or setup link stops working. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const id = requireUuid(field(body, 'id'), 'id');
    await cancelLink(s, actorOf(admin), id);
    return jsonResponse({ cancelled: true });
  });
}
