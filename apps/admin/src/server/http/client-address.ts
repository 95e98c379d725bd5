// Who is asking, for per-source limits (docs/protocol/admin-api.md §8). The TCP peer comes from
// the header scripts/serve-next.mjs sets on every request (overwriting whatever a client sent
// under that name). Behind a reverse proxy the peer is the proxy: the client's address is then
// read from ADMIN_TRUSTED_PROXY_HEADER, and only when the peer is one of ADMIN_TRUSTED_PROXIES,
// so a client talking to the app directly cannot choose its own address.
import { isIP } from 'node:net';
import type { AdminServerConfig } from '../../../server-config.mjs';

export const PEER_ADDRESS_HEADER = 'x-opendescent-peer-address';
/** The names of the headers a request arrived with, set by serve-next.mjs before Next.js adds its own `x-forwarded-*`. */
export const ORIGINAL_HEADERS_HEADER = 'x-opendescent-original-headers';
/** Requests that did not come through serve-next.mjs (route handlers called in tests). */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The source a limit is keyed by: an IPv4 address, or an IPv6 address's /64 (one subscriber
 * usually holds a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function clientAddress(
  request: Request,
  config: Pick<AdminServerConfig, 'trustedProxyHeader' | 'trustedProxies'>,
): string {
  const peer = canonicalIp(request.headers.get(PEER_ADDRESS_HEADER) ?? '');
  if (!peer) return UNKNOWN_ADDRESS;
  if (!config.trustedProxyHeader || !config.trustedProxies.some((proxy) => canonicalIp(proxy) === peer))
    return sourceKey(peer);
  // X-Forwarded-For lists hops left to right; each proxy appends the address it saw. The
  // rightmost address that is not one of our proxies is the one our first proxy saw.
  const hops = (request.headers.get(config.trustedProxyHeader) ?? '').split(',').map((hop) => canonicalIp(hop.trim()));
  const trusted = new Set(config.trustedProxies.map(canonicalIp));
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = hops[i];
    if (!hop) return sourceKey(peer); // a hop we cannot read: trust nothing to its left
    if (!trusted.has(hop)) return sourceKey(hop);
  }
  return sourceKey(peer);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; IPv6 in full lower-case hex groups; undefined when not an IP. */
export function canonicalIp(text: string): string | undefined {
  const bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return mapped[1];
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return undefined;
  return expandIpv6(bare.toLowerCase());
}

function expandIpv6(address: string): string {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.padStart(4, '0')).join(':');
}

function sourceKey(ip: string): string {
  return ip.includes(':') ? `${ip.split(':').slice(0, 4).join(':')}::/64` : ip;
}
