import { actorOf } from '../../../../../src/server/auth/sessions';
import { encodeHex } from '@opendescent/protocol';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation } from '../../../../../src/server/http/routes';
import { prepareNextOrgKey } from '../../../../../src/server/org/organisation';

export const dynamic = 'force-dynamic';

/** Key rotation (docs/decisions/0006-admin-auth.md, "Rotation"). */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => {
    const key = await prepareNextOrgKey(s, actorOf(admin));
    return jsonResponse(
      { keyId: encodeHex(key.keyId), publicKey: encodeHex(key.publicKey), status: key.status },
      { status: 201 },
    );
  });
}
