/**
 * The claim (design brief A2; relay.md §3.2, §9): nothing a client sends any more names
 * its device, so the relay's store can only hold what the protocol documents. After a hello and
 * create / put / subscribe: the memory store is handed only the documented operations and never a
 * byte of the token itself (its spend id is a hash); Redis holds only the documented key kinds, a
 * spent token expires, and a dump contains no byte of the token.
 */
import { Redis } from 'ioredis';
import { encodeFetchShared, encodePutShared } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { storeLimits } from '../../src/bootstrap';
import { RelayGateway } from '../../src/gateway/relay.gateway';
import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import type { RelayStore } from '../../src/store/relay-store';
import { REDIS_URL, deleteKeys, describeWithRedis, dumpKeys, testPrefix } from '../support/redis';
import { RelayClient, blobOf, newOrg, relayConfig, type TestOrg } from '../support/relay-client';

/** relay.md §9: every kind of key the Redis store writes under its prefix. */
const DOCUMENTED_KEY_KINDS = ['q', 's', 'o', 'e', 'z', 'b', 'p', 'k', 't', 'rev', 'tks', 'sb', 'sbe', 'sbz'];
/** The RelayStore operations (relay-store.ts): nothing else reaches the store. */
const STORE_OPERATIONS = [
  'createQueue',
  'recipientKey',
  'put',
  'pending',
  'ack',
  'deleteQueue',
  'publishPrekeys',
  'fetchPrekeys',
  'claimPrekey',
  'offerDocument',
  'document',
  'spendToken',
  'putShared',
  'fetchShared',
  'sweep',
  'close',
];

interface Session {
  readonly token: Uint8Array;
  readonly recipientId: Uint8Array;
}

/** A hello, then create, put, subscribe, one delivery and a shared blob stored and fetched: what one device does. */
async function oneSession(org: TestOrg, relay: RunningRelay): Promise<Session> {
  const token = await org.issuer.mint(new URL(relay.url).host);
  const client = await RelayClient.connect(relay.url);
  try {
    expect((await client.helloWith(token)).ok).toBe(true);
    const queue = await client.createQueue();
    expect((await client.put(queue.senderId, blobOf('opaque'))).ok).toBe(true);
    expect((await client.subscribe(queue)).ok).toBe(true);
    await client.until(() => client.deliveries.length === 1);
    const shared = await client.request(
      'put_shared',
      encodePutShared({ requestId: client.nextRequestId(), blob: blobOf('opaque, once') }),
    );
    if (!shared.ok || shared.command !== 'put_shared') throw new Error('put_shared refused');
    const sharedId = shared.sharedId;
    expect(
      (await client.request('fetch_shared', encodeFetchShared({ requestId: client.nextRequestId(), sharedId }))).ok,
    ).toBe(true);
    return { token, recipientId: queue.recipientId };
  } finally {
    client.close();
  }
}

/** The parts of a token that would identify it (and so, with the issuer's help, its issuance). */
function tokenParts(token: Uint8Array): Uint8Array[] {
  return [
    token,
    token.subarray(2, 34),
    token.subarray(token.length - 256, token.length - 224),
    token.subarray(token.length - 32),
  ];
}

function bytesIn(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (Array.isArray(value)) for (const item of value) bytesIn(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) bytesIn(item, out);
  return out;
}

describe('the relay process holds no device id, address, name or attestation (memory store)', () => {
  it('its store is handed only the documented operations, and never a byte of the token', async () => {
    const org = await newOrg();
    const config = relayConfig(org);
    const calls: { operation: string; args: unknown[] }[] = [];
    const memory = new MemoryRelayStore(storeLimits(config));
    // Every call the relay makes into its store, with its arguments, as a dump of memory would show them.
    const store: RelayStore = new Proxy(memory, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push({ operation: String(property), args });
          return Reflect.apply(value, target, args);
        };
      },
    });
    const relay = await startRelay(config, { store });
    let session: Session;
    try {
      session = await oneSession(org, relay);
    } finally {
      await relay.app.close();
    }

    expect(calls.map((call) => call.operation).filter((operation) => !STORE_OPERATIONS.includes(operation))).toEqual(
      [],
    );
    const spends = calls.filter((call) => call.operation === 'spendToken');
    expect(spends).toHaveLength(1);
    const [spendId, expiresAt] = spends[0]?.args ?? [];
    expect(spendId).toHaveLength(32);
    expect(expiresAt).toBe(org.issuer.key.acceptUntil * 1000);
    const handed = Buffer.concat(calls.flatMap((call) => bytesIn(call.args)));
    expect(handed.includes(Buffer.from(session.recipientId))).toBe(true); // the record is real
    for (const part of tokenParts(session.token)) expect(handed.includes(Buffer.from(part))).toBe(false);
  });
});

describeWithRedis('the relay process holds no device id, address, name or attestation (Redis store)', () => {
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  it('Redis holds only the documented key kinds, every spent token expires, and no byte of a token', async () => {
    const org = await newOrg();
    const relay = await startRelay(
      relayConfig(org, { RELAY_STORE: 'redis', REDIS_URL: REDIS_URL as string, RELAY_REDIS_PREFIX: prefix }),
    );
    let sessions: Session[];
    try {
      sessions = [await oneSession(org, relay), await oneSession(org, relay)];
    } finally {
      await relay.app.close();
    }

    const redis = new Redis(REDIS_URL as string);
    try {
      const keys = await redis.keys(`${prefix}*`);
      const kinds = keys.map((key) => key.slice(prefix.length).split(':')[0] as string);
      expect([...new Set(kinds)].filter((kind) => !DOCUMENTED_KEY_KINDS.includes(kind))).toEqual([]);
      const spent = keys.filter((key) => key.startsWith(`${prefix}t:`));
      expect(spent).toHaveLength(2);
      for (const key of spent) expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    const dump = Buffer.concat(await dumpKeys(prefix));
    expect(dump.includes(Buffer.from(Buffer.from(sessions[0]?.recipientId as Uint8Array).toString('hex')))).toBe(true); // the dump is real
    for (const { token } of sessions) {
      for (const part of tokenParts(token)) {
        expect(dump.includes(Buffer.from(part))).toBe(false);
        expect(dump.includes(Buffer.from(Buffer.from(part).toString('hex')))).toBe(false);
      }
    }
  });
});

describe('the relay process keeps nothing of a connection’s HTTP request', () => {
  it('a cookie, user agent, language or forwarded address sent with the WebSocket upgrade is gone from the live connection', async () => {
    const org = await newOrg();
    const relay = await startRelay(relayConfig(org));
    const { io } = await import('socket.io-client');
    const marker = 'alice.martin@ministry.example';
    const socket = io(relay.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: {
        Cookie: `od_admin_session=${marker}`,
        'User-Agent': `Mozilla/5.0 (${marker})`,
        'Accept-Language': 'fr-FR',
        'X-Forwarded-For': '203.0.113.7',
      },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('challenge', () => resolve());
        socket.once('connect_error', reject);
      });
      const gateway = relay.app.get(RelayGateway);
      const live = [...gateway.server.sockets.sockets.values()];
      expect(live).toHaveLength(1);
      for (const connection of live) {
        expect(connection.handshake.headers).toEqual({});
        expect(connection.request.headers).toEqual({});
        expect(JSON.stringify(connection.handshake)).not.toContain(marker);
      }
    } finally {
      socket.close();
      await relay.app.close();
    }
  });
});
