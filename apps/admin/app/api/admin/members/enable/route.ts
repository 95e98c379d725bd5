import { actorOf } from '../../../../../src/server/auth/sessions';
import { requireUuid } from '../../../../../src/server/http/ids';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { enableMember } from '../../../../../src/server/members/member-lifecycle';

export const dynamic = 'force-dynamic';

/** `{memberId}`: a disabled member may be given enrolment codes again; their old devices stay revoked. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const memberId = requireUuid(field(body, 'memberId'), 'memberId');
    await enableMember(s, actorOf(admin), memberId);
    return jsonResponse({ enabled: true });
  });
}
