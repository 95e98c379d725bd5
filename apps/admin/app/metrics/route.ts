import { METRICS_CONTENT_TYPE, directoryMetrics } from '../../src/server/directory/directory-metrics';
import { requireMetricsAccess } from '../../src/server/http/metrics-access';
import { respond } from '../../src/server/http/responses';
import { adminServices } from '../../src/server/services';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §10: Prometheus text, loopback or bearer token only. */
export function GET(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireMetricsAccess(request, s.config);
    return new Response(await directoryMetrics(s), { status: 200, headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' } });
  });
}
