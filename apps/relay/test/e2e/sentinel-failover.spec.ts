/**
 * Redis Sentinel (relay.md §9.1): two relay nodes follow the primary three sentinels name. The
 * primary is killed (SIGKILL) while a sender keeps putting; every put the relay acknowledged is
 * still in the recipient's queue afterwards, in order, and both nodes go on writing to the new
 * primary. Live delivery across the nodes goes on: the recipient, connected to the other node all
 * along, is pushed every acknowledged message, those published while that node's adapter
 * subscriber was moving to the new primary too (pushed again once it is back, relay.md §9.1).
 * With RELAY_REDIS_MIN_REPLICAS a write no replica confirms is refused `unavailable`, never
 * acknowledged. Runs where the Redis tests run (REDIS_URL set: CI), on redis-server processes of
 * its own on free loopback ports.
 */
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { describeWithRedis, testPrefix } from '../support/redis';
import { LocalSentinelSet, REDIS_SERVER, freePort, hasRedisServer } from '../support/redis-sentinel';
import { spawn } from 'node:child_process';
import type { RelayReply } from '@opendescent/protocol';
import { RelayClient, blobOf, errorOf, newOrg, relayConfig, textOf, type TestOrg } from '../support/relay-client';

const NAME = 'relay.test:8443';

describeWithRedis('Redis Sentinel failover', () => {
  let org: TestOrg;
  let set: LocalSentinelSet;
  let nodeA: RunningRelay;
  let nodeB: RunningRelay;
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    if (!hasRedisServer()) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs redis-server`);
    org = await newOrg();
    // Two replicas: after one failover the new primary still has one to confirm writes.
    set = await LocalSentinelSet.start(2);
    const config = relayConfig(org, {
      RELAY_STORE: 'redis',
      RELAY_REDIS_SENTINELS: set.sentinelList,
      RELAY_REDIS_SENTINEL_NAME: set.name,
      RELAY_REDIS_MIN_REPLICAS: '1',
      RELAY_REDIS_PREFIX: testPrefix(),
      RELAY_TOKEN_ORIGINS: NAME,
    });
    nodeA = await startRelay(config);
    nodeB = await startRelay(config);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all([nodeA?.app.close(), nodeB?.app.close()]);
    await set?.stop();
  });

  const device = () => ({ issuer: org.issuer, token: () => org.issuer.mint(NAME) });
  async function signedIn(node: RunningRelay): Promise<RelayClient> {
    const client = await RelayClient.signedIn(node.url, device());
    clients.push(client);
    return client;
  }

  it('a primary killed during traffic: every acknowledged put survives, and the relays follow the new primary', async () => {
    const recipient = await signedIn(nodeB);
    const sender = await signedIn(nodeA);
    const queue = await recipient.createQueue();
    await recipient.subscribe(queue);
    const oldPrimary = await set.primaryPort();

    // The sender's outbox: each message is put until the relay acknowledges it, in order, as a
    // device does; the primary dies once a third of them are acknowledged.
    const total = 90;
    const acknowledged: string[] = [];
    const refusals = new Map<string, number>();
    let killedAt = -1;
    const deadline = Date.now() + 45_000;
    for (let i = 0; i < total;) {
      if (i === total / 3 && killedAt < 0) {
        killedAt = acknowledged.length;
        set.kill(oldPrimary);
      }
      const text = `message ${i}`;
      const reply = await sender.put(queue.senderId, blobOf(text));
      if (reply.ok) {
        acknowledged.push(text);
        i++;
        continue;
      }
      refusals.set(errorOf(reply), (refusals.get(errorOf(reply)) ?? 0) + 1);
      if (Date.now() > deadline) throw new Error(`no primary after 45 s; refusals ${JSON.stringify([...refusals])}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const newPrimary = await set.failedOverFrom(oldPrimary);
    expect(newPrimary).not.toBe(oldPrimary);
    // While no primary answered, puts were refused `unavailable` only (no other error, no crash).
    expect([...refusals.keys()].filter((error) => error !== 'unavailable')).toEqual([]);
    expect(refusals.get('unavailable') ?? 0).toBeGreaterThan(0);

    // Every acknowledged message is in the queue, in the sender's order. A put refused during the
    // failover may also have been stored; the device put it again, so it may be there twice.
    // Read back on node B, as the recipient's device would after the failover. A replica that is
    // still catching up on the new primary may refuse a moment longer (`unavailable`): asked again.
    const again = async (work: () => Promise<RelayReply>): Promise<RelayReply> => {
      for (const until = Date.now() + 30_000; ;) {
        const reply = await work();
        if (reply.ok || errorOf(reply) !== 'unavailable' || Date.now() > until) return reply;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const reader = await RelayClient.connect(nodeB.url);
    clients.push(reader);
    expect(errorOf(await again(() => reader.hello(device())))).toBe('ok');
    const stored: string[] = [];
    for (let more = true; more;) {
      const reply = await again(() => reader.fetch(queue, 100));
      if (!reply.ok || reply.command !== 'fetch') throw new Error(`fetch refused: ${errorOf(reply)}`);
      stored.push(...reply.messages.map((m) => textOf(m.blob)));
      more = reply.more && stored.length < 500;
      if (more)
        expect(
          errorOf(
            await again(() =>
              reader.ack(
                queue,
                reply.messages.map((m) => m.messageId),
              ),
            ),
          ),
        ).toBe('ok');
    }
    const distinct = stored.filter((text, i) => stored.indexOf(text) === i);
    expect(distinct).toEqual(acknowledged);

    // Live delivery: the recipient, on node B all along and never subscribing again, was pushed
    // every acknowledged message, including those published while node B's subscriber was away.
    const pushed = () => new Set(recipient.deliveries.map((delivery) => textOf(delivery.blob)));
    await recipient.until(() => acknowledged.every((text) => pushed().has(text)), 20_000);
    // And a message put on node A now reaches it live, through the new primary.
    expect(errorOf(await again(() => sender.put(queue.senderId, blobOf('after the failover'))))).toBe('ok');
    await recipient.until(() => pushed().has('after the failover'), 10_000);
  }, 90_000);
});

describeWithRedis('RELAY_REDIS_MIN_REPLICAS', () => {
  let org: TestOrg;
  let port: number;
  let lone: ReturnType<typeof spawn>;
  const relays: RunningRelay[] = [];
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    if (!hasRedisServer()) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs redis-server`);
    org = await newOrg();
    // A primary with no replica at all.
    port = await freePort();
    lone = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(relays.map((relay) => relay.app.close()));
    lone.kill('SIGKILL');
  });

  async function relayWith(minReplicas: string): Promise<RelayClient> {
    const relay = await startRelay(
      relayConfig(org, {
        RELAY_STORE: 'redis',
        REDIS_URL: `redis://127.0.0.1:${port}`,
        RELAY_REDIS_MIN_REPLICAS: minReplicas,
        RELAY_REDIS_PREFIX: testPrefix(),
        RELAY_TOKEN_ORIGINS: NAME,
      }),
    );
    relays.push(relay);
    // hello spends a token: a write too, so it needs no replica here (0) to sign in at all.
    const client = await RelayClient.connect(relay.url);
    clients.push(client);
    return client;
  }

  it('a write no replica confirms is refused `unavailable`, not acknowledged', async () => {
    const client = await relayWith('1');
    const reply = await client.hello({ issuer: org.issuer, token: () => org.issuer.mint(NAME) });
    expect(errorOf(reply)).toBe('unavailable');
  });

  it('with 0 the same primary acknowledges at once', async () => {
    const client = await relayWith('0');
    expect(errorOf(await client.hello({ issuer: org.issuer, token: () => org.issuer.mint(NAME) }))).toBe('ok');
  });
});
