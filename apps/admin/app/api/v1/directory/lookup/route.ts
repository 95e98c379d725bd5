import { lookUpColleague } from '../../../../../src/server/directory/directory-lookup';
import { corsPreflight, deviceApi } from '../../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §7 */
export function POST(request: Request): Promise<Response> {
  return deviceApi(request, lookUpColleague);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
