import { DEVICE_API_CORS } from '../../../../../src/server/http/routes';
import { jsonResponse, respond } from '../../../../../src/server/http/responses';
import { inclusionProof } from '../../../../../src/server/log/log-proofs';
import { leafHashParameter, logPosition } from '../../../../../src/server/log/log-query';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/transparency-log.md §5.2: `?leafHash=…&treeSize=…`, an entry's index and inclusion proof. Public. */
export function GET(request: Request): Promise<Response> {
  return respond(async () => {
    const url = new URL(request.url);
    const answer = await inclusionProof(await adminServices(), leafHashParameter(url), logPosition(url, 'treeSize'));
    return jsonResponse(answer);
  }, DEVICE_API_CORS);
}
