/**
 * The TCP peer that scripts/serve-next.mjs tells the Next.js apps (scripts/peer-address.mjs; the
 * admin app keys its failure budgets by it, docs/protocol/admin-api.md §8.2): a client that sends
 * the header itself gets its real peer written over it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORIGINAL_HEADERS_HEADER, PEER_ADDRESS_HEADER, setPeerAddress } from '../../scripts/peer-address.mjs';

async function peerSeenBehind(
  send: Record<string, string>,
  header: string = PEER_ADDRESS_HEADER,
): Promise<string | string[] | undefined> {
  let seen: string | string[] | undefined;
  const server = http.createServer((request, response) => {
    setPeerAddress(request);
    seen = request.headers[header];
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/`, { headers: send });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return seen;
}

describe('the peer address header of serve-next.mjs', () => {
  test('is x-opendescent-peer-address, the name apps/admin client-address.ts reads', () => {
    expect(PEER_ADDRESS_HEADER).toBe('x-opendescent-peer-address');
  });

  test('carries the TCP peer', async () => {
    expect(await peerSeenBehind({})).toBe('127.0.0.1');
  });

  test('a spoofed header from the client is overwritten with the real peer', async () => {
    expect(await peerSeenBehind({ [PEER_ADDRESS_HEADER]: '198.51.100.66' })).toBe('127.0.0.1');
  });

  test('lists the headers the request arrived with (Next.js adds x-forwarded-* later), whatever the client claimed', async () => {
    const names = String(
      await peerSeenBehind(
        { 'X-Forwarded-For': '203.0.113.7', [ORIGINAL_HEADERS_HEADER]: 'host' },
        ORIGINAL_HEADERS_HEADER,
      ),
    ).split(',');
    expect(names).toContain('x-forwarded-for');
    expect(names).toContain('host');
    expect(names).not.toContain(ORIGINAL_HEADERS_HEADER);
    expect(names).not.toContain(PEER_ADDRESS_HEADER);
    expect(String(await peerSeenBehind({}, ORIGINAL_HEADERS_HEADER)).split(',')).not.toContain('x-forwarded-for');
  });
});
