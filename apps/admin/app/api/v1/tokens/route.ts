import { corsPreflight, deviceApi } from '../../../../src/server/http/routes';
import { MAX_TOKEN_REQUEST_BODY_BYTES, issueAccessTokens } from '../../../../src/server/tokens/token-issuance';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §11.2: blind signatures for a batch of relay access token requests. */
export function POST(request: Request): Promise<Response> {
  return deviceApi(request, issueAccessTokens, MAX_TOKEN_REQUEST_BODY_BYTES);
}

export function OPTIONS(): Response {
  return corsPreflight();
}
