import { METRICS_CONTENT_TYPE, directoryMetrics } from '../../src/server/directory/directory-metrics';
import { requireMetricsAccess } from '../../src/server/http/metrics-access';
import { respond } from '../../src/server/http/responses';
import { adminServices } from '../../src/server/services';
import { tokenMetrics } from '../../src/server/tokens/token-metrics';

export const dynamic = 'force-dynamic';

/** docs/protocol/admin-api.md §10: Prometheus text (the directory, token issuance), loopback or bearer token only. */
export function GET(request: Request): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    requireMetricsAccess(request, s.config);
    const text = (await directoryMetrics(s)) + (await tokenMetrics(s));
    return new Response(text, {
      status: 200,
      headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
    });
  });
}
