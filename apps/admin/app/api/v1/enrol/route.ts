import { enrolDevice } from '../../../../src/server/devices/enrolment';
import { MAX_DEVICE_REQUEST_BYTES } from '../../../../src/server/devices/signed-request';
import { clientAddress } from '../../../../src/server/http/client-address';
import { jsonResponse, readJsonBody, respond } from '../../../../src/server/http/responses';
import { DEVICE_API_CORS, corsPreflight } from '../../../../src/server/http/routes';
import { adminServices } from '../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §4.2. The body is read inside the attempt: an unreadable one is a counted failure too. */
export function POST(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    const result = await enrolDevice(s, {
      source: clientAddress(request, s.config),
      readBody: () => readJsonBody(request, MAX_DEVICE_REQUEST_BYTES),
    });
    return jsonResponse(result.body, { status: result.status });
  }, DEVICE_API_CORS);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
