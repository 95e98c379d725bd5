/**
 * Who is asking (src/server/http/client-address.ts, docs/protocol/admin-api.md §8): the TCP peer
 * that scripts/serve-next.mjs writes into its own header, or, only from a configured reverse
 * proxy, the address that proxy saw. A client talking to the app cannot choose its own address.
 */
import { PEER_ADDRESS_HEADER, UNKNOWN_ADDRESS, canonicalIp, clientAddress } from '../src/server/http/client-address';

const DIRECT = { trustedProxyHeader: undefined, trustedProxies: ['127.0.0.1', '::1'] };
const BEHIND_PROXY = { trustedProxyHeader: 'x-forwarded-for', trustedProxies: ['10.0.0.1', '10.0.0.2', 'fd00::1'] };

function requestFrom(peer: string | undefined, forwarded?: string): Request {
  const headers: Record<string, string> = {};
  if (peer !== undefined) headers[PEER_ADDRESS_HEADER] = peer;
  if (forwarded !== undefined) headers['x-forwarded-for'] = forwarded;
  return new Request('http://localhost:3001/api/auth/sign-in/verify', { headers });
}

describe('the source address', () => {
  test('is the peer by default: a forwarded-for header is ignored, whoever sends it', () => {
    expect(clientAddress(requestFrom('203.0.113.7', '198.51.100.1'), DIRECT)).toBe('203.0.113.7');
    expect(clientAddress(requestFrom('127.0.0.1', '198.51.100.1'), DIRECT)).toBe('127.0.0.1');
  });

  test('is read from the configured header only when the peer is a trusted proxy', () => {
    expect(clientAddress(requestFrom('10.0.0.1', '198.51.100.1'), BEHIND_PROXY)).toBe('198.51.100.1');
    // A client reaching the app directly cannot claim an address.
    expect(clientAddress(requestFrom('203.0.113.7', '198.51.100.1'), BEHIND_PROXY)).toBe('203.0.113.7');
  });

  test('in a forwarded-for chain, is the rightmost hop that is not one of our proxies (spoofed hops on the left are ignored)', () => {
    expect(clientAddress(requestFrom('10.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.2'), BEHIND_PROXY)).toBe(
      '198.51.100.1',
    );
    expect(clientAddress(requestFrom('10.0.0.1', '198.51.100.1,10.0.0.2'), BEHIND_PROXY)).toBe('198.51.100.1');
    // Every hop one of ours: the request started inside; the peer it is.
    expect(clientAddress(requestFrom('10.0.0.1', '10.0.0.2'), BEHIND_PROXY)).toBe('10.0.0.1');
  });

  test('falls back to the peer on a garbage, empty or missing hop: nothing left of an unreadable hop is trusted', () => {
    expect(clientAddress(requestFrom('10.0.0.1', '198.51.100.1, not-an-ip'), BEHIND_PROXY)).toBe('10.0.0.1');
    expect(clientAddress(requestFrom('10.0.0.1', '198.51.100.1, , 10.0.0.2'), BEHIND_PROXY)).toBe('10.0.0.1');
    expect(clientAddress(requestFrom('10.0.0.1', ''), BEHIND_PROXY)).toBe('10.0.0.1');
    expect(clientAddress(requestFrom('10.0.0.1'), BEHIND_PROXY)).toBe('10.0.0.1');
    expect(clientAddress(requestFrom('10.0.0.1', '198.51.100.1:4711'), BEHIND_PROXY)).toBe('10.0.0.1');
  });

  test('keys IPv6 by its /64 (one subscriber holds a whole /64), whatever the spelling', () => {
    const key = '2001:0db8:0001:0002::/64';
    expect(clientAddress(requestFrom('2001:db8:1:2:3:4:5:6'), DIRECT)).toBe(key);
    expect(clientAddress(requestFrom('2001:DB8:1:2::ffff'), DIRECT)).toBe(key);
    expect(clientAddress(requestFrom('[2001:db8:1:2::1]'), DIRECT)).toBe(key);
    expect(clientAddress(requestFrom('fe80::1%eth0'), DIRECT)).toBe('fe80:0000:0000:0000::/64');
    expect(clientAddress(requestFrom('2001:db8:1:3::1'), DIRECT)).not.toBe(key);
    expect(clientAddress(requestFrom('fd00::1', '2001:db8:1:2::9'), BEHIND_PROXY)).toBe(key);
  });

  test('reads an IPv4-mapped IPv6 peer as the IPv4 address (and matches it against IPv4 proxies)', () => {
    expect(clientAddress(requestFrom('::ffff:203.0.113.7'), DIRECT)).toBe('203.0.113.7');
    expect(clientAddress(requestFrom('::ffff:10.0.0.1', '198.51.100.1'), BEHIND_PROXY)).toBe('198.51.100.1');
    expect(canonicalIp('64:ff9b::192.0.2.1')).toBe('0064:ff9b:0000:0000:0000:0000:c000:0201');
  });

  test('is "unknown" without a readable peer (a route handler called directly, garbage in the header)', () => {
    expect(clientAddress(requestFrom(undefined), DIRECT)).toBe(UNKNOWN_ADDRESS);
    for (const garbage of ['', 'localhost', '999.1.1.1', '1.2.3', '::g', '203.0.113.7, 10.0.0.1']) {
      expect(clientAddress(requestFrom(garbage), DIRECT)).toBe(UNKNOWN_ADDRESS);
    }
  });
});

describe('the peer header', () => {
  test('is the one scripts/peer-address.mjs sets for serve-next.mjs (tests/workspace/peer-address.spec.ts: a client cannot set it)', () => {
    expect(PEER_ADDRESS_HEADER).toBe('x-opendescent-peer-address');
  });
});
