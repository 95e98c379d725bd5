import { encodeBase64Url, type LogHeadAnswerJson } from '@opendescent/protocol';
import { DEVICE_API_CORS } from '../../../../../src/server/http/routes';
import { jsonResponse, respond } from '../../../../../src/server/http/responses';
import { currentTreeHead } from '../../../../../src/server/log/log-proofs';
import { adminServices } from '../../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/transparency-log.md §5.1: the newest signed tree head. Public. */
export function GET(): Promise<Response> {
  return respond(async () => {
    const answer: LogHeadAnswerJson = { treeHead: encodeBase64Url(await currentTreeHead(await adminServices())) };
    return jsonResponse(answer);
  }, DEVICE_API_CORS);
}
