/**
 * Anonymous access (relay.md §3.2, access-tokens.md) against the booted relay: a hello redeems
 * one Privacy Pass token, once. Every refusal by name, each closing the connection with nothing
 * served after it; on the memory store and, when REDIS_URL is set, on the Redis store, where a
 * token spent on one node or before a restart stays spent.
 */
import { randomBytes } from 'node:crypto';
import { ACCESS_TOKEN_LENGTH, MAX_HELLO_TOKEN_BYTES, encodeCreate } from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import { Manager } from 'socket.io-client';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import type { RelayConfig } from '../../src/config/relay-config';
import { keySetOf, pendingCount, pushKeySet, rawHelloFrame, refusedHello } from '../support/access';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import {
  RelayClient,
  errorOf,
  generateEd25519KeyPair,
  newDevice,
  newOrg,
  nowSeconds,
  relayConfig,
  type TestOrg,
  type TestQueue,
} from '../support/relay-client';

const stores: [string, Record<string, string>][] = [['memory store', {}]];
const prefixes: string[] = [];
if (REDIS_URL) stores.push(['Redis store', { RELAY_STORE: 'redis', REDIS_URL }]);
else console.warn('[relay tests] access on the Redis store SKIPPED: REDIS_URL is not set');

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(prefix);
});

function storeEnv(base: Record<string, string>): Record<string, string> {
  if (base.RELAY_STORE !== 'redis') return base;
  const prefix = testPrefix();
  prefixes.push(prefix);
  return { ...base, RELAY_REDIS_PREFIX: prefix };
}

describe.each(stores)('anonymous access (%s)', (_name, baseEnv) => {
  let org: TestOrg;
  let relay: RunningRelay;
  let clockOffsetMs = 0;
  let owner: RelayClient;
  let witness: TestQueue;
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    org = await newOrg();
    relay = await startRelay(relayConfig(org, { RELAY_HELLO_TIMEOUT_SECONDS: '1', ...storeEnv(baseEnv) }), {
      clock: () => Date.now() + clockOffsetMs,
    });
    owner = await RelayClient.signedIn(relay.url, newDevice(org));
    witness = await owner.createQueue();
  });
  afterEach(async () => {
    clockOffsetMs = 0;
    for (const client of clients.splice(0)) client.close();
    // No refused connection got a blob in: the witness queue is still empty.
    expect(await pendingCount(owner, witness)).toBe(0);
  });
  afterAll(async () => {
    owner.close();
    await relay.app.close();
  });

  async function connect(): Promise<RelayClient> {
    const client = await RelayClient.connect(relay.url);
    clients.push(client);
    return client;
  }

  /** The code of a refused hello, having checked the connection was closed by the relay and served nothing more. */
  async function refusal(hello: { token: Uint8Array } | { frame: Uint8Array }): Promise<string> {
    const refused = await refusedHello(relay.url, hello, witness);
    expect(refused.closedBy).toBe('io server disconnect');
    expect(refused.repliesAfter).toEqual([]);
    return refused.error;
  }

  const origin = () => new URL(relay.url).host;

  it('a valid token lets a connection in, and then its commands are served', async () => {
    const client = await connect();
    expect(await client.hello(newDevice(org))).toEqual({ ok: true, requestId: 1, command: 'hello' });
    const queue = await client.createQueue();
    expect(queue.recipientId).toHaveLength(16);
  });

  it('a token minted for localhost:<port>, the other default name of this relay, is accepted too', async () => {
    const client = await connect();
    expect((await client.helloWith(await org.issuer.mint(`localhost:${new URL(relay.url).port}`))).ok).toBe(true);
  });

  it('not_authenticated: any queue command before hello, and nothing changes', async () => {
    const client = await connect();
    const reply = await client.request(
      'create',
      await encodeCreate(
        { requestId: 7 },
        { challenge: client.challenge, key: (await generateEd25519KeyPair()).privateKey },
      ),
    );
    expect(reply).toMatchObject({ ok: false, requestId: 7, command: 'create', error: 'not_authenticated' });
    expect(client.socket.connected).toBe(true);
  });

  it('already_authenticated: a second hello, the connection stays open, and its token is not spent', async () => {
    const client = await connect();
    await client.hello(newDevice(org));
    const second = await org.issuer.mint(origin());
    expect(errorOf(await client.helloWith(second))).toBe('already_authenticated');
    expect(client.socket.connected).toBe(true);
    const other = await connect();
    expect((await other.helloWith(second)).ok).toBe(true);
  });

  describe('refusals, each with its own code, each closing the connection', () => {
    it('token_spent: the same token again on a new connection, while the first stays in', async () => {
      const token = await org.issuer.mint(origin());
      const first = await connect();
      expect((await first.helloWith(token)).ok).toBe(true);
      expect(await refusal({ token })).toBe('token_spent');
      expect(await refusal({ token })).toBe('token_spent');
      expect(first.socket.connected).toBe(true);
    });

    it('token_spent: a token refused as spent is not spent again by the refusal (a fresh token still works)', async () => {
      const token = await org.issuer.mint(origin());
      expect((await (await connect()).helloWith(token)).ok).toBe(true);
      expect(await refusal({ token })).toBe('token_spent');
      expect((await (await connect()).helloWith(await org.issuer.mint(origin()))).ok).toBe(true);
    });

    it('token_invalid: one bit of the authenticator flipped', async () => {
      const token = await org.issuer.mint(origin());
      token[token.length - 1] = (token[token.length - 1] as number) ^ 1;
      expect(await refusal({ token })).toBe('token_invalid');
    });

    it('token_invalid: one bit of the nonce flipped (the signature covers it)', async () => {
      const token = await org.issuer.mint(origin());
      token[5] = (token[5] as number) ^ 0x80;
      expect(await refusal({ token })).toBe('token_invalid');
    });

    it('token_invalid: a forged token is not spent, so the genuine one still works', async () => {
      const token = await org.issuer.mint(origin());
      const forged = token.slice();
      forged[200] = (forged[200] as number) ^ 1;
      expect(await refusal({ token: forged })).toBe('token_invalid');
      expect((await (await connect()).helloWith(token)).ok).toBe(true);
    });

    it('token_wrong_origin: minted for another relay', async () => {
      expect(await refusal({ token: await org.issuer.mint('elsewhere.example') })).toBe('token_wrong_origin');
    });

    it('token_wrong_origin: minted for this relay’s host on another port', async () => {
      expect(await refusal({ token: await org.issuer.mint(`127.0.0.1:${Number(new URL(relay.url).port) + 1}`) })).toBe(
        'token_wrong_origin',
      );
    });

    it('token_wrong_origin: a challenge naming another organisation’s issuer, under this issuer’s key', async () => {
      expect(await refusal({ token: await org.issuer.mint(origin(), new Uint8Array(randomBytes(16))) })).toBe(
        'token_wrong_origin',
      );
    });

    it('token_unknown_key: a token of another organisation’s issuer', async () => {
      const stranger = await newOrg();
      expect(await refusal({ token: await stranger.issuer.mint(origin()) })).toBe('token_unknown_key');
    });

    it('token_unknown_key: a key of this organisation that is not in the set held', async () => {
      const unpublished = await TestTokenIssuer.create(org.orgId, org.key);
      expect(await refusal({ token: await unpublished.mint(origin()) })).toBe('token_unknown_key');
    });

    it('token_expired: a token whose key is past its acceptUntil (injected clock)', async () => {
      const token = await org.issuer.mint(origin());
      clockOffsetMs = org.issuer.key.acceptUntil * 1000 - Date.now();
      expect(await refusal({ token })).toBe('token_expired');
      clockOffsetMs = 0;
      // Refused before it was spent: within its window, the same token is still good.
      expect((await (await connect()).helloWith(token)).ok).toBe(true);
    });

    it('token_malformed: a token of the wrong length, too short or too long', async () => {
      const token = await org.issuer.mint(origin());
      expect(await refusal({ token: token.subarray(0, ACCESS_TOKEN_LENGTH - 1) })).toBe('token_malformed');
      expect(await refusal({ token: new Uint8Array(ACCESS_TOKEN_LENGTH + 1) })).toBe('token_malformed');
      expect(await refusal({ token: new Uint8Array(MAX_HELLO_TOKEN_BYTES).fill(2) })).toBe('token_malformed');
    });

    it('token_malformed: a token of another type than blind RSA (0x0002)', async () => {
      const token = await org.issuer.mint(origin());
      token[1] = 0x01;
      expect(await refusal({ token })).toBe('token_malformed');
    });

    it('oversized: a token longer than any hello carries; malformed: an empty one, or a truncated frame', async () => {
      expect(await refusal({ frame: rawHelloFrame(1, new Uint8Array(MAX_HELLO_TOKEN_BYTES + 1)) })).toBe('oversized');
      expect(await refusal({ frame: rawHelloFrame(1, new Uint8Array(0)) })).toBe('malformed');
      expect(await refusal({ frame: rawHelloFrame(1, await org.issuer.mint(origin())).subarray(0, 100) })).toBe(
        'malformed',
      );
    });
  });

  it('token_expired: an authenticated connection is closed with that notice when its token’s key stops being accepted', async () => {
    const now = nowSeconds();
    const shortLived = await TestTokenIssuer.create(org.orgId, org.key, {
      issueFrom: now - 60,
      issueUntil: now + 1,
      acceptUntil: now + 2,
    });
    expect(await pushKeySet(relay.url, await keySetOf(org, 2, [org.issuer, shortLived]))).toEqual({
      status: 200,
      body: { setVersion: 2 },
    });
    const client = await connect();
    expect((await client.helloWith(await shortLived.mint(origin()))).ok).toBe(true);
    const closedBy = await client.disconnected();
    expect(closedBy).toBe('io server disconnect');
    expect(client.notices.map((n) => n.error)).toEqual(['token_expired']);
    expect(Date.now()).toBeGreaterThanOrEqual(shortLived.key.acceptUntil * 1000 - 50);
    // The clock as the relay reads it: a later token of that key is refused by name.
    expect(await refusal({ token: await shortLived.mint(origin()) })).toBe('token_expired');
  }, 10_000);

  it('hello_timeout: a connection that never says hello is told and closed', async () => {
    const client = await connect();
    const reason = await client.disconnected();
    expect(reason).toBe('io server disconnect');
    expect(client.notices.map((n) => n.error)).toEqual(['hello_timeout']);
  });

  it("a transport that never joins (no socket.io CONNECT packet) is dropped at the hello timeout, not after socket.io's 45 s", async () => {
    const manager = new Manager(relay.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    await new Promise<void>((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve())));
    const opened = Date.now();
    const closed = new Promise<number>((resolve) => manager.engine.on('close', () => resolve(Date.now())));
    // RELAY_HELLO_TIMEOUT_SECONDS is 1 here; socket.io's own connectTimeout would be 45 s.
    const closedAt = await Promise.race([
      closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 8_000)),
    ]);
    manager.engine?.close();
    expect(closedAt - opened).toBeLessThan(8_000);
  }, 15_000);
});

describeWithRedis('a spent token stays spent across nodes and restarts (Redis store)', () => {
  // Both nodes and the restarted one answer to one name, as behind a load balancer.
  const name = 'relay.test:8443';
  let org: TestOrg;
  let config: RelayConfig;
  let witnessOwner: RelayClient;
  let witness: TestQueue;
  let nodeA: RunningRelay;

  beforeAll(async () => {
    org = await newOrg();
    config = relayConfig(org, {
      ...storeEnv({ RELAY_STORE: 'redis', REDIS_URL: REDIS_URL as string }),
      RELAY_TOKEN_ORIGINS: name,
    });
    nodeA = await startRelay(config);
    witnessOwner = await RelayClient.connect(nodeA.url);
    expect((await witnessOwner.helloWith(await org.issuer.mint(name))).ok).toBe(true);
    witness = await witnessOwner.createQueue();
  });
  afterAll(async () => {
    witnessOwner.close();
    await nodeA.app.close();
  });

  async function expectRefused(url: string, token: Uint8Array, code: string): Promise<void> {
    const refused = await refusedHello(url, { token }, witness);
    expect(refused).toEqual({ error: code, closedBy: 'io server disconnect', repliesAfter: [] });
    expect(await pendingCount(witnessOwner, witness)).toBe(0);
  }

  it('token_spent: spent on node A, refused on node B', async () => {
    const nodeB = await startRelay(config);
    try {
      const token = await org.issuer.mint(name);
      const onA = await RelayClient.connect(nodeA.url);
      expect((await onA.helloWith(token)).ok).toBe(true);
      await expectRefused(nodeB.url, token, 'token_spent');
      onA.close();
    } finally {
      await nodeB.app.close();
    }
  });

  it('token_spent: spent before a restart, refused after it', async () => {
    const node = await startRelay(config);
    const token = await org.issuer.mint(name);
    const client = await RelayClient.connect(node.url);
    expect((await client.helloWith(token)).ok).toBe(true);
    client.close();
    await node.app.close();
    const restarted = await startRelay(config);
    try {
      await expectRefused(restarted.url, token, 'token_spent');
    } finally {
      await restarted.app.close();
    }
  });

  it('the same token said on two nodes at once is let in once', async () => {
    const nodeB = await startRelay(config);
    try {
      const token = await org.issuer.mint(name);
      const [onA, onB] = await Promise.all([RelayClient.connect(nodeA.url), RelayClient.connect(nodeB.url)]);
      const replies = await Promise.all([onA.helloWith(token), onB.helloWith(token)]);
      expect(replies.map(errorOf).sort()).toEqual(['ok', 'token_spent']);
      onA.close();
      onB.close();
    } finally {
      await nodeB.app.close();
    }
  });
});
