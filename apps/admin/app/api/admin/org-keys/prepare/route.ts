import { actorOf } from '../../../../../src/server/auth/sessions';
import { toHex } from '../../../../../src/server/http/encoding';
import { jsonResponse } from '../../../../../src/server/http/responses';
import { adminMutation } from '../../../../../src/server/http/routes';
import { prepareNextOrgKey } from '../../../../../src/server/org/organisation';

export const dynamic = 'force-dynamic';

/** Key rotation (docs/decisions/0006-admin-auth.md, "Rotation"). */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => {
    const key = await prepareNextOrgKey(s, actorOf(admin));
    return jsonResponse({ keyId: toHex(key.keyId), publicKey: toHex(key.publicKey), status: key.status }, { status: 201 });
  });
}
