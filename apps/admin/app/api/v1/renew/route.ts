import { renewAttestation } from '../../../../src/server/devices/renewal';
import { corsPreflight, deviceApi } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §5 */
export function POST(request: Request): Promise<Response> {
  return deviceApi(request, renewAttestation);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
