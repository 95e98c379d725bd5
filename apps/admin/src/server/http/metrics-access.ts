// Who may read GET /metrics (docs/protocol/admin-api.md §10): a monitoring agent on the same
// host (a loopback peer), or anyone presenting ADMIN_METRICS_TOKEN as a bearer token when it is
// set. A loopback peer that forwards a request for someone else (a reverse proxy on the same
// host) is not the local agent: it must present the token like anyone else.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminServerConfig } from '../../../server-config.mjs';
import { ApiError } from './api-error';
import { ORIGINAL_HEADERS_HEADER, PEER_ADDRESS_HEADER, canonicalIp, clientAddress } from './client-address';

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];
const IPV6_LOOPBACK = '0000:0000:0000:0000:0000:0000:0000:0001';

type MetricsConfig = Pick<AdminServerConfig, 'trustedProxyHeader' | 'trustedProxies' | 'metricsTokenDigest'>;

export function requireMetricsAccess(request: Request, config: MetricsConfig): void {
  const presented = /^Bearer ([^\s]+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (config.metricsTokenDigest && presented !== undefined) {
    // Digests of equal length, compared in constant time: neither the token nor its length leaks.
    const digest = createHash('sha256').update(presented).digest();
    if (timingSafeEqual(digest, config.metricsTokenDigest)) return;
    throw new ApiError(401, 'unauthorised', 'the metrics token is not valid', {
      'WWW-Authenticate': 'Bearer realm="metrics"',
    });
  }
  if (isLoopbackClient(request, config)) return;
  if (config.metricsTokenDigest)
    throw new ApiError(401, 'unauthorised', 'metrics need the bearer token (ADMIN_METRICS_TOKEN)', {
      'WWW-Authenticate': 'Bearer realm="metrics"',
    });
  throw new ApiError(
    403,
    'forbidden',
    'metrics are served to loopback peers only (set ADMIN_METRICS_TOKEN to allow others)',
  );
}

function isLoopbackClient(request: Request, config: MetricsConfig): boolean {
  const headers = [
    ...FORWARDING_HEADERS,
    ...(config.trustedProxyHeader ? [config.trustedProxyHeader.toLowerCase()] : []),
  ];
  // Next.js adds x-forwarded-for (and -host, -port, -proto) to every request it routes, so what
  // counts is what the request arrived with (serve-next.mjs lists it); without that list (a route
  // handler called directly, in tests) the headers themselves are looked at.
  const original = request.headers.get(ORIGINAL_HEADERS_HEADER);
  const arrivedWith =
    original === null
      ? (name: string) => request.headers.has(name)
      : (name: string) => original.split(',').includes(name);
  if (headers.some(arrivedWith)) return false;
  const source = clientAddress(request, config);
  if (/^127\.\d+\.\d+\.\d+$/.test(source)) return true;
  // IPv6 sources are keyed per /64: look at the peer itself for ::1.
  return canonicalIp(request.headers.get(PEER_ADDRESS_HEADER) ?? '') === IPV6_LOOPBACK;
}
