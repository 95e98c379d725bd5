import { actorOf } from '../../../../../src/server/auth/sessions';
import { cancelEnrolmentCode } from '../../../../../src/server/devices/enrolment-codes';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { requireUuid } from '../../../../../src/server/http/ids';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const id = requireUuid(field(body, 'id'), 'id');
    await cancelEnrolmentCode(s, actorOf(admin), id);
    return jsonResponse({ cancelled: true });
  });
}
