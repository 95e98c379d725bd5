/**
 * Two relay nodes sharing one Redis (relay.md §3.2, §5.4, §7, §9): live delivery across nodes, a
 * restart losing nothing within the TTL, revocation lists and token key sets reaching every node,
 * a token spent on one node refused on the other, and a dump holding no byte of a token. Both
 * nodes answer to one name, as behind a load balancer. Runs when REDIS_URL is set (CI sets it).
 */
import { randomBytes } from 'node:crypto';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import type { RelayConfig } from '../../src/config/relay-config';
import { REDIS_URL, deleteKeys, describeWithRedis, dumpKeys, testPrefix } from '../support/redis';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import { heldKeySet, keySetOf, pushKeySet } from '../support/access';
import {
  RelayClient,
  blobOf,
  errorOf,
  generateEd25519KeyPair,
  newDeviceId,
  newOrg,
  relayConfig,
  revocationList,
  textOf,
  type TestDevice,
  type TestOrg,
} from '../support/relay-client';

/** The one name both nodes answer to (RELAY_TOKEN_ORIGINS), and a device whose tokens are for it. */
const NAME = 'relay.test:8443';
const deviceFor = (org: TestOrg, issuer = org.issuer): TestDevice => ({ issuer, token: () => issuer.mint(NAME) });

describeWithRedis('scale-out over one Redis', () => {
  let org: TestOrg;
  let config: RelayConfig;
  let nodeA: RunningRelay;
  let nodeB: RunningRelay;
  const prefix = testPrefix();
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    org = await newOrg();
    config = relayConfig(org, {
      RELAY_STORE: 'redis',
      REDIS_URL: REDIS_URL as string,
      RELAY_REDIS_PREFIX: prefix,
      RELAY_TOKEN_ORIGINS: NAME,
    });
    nodeA = await startRelay(config);
    nodeB = await startRelay(config);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all([nodeA.app.close(), nodeB.app.close()]);
    await deleteKeys(prefix);
  });

  async function signedIn(node: RunningRelay, device: TestDevice = deviceFor(org)): Promise<RelayClient> {
    const client = await RelayClient.signedIn(node.url, device);
    clients.push(client);
    return client;
  }

  it('a subscriber on node B receives live what was put on node A', async () => {
    const recipient = await signedIn(nodeB);
    const sender = await signedIn(nodeA);
    const queue = await recipient.createQueue();
    await recipient.subscribe(queue);
    expect((await sender.put(queue.senderId, blobOf('across nodes'))).ok).toBe(true);
    await recipient.until(() => recipient.deliveries.length === 1);
    expect(textOf(recipient.deliveries[0]?.blob as Uint8Array)).toBe('across nodes');
  });

  it('a group fan-out from node A reaches members on both nodes', async () => {
    const sender = await signedIn(nodeA);
    const members = [await signedIn(nodeA), await signedIn(nodeB), await signedIn(nodeB)];
    const queues = await Promise.all(members.map((m) => m.createQueue()));
    await Promise.all(members.map((m, i) => m.subscribe(queues[i] as (typeof queues)[number])));
    const reply = await sender.putMany(queues.map((q) => ({ senderId: q.senderId, blob: blobOf('to the group') })));
    expect(reply).toMatchObject({ ok: true, statuses: ['ok', 'ok', 'ok'] });
    await Promise.all(members.map((m) => m.until(() => m.deliveries.length === 1)));
  });

  it('a restart loses nothing within the TTL: blobs put before it are fetched after it', async () => {
    const node = await startRelay(config);
    const client = await RelayClient.signedIn(node.url, deviceFor(org));
    const queue = await client.createQueue();
    for (const text of ['first', 'second']) await client.put(queue.senderId, blobOf(text));
    client.close();
    await node.app.close();

    const restarted = await startRelay(config);
    try {
      const back = await RelayClient.signedIn(restarted.url, deviceFor(org));
      clients.push(back);
      const reply = await back.fetch(queue);
      expect(
        reply.ok && reply.command === 'fetch' ? reply.messages.map((m) => textOf(m.blob)) : errorOf(reply),
      ).toEqual(['first', 'second']);
    } finally {
      await restarted.app.close();
    }
  });

  it('a revocation list pushed to node A is forwarded to connections on node B within 2 seconds, none closed; a later node hands it out after hello', async () => {
    const onB = [await signedIn(nodeB), await signedIn(nodeB)];
    const pusher = await signedIn(nodeA);
    const list = await revocationList(org, 10, [newDeviceId()]);
    const started = Date.now();
    expect((await pusher.pushRevocationList(list)).ok).toBe(true);
    await Promise.all(onB.map((c) => c.until(() => c.revocationLists.length === 1, 2_000)));
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const c of onB) expect(Buffer.from(c.revocationLists[0] as Uint8Array).equals(Buffer.from(list))).toBe(true);
    expect(onB.every((c) => c.socket.connected && c.notices.length === 0)).toBe(true);
    // A node started later takes the list from the store.
    const later = await startRelay(config);
    try {
      const client = await signedIn(later);
      await client.until(() => client.revocationLists.length === 1, 2_000);
      expect(Buffer.from(client.revocationLists[0] as Uint8Array).equals(Buffer.from(list))).toBe(true);
    } finally {
      await later.app.close();
    }
  });

  it('a token key set pushed to node A is used by node B: a token of its new key is let in there', async () => {
    const next = await TestTokenIssuer.create(org.orgId, org.key);
    const onB = await RelayClient.connect(nodeB.url);
    clients.push(onB);
    const refusedFirst = await RelayClient.connect(nodeB.url);
    clients.push(refusedFirst);
    expect(errorOf(await refusedFirst.helloWith(await next.mint(NAME)))).toBe('token_unknown_key');
    expect(await pushKeySet(nodeA.url, await keySetOf(org, 2, [org.issuer, next]))).toEqual({
      status: 200,
      body: { setVersion: 2 },
    });
    const deadline = Date.now() + 2_000;
    let reply = errorOf(await onB.helloWith(await next.mint(NAME)));
    while (reply === 'token_unknown_key' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const retry = await RelayClient.connect(nodeB.url);
      clients.push(retry);
      reply = errorOf(await retry.helloWith(await next.mint(NAME)));
    }
    expect(reply).toBe('ok');
    const [heldOnA, heldOnB] = await Promise.all([heldKeySet(nodeA.url), heldKeySet(nodeB.url)]);
    expect(heldOnB && heldOnA && Buffer.from(heldOnB).equals(Buffer.from(heldOnA))).toBe(true);
  });

  it('token_spent: a token spent on node A is refused on node B, and that connection is closed', async () => {
    const token = await org.issuer.mint(NAME);
    const onA = await RelayClient.connect(nodeA.url);
    clients.push(onA);
    expect((await onA.helloWith(token)).ok).toBe(true);
    const onB = await RelayClient.connect(nodeB.url);
    clients.push(onB);
    const closed = onB.disconnected();
    expect(errorOf(await onB.helloWith(token))).toBe('token_spent');
    expect(await closed).toBe('io server disconnect');
  });

  it('concurrent claims through both nodes never get the same one-time prekey', async () => {
    const owner = await signedIn(nodeA);
    const slotId = new Uint8Array(randomBytes(16));
    const keys = Array.from({ length: 30 }, () => new Uint8Array(randomBytes(32)));
    await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), blobOf('bundle'), keys);
    const claimers = [await signedIn(nodeA), await signedIn(nodeB), await signedIn(nodeA), await signedIn(nodeB)];
    const replies = await Promise.all(claimers.flatMap((c) => Array.from({ length: 10 }, () => c.claimPrekey(slotId))));
    const handed = replies.flatMap((r) =>
      r.ok && r.command === 'prekey_claim' && r.oneTimePrekey ? [Buffer.from(r.oneTimePrekey).toString('hex')] : [],
    );
    expect(handed).toHaveLength(30);
    expect(new Set(handed).size).toBe(30);
  });

  it('a dump of Redis holds no byte of the tokens redeemed on either node, next to queue ids or anywhere', async () => {
    const tokens = [await org.issuer.mint(NAME), await org.issuer.mint(NAME)];
    const device = (token: Uint8Array): TestDevice => ({ issuer: org.issuer, token: async () => token });
    const client = await signedIn(nodeA, device(tokens[0] as Uint8Array));
    const other = await signedIn(nodeB, device(tokens[1] as Uint8Array));
    const queue = await client.createQueue();
    await other.put(queue.senderId, blobOf('opaque'));
    await client.subscribe(queue);
    const dump = Buffer.concat(await dumpKeys(prefix));
    for (const token of tokens) {
      for (const part of [token, token.subarray(2, 34), token.subarray(token.length - 64)]) {
        expect(dump.includes(Buffer.from(part))).toBe(false);
        expect(dump.includes(Buffer.from(Buffer.from(part).toString('hex')))).toBe(false);
      }
    }
    // The queue is there, under its random ids only.
    expect(dump.includes(Buffer.from(Buffer.from(queue.recipientId).toString('hex')))).toBe(true);
  });
});
