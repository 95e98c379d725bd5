/**
 * Shared blobs (relay.md §3.13, §3.14, §8.3, §10) against the booted relay: the same tests on the
 * memory store and, when REDIS_URL is set, on the Redis store (the relay's clock is injected, and
 * both stores expire shared blobs by it).
 */
import { Redis } from 'ioredis';
import { encodeFetchShared, encodePutShared, type RelayReply } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RELAY_RUNTIME, type RelayRuntime } from '../../src/runtime/relay-runtime';
import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import { REDIS_URL, deleteKeys, testPrefix } from '../support/redis';
import {
  RelayClient,
  blobOf,
  errorOf,
  newDevice,
  newOrg,
  relayConfig,
  textOf,
  type TestOrg,
} from '../support/relay-client';

const SHARED_MAX_BYTES = 65_536;

const stores: [string, Record<string, string>][] = [['memory store', {}]];
const redisPrefix = testPrefix();
if (REDIS_URL) stores.push(['Redis store', { RELAY_STORE: 'redis', REDIS_URL, RELAY_REDIS_PREFIX: redisPrefix }]);
else console.warn('[relay tests] shared blobs on the Redis store SKIPPED: REDIS_URL is not set');

function putShared(client: RelayClient, blob: Uint8Array, ttl = 0): Promise<RelayReply> {
  return client.request('put_shared', encodePutShared({ requestId: client.nextRequestId(), ttl, blob }));
}

function fetchShared(client: RelayClient, sharedId: Uint8Array): Promise<RelayReply> {
  return client.request('fetch_shared', encodeFetchShared({ requestId: client.nextRequestId(), sharedId }));
}

/** The id of a successful put_shared, or the test fails with the relay's error code. */
function idOf(reply: RelayReply): Uint8Array {
  if (!reply.ok || reply.command !== 'put_shared') throw new Error(`put_shared refused: ${errorOf(reply)}`);
  return reply.sharedId;
}

function blobOfReply(reply: RelayReply): Uint8Array {
  if (!reply.ok || reply.command !== 'fetch_shared') throw new Error(`fetch_shared refused: ${errorOf(reply)}`);
  return reply.blob;
}

/** A put_shared frame announcing (and carrying) a blob one byte over the limit: the encoder would refuse to build it. */
function oversizedPutShared(requestId: number): Uint8Array {
  const valid = encodePutShared({ requestId, blob: new Uint8Array(65_536) });
  const frame = new Uint8Array(valid.length + 1);
  frame.set(valid);
  new DataView(frame.buffer).setUint32(10, 65_537);
  return frame;
}

describe.each(stores)('shared blobs (%s)', (_name, storeEnv) => {
  let org: TestOrg;
  let relay: RunningRelay;
  let clockOffsetMs = 0;
  const clients: RelayClient[] = [];
  const lines: string[] = [];
  /** Every shared id the relay handed out in these tests: none may ever reach its logs. */
  const sharedIds: Uint8Array[] = [];

  beforeAll(async () => {
    org = await newOrg();
    relay = await startRelay(
      relayConfig(org, {
        RELAY_BLOB_TTL_SECONDS: '60',
        RELAY_BLOB_MAX_TTL_SECONDS: '600',
        RELAY_SHARED_MAX_BYTES: String(SHARED_MAX_BYTES),
        RELAY_LOG_LEVEL: 'trace',
        ...storeEnv,
      }),
      { clock: () => Date.now() + clockOffsetMs, logDestination: { write: (line: string) => void lines.push(line) } },
    );
  });
  afterEach(() => {
    clockOffsetMs = 0;
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await relay.app.close();
    if (storeEnv.RELAY_STORE === 'redis') await deleteKeys(redisPrefix);
  });

  async function signedIn(): Promise<RelayClient> {
    const client = await RelayClient.signedIn(relay.url, await newDevice(org));
    clients.push(client);
    return client;
  }

  async function stored(client: RelayClient, blob: Uint8Array, ttl = 0): Promise<Uint8Array> {
    const sharedId = idOf(await putShared(client, blob, ttl));
    sharedIds.push(sharedId);
    return sharedId;
  }

  /** What the store holds of shared blobs: the memory store's bytes, or the number of sb: keys in Redis. */
  async function footprint(): Promise<number> {
    const { store } = relay.app.get<RelayRuntime>(RELAY_RUNTIME);
    if (store instanceof MemoryRelayStore) return store.usedBytes;
    const redis = new Redis(REDIS_URL as string);
    try {
      return (await redis.keys(`${redisPrefix}sb:*`)).length;
    } finally {
      redis.disconnect();
    }
  }

  async function metric(line: RegExp): Promise<number> {
    const body = await (await fetch(`${relay.url}/metrics`)).text();
    const match = line.exec(body);
    return match ? Number(match[1]) : 0;
  }
  const storedTotal = () => metric(/^relay_shared_blobs_stored_total (\d+)$/m);
  const fetches = (result: 'found' | 'not_found') =>
    metric(new RegExp(`^relay_shared_blob_fetches_total\\{result="${result}"\\} (\\d+)$`, 'm'));

  // First, while the store holds no shared blob: nothing can expire between the two readings.
  it('oversized: a blob over 65,536 bytes is refused and nothing is stored', async () => {
    const client = await signedIn();
    const before = { footprint: await footprint(), stored: await storedTotal() };
    expect(errorOf(await client.request('put_shared', oversizedPutShared(client.nextRequestId())))).toBe('oversized');
    expect({ footprint: await footprint(), stored: await storedTotal() }).toEqual(before);
  });

  it('malformed: an empty blob is refused and nothing is stored; a short id is refused', async () => {
    const client = await signedIn();
    const before = await footprint();
    const empty = encodePutShared({ requestId: client.nextRequestId(), blob: new Uint8Array(1) }).slice(0, 14);
    new DataView(empty.buffer).setUint32(10, 0);
    expect(errorOf(await client.request('put_shared', empty))).toBe('malformed');
    const shortId = encodeFetchShared({ requestId: client.nextRequestId(), sharedId: new Uint8Array(16) }).slice(0, 21);
    expect(errorOf(await client.request('fetch_shared', shortId))).toBe('malformed');
    expect(await footprint()).toBe(before);
  });

  it('put, then fetch from another connection: the same bytes', async () => {
    const writer = await signedIn();
    const sharedId = await stored(writer, blobOf('for every member'));
    writer.close();
    const member = await signedIn();
    expect(textOf(blobOfReply(await fetchShared(member, sharedId)))).toBe('for every member');
  });

  it('two fetches both succeed: fetching does not delete', async () => {
    const client = await signedIn();
    const sharedId = await stored(client, blobOf('fetched twice'));
    const other = await signedIn();
    expect(textOf(blobOfReply(await fetchShared(client, sharedId)))).toBe('fetched twice');
    expect(textOf(blobOfReply(await fetchShared(other, sharedId)))).toBe('fetched twice');
  });

  it('the id is 16 random bytes, different for every put, even of the same blob', async () => {
    const client = await signedIn();
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 16; i++) ids.push(await stored(client, blobOf('same bytes')));
    for (const sharedId of ids) expect(sharedId).toHaveLength(16);
    expect(new Set(ids.map((sharedId) => Buffer.from(sharedId).toString('hex'))).size).toBe(16);
    // Not a counter or a hash of the blob: 256 bytes drawn at random take well over 100 distinct values.
    expect(new Set(ids.flatMap((sharedId) => [...sharedId])).size).toBeGreaterThan(100);
  });

  it('unknown id: not_found', async () => {
    const client = await signedIn();
    expect(errorOf(await fetchShared(client, new Uint8Array(16).fill(0x5a)))).toBe('not_found');
  });

  it('fetch after the TTL: not_found (a TTL of 0 is the default, more than the maximum is lowered to it)', async () => {
    const client = await signedIn();
    const short = await stored(client, blobOf('five seconds'), 5);
    const byDefault = await stored(client, blobOf('default'), 0);
    const capped = await stored(client, blobOf('asks for a year'), 365 * 24 * 3600);
    clockOffsetMs = 4_000;
    expect(textOf(blobOfReply(await fetchShared(client, short)))).toBe('five seconds');
    clockOffsetMs = 5_000;
    expect(errorOf(await fetchShared(client, short))).toBe('not_found');
    clockOffsetMs = 59_000;
    expect(textOf(blobOfReply(await fetchShared(client, byDefault)))).toBe('default');
    clockOffsetMs = 60_000;
    expect(errorOf(await fetchShared(client, byDefault))).toBe('not_found');
    clockOffsetMs = 599_000;
    expect(textOf(blobOfReply(await fetchShared(client, capped)))).toBe('asks for a year');
    clockOffsetMs = 600_000;
    expect(errorOf(await fetchShared(client, capped))).toBe('not_found');
  });

  it('unsigned and anonymous like put, but only on an admitted connection', async () => {
    const stranger = await RelayClient.connect(relay.url);
    clients.push(stranger);
    expect(errorOf(await putShared(stranger, blobOf('before hello')))).toBe('not_authenticated');
    expect(errorOf(await fetchShared(stranger, new Uint8Array(16)))).toBe('not_authenticated');
  });

  it('metrics count stores and fetches by result, and never carry an id', async () => {
    const client = await signedIn();
    const before = { stored: await storedTotal(), found: await fetches('found'), missing: await fetches('not_found') };
    const sharedId = await stored(client, blobOf('counted'));
    await fetchShared(client, sharedId);
    await fetchShared(client, sharedId);
    await fetchShared(client, new Uint8Array(16).fill(0x77));
    expect({
      stored: await storedTotal(),
      found: await fetches('found'),
      missing: await fetches('not_found'),
    }).toEqual({ stored: before.stored + 1, found: before.found + 2, missing: before.missing + 1 });
    const body = await (await fetch(`${relay.url}/metrics`)).text();
    expect(body).toMatch(/relay_frames_total\{command="put_shared",result="ok"\} [1-9]/);
    expect(body).toMatch(/relay_frames_total\{command="fetch_shared",result="not_found"\} [1-9]/);
    expect(body).not.toContain(Buffer.from(sharedId).toString('hex'));
  });

  it('store_full past RELAY_SHARED_MAX_BYTES: nothing stored; room again once blobs expire', async () => {
    // Every blob of the earlier tests is past even the maximum TTL by now.
    clockOffsetMs = 700_000;
    const client = await signedIn();
    const first = await stored(client, new Uint8Array(40_000).fill(1));
    const before = { stored: await storedTotal() };
    expect(errorOf(await putShared(client, new Uint8Array(30_000).fill(2)))).toBe('store_full');
    expect({ stored: await storedTotal() }).toEqual(before);
    await stored(client, new Uint8Array(SHARED_MAX_BYTES - 40_000).fill(3));
    expect(errorOf(await putShared(client, new Uint8Array([4])))).toBe('store_full');
    expect(blobOfReply(await fetchShared(client, first))).toHaveLength(40_000);
    // Both are past their default TTL (the Redis store releases bytes up to a second after).
    clockOffsetMs = 700_000 + 61_000;
    await stored(client, new Uint8Array(30_000).fill(5));
  });

  it('the logs, at trace level, never contain a shared id (hex, base64 or base64url) nor a blob', async () => {
    expect(sharedIds.length).toBeGreaterThan(20);
    expect(lines.length).toBeGreaterThan(3);
    const text = lines.join('');
    for (const sharedId of sharedIds) {
      const buffer = Buffer.from(sharedId);
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        expect(text).not.toContain(buffer.toString(encoding));
    }
    for (const plain of ['for every member', 'fetched twice', 'asks for a year', 'counted'])
      expect(text).not.toContain(plain);
  });
});

describe('shared blobs on the token bucket (relay.md §8.3)', () => {
  it('a put_shared costs 4 tokens: admitted on one, the rest charged once it parses', async () => {
    const org = await newOrg();
    const relay = await startRelay(relayConfig(org, { RELAY_RATE_PER_SECOND: '1', RELAY_RATE_BURST: '8' }));
    try {
      const client = await RelayClient.signedIn(relay.url, await newDevice(org)); // hello: 8 → 7
      try {
        expect((await putShared(client, blobOf('a'))).ok).toBe(true); // 7 → 3
        expect((await putShared(client, blobOf('b'))).ok).toBe(true); // admitted on 3 → -1
        expect(errorOf(await fetchShared(client, new Uint8Array(16)))).toBe('rate_limited');
      } finally {
        client.close();
      }
    } finally {
      await relay.app.close();
    }
  });
});
