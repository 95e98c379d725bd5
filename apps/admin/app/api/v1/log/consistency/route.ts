import { DEVICE_API_CORS } from '../../../../../src/server/http/routes';
import { jsonResponse, respond } from '../../../../../src/server/http/responses';
import { consistencyProof } from '../../../../../src/server/log/log-proofs';
import { logPosition } from '../../../../../src/server/log/log-query';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/transparency-log.md §5.3: `?from=…&to=…`, the proof that the log only grew between two signed sizes. Public. */
export function GET(request: Request): Promise<Response> {
  return respond(async () => {
    const url = new URL(request.url);
    return jsonResponse(
      await consistencyProof(await adminServices(), logPosition(url, 'from'), logPosition(url, 'to')),
    );
  }, DEVICE_API_CORS);
}
