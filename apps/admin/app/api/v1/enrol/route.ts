import { enrolDevice } from '../../../../src/server/devices/enrolment';
import { corsPreflight, deviceApi } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §4.2 */
export function POST(request: Request): Promise<Response> {
  return deviceApi(request, enrolDevice);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
