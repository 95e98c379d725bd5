import { startSignIn } from '../../../../../src/server/auth/passkeys';
import { requireSameOrigin } from '../../../../../src/server/auth/sessions';
import { jsonResponse, respond } from '../../../../../src/server/http/responses';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireSameOrigin(s, request);
    return jsonResponse(await startSignIn(s));
  });
}
