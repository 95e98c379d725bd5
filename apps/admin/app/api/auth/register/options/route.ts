import { startRegistration } from '../../../../../src/server/auth/registration';
import { requireSameOrigin } from '../../../../../src/server/auth/sessions';
import { jsonResponse, readJsonBody, respond } from '../../../../../src/server/http/responses';
import { clientAddress } from '../../../../../src/server/http/client-address';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** A one-time link's token (first admin, invitation, passkey reset by an admin or by `npm run admin:reset-link`). */
export function POST(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireSameOrigin(s, request);
    return jsonResponse(
      await startRegistration(s, {
        source: clientAddress(request, s.config),
        readBody: () => readJsonBody(request, 4 * 1024),
      }),
    );
  });
}
