import { startSignIn } from '../../../../../src/server/auth/sign-in';
import { requireSameOrigin } from '../../../../../src/server/auth/sessions';
import { jsonResponse, respond } from '../../../../../src/server/http/responses';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** Needs no limit: the challenge is stateless, nothing is stored (src/server/auth/sign-in-challenge.ts). */
export function POST(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireSameOrigin(s, request);
    return jsonResponse(await startSignIn(s));
  });
}
