import { ApiError } from '../../../../src/server/http/api-error';
import { DEVICE_API_CORS } from '../../../../src/server/http/routes';
import { respond } from '../../../../src/server/http/responses';
import { adminLog } from '../../../../src/server/log.mjs';
import { adminServices } from '../../../../src/server/services';
import { currentTokenKeySet } from '../../../../src/server/tokens/token-keys';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §11.1: the newest signed token key set, for relays and clients. */
export function GET(): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    const current = await currentTokenKeySet(s).catch((error: unknown) => {
      adminLog().error({ event: 'token_keys_unavailable', err: error }, 'no token key set could be made');
      return undefined;
    });
    if (!current)
      throw new ApiError(503, 'token_keys_unavailable', 'no token key set is available yet; try again shortly');
    return new Response(Buffer.from(current.bytes), {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Cache-Control': 'no-store',
        'X-Token-Key-Set-Version': String(current.version),
      },
    });
  }, DEVICE_API_CORS);
}
