import { orgJson } from '../../../../src/server/devices/attestation-issuer';
import { DEVICE_API_CORS } from '../../../../src/server/http/routes';
import { jsonResponse, respond } from '../../../../src/server/http/responses';
import { orgPublicConfig } from '../../../../src/server/org/organisation';
import { adminServices } from '../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §9: the organisation id and the keys to pin. Public. */
export function GET(): Promise<Response> {
  return respond(async () => jsonResponse(orgJson(await orgPublicConfig(await adminServices()))), DEVICE_API_CORS);
}
