import { certifyDevice } from '../../../../src/server/devices/certification';
import { corsPreflight, deviceApi } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §12: a device publishes a certificate its person's user key made. */
export function POST(request: Request): Promise<Response> {
  return deviceApi(request, certifyDevice);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
