import { actorOf } from '../../../../../src/server/auth/sessions';
import { requireUuid } from '../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { disableMember } from '../../../../../src/server/members/member-lifecycle';

export const dynamic = 'force-dynamic';

/** `{memberId, reason}`: off-boarding. Every device revoked (with `reason`), every pending code cancelled. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const memberId = requireUuid(field(body, 'memberId'), 'memberId');
    return jsonResponse(await disableMember(s, actorOf(admin), memberId, field(body, 'reason')));
  });
}
