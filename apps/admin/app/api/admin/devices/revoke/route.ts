import { actorOf } from '../../../../../src/server/auth/sessions';
import { ApiError } from '../../../../../src/server/http/api-error';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../../src/server/http/routes';
import { revokeDevices } from '../../../../../src/server/revocation/revocation';
import { isUuid } from '../../../../../src/server/http/ids';

export const dynamic = 'force-dynamic';

/** `{deviceId, reason}` revokes one device; `{memberId, reason}` every device of a member. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const deviceId = field(body, 'deviceId');
    const memberId = field(body, 'memberId');
    let outcome;
    if (typeof deviceId === 'string' && memberId === undefined) {
      outcome = await revokeDevices(s, actorOf(admin), { deviceId }, field(body, 'reason'));
    } else if (typeof memberId === 'string' && deviceId === undefined && isUuid(memberId)) {
      outcome = await revokeDevices(s, actorOf(admin), { memberId }, field(body, 'reason'));
    } else {
      throw new ApiError(400, 'malformed', 'expected {"deviceId", "reason"} or {"memberId", "reason"}');
    }
    return jsonResponse(outcome);
  });
}
