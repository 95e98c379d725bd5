import { finishRegistration } from '../../../../../src/server/auth/registration';
import { requireSameOrigin } from '../../../../../src/server/auth/sessions';
import { jsonResponse, readJsonBody, respond } from '../../../../../src/server/http/responses';
import { clientAddress } from '../../../../../src/server/http/client-address';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** Saves the passkey and signs the admin in. */
export function POST(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireSameOrigin(s, request);
    const { cookie } = await finishRegistration(s, {
      source: clientAddress(request, s.config),
      readBody: () => readJsonBody(request, 16 * 1024),
    });
    return jsonResponse({ signedIn: true }, { headers: { 'Set-Cookie': cookie } });
  });
}
