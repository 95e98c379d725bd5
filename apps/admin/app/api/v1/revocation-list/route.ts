import { DEVICE_API_CORS } from '../../../../src/server/http/routes';
import { respond } from '../../../../src/server/http/responses';
import { currentRevocationList } from '../../../../src/server/revocation/revocation';
import { adminServices } from '../../../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §6.2: the current signed list, for relays and clients. */
export function GET(): Promise<Response> {
  return respond(async () => {
    const current = await currentRevocationList(await adminServices());
    return new Response(Buffer.from(current.bytes), {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Cache-Control': 'no-store',
        'X-Revocation-List-Version': String(current.version),
      },
    });
  }, DEVICE_API_CORS);
}
