import { actorOf } from '../../../../../src/server/auth/sessions';
import { cancelEnrolmentCode } from '../../../../../src/server/devices/enrolment-codes';
import { ApiError } from '../../../../../src/server/http/api-error';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const id = field(body, 'id');
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new ApiError(400, 'malformed', 'id: expected a UUID');
    await cancelEnrolmentCode(s, actorOf(admin), id);
    return jsonResponse({ cancelled: true });
  });
}
