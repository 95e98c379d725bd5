/**
 * Two relay nodes sharing one Redis (relay.md §5.4, §7, §9): live delivery across nodes, a restart
 * losing nothing within the TTL, revocation reaching every node, and a dump holding no identity.
 * Runs when REDIS_URL is set (CI sets it).
 */
import { randomBytes } from 'node:crypto';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import type { RelayConfig } from '../../src/config/relay-config';
import { REDIS_URL, deleteKeys, describeWithRedis, dumpKeys, testPrefix } from '../support/redis';
import { RelayClient, blobOf, errorOf, generateEd25519KeyPair, newDevice, newOrg, relayConfig, revocationList, textOf, type TestOrg } from '../support/relay-client';

describeWithRedis('scale-out over one Redis', () => {
  let org: TestOrg;
  let config: RelayConfig;
  let nodeA: RunningRelay;
  let nodeB: RunningRelay;
  const prefix = testPrefix();
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    org = await newOrg();
    config = relayConfig(org, { RELAY_STORE: 'redis', REDIS_URL: REDIS_URL as string, RELAY_REDIS_PREFIX: prefix });
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

  async function signedIn(node: RunningRelay, device?: Awaited<ReturnType<typeof newDevice>>): Promise<RelayClient> {
    const client = await RelayClient.signedIn(node.url, device ?? (await newDevice(org)));
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
    const client = await RelayClient.signedIn(node.url, await newDevice(org));
    const queue = await client.createQueue();
    for (const text of ['first', 'second']) await client.put(queue.senderId, blobOf(text));
    client.close();
    await node.app.close();

    const restarted = await startRelay(config);
    try {
      const back = await RelayClient.signedIn(restarted.url, await newDevice(org));
      clients.push(back);
      const reply = await back.fetch(queue);
      expect(reply.ok && reply.command === 'fetch' ? reply.messages.map((m) => textOf(m.blob)) : errorOf(reply)).toEqual(['first', 'second']);
    } finally {
      await restarted.app.close();
    }
  });

  it('a revocation list pushed to node A closes the device’s connection on node B within 2 seconds', async () => {
    const device = await newDevice(org);
    const onB = await signedIn(nodeB, device);
    const pusher = await signedIn(nodeA);
    const started = Date.now();
    const closed = onB.disconnected();
    expect((await pusher.pushRevocationList(await revocationList(org, 10, [device.deviceId]))).ok).toBe(true);
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(onB.notices.map((n) => n.error)).toEqual(['device_revoked']);
    // A node started later takes the list from the store.
    const later = await startRelay(config);
    try {
      expect(errorOf(await (await RelayClient.connect(later.url)).hello(device))).toBe('device_revoked');
    } finally {
      await later.app.close();
    }
  });

  it('concurrent claims through both nodes never get the same one-time prekey', async () => {
    const owner = await signedIn(nodeA);
    const slotId = new Uint8Array(randomBytes(16));
    const keys = Array.from({ length: 30 }, () => new Uint8Array(randomBytes(32)));
    await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), blobOf('bundle'), keys);
    const claimers = [await signedIn(nodeA), await signedIn(nodeB), await signedIn(nodeA), await signedIn(nodeB)];
    const replies = await Promise.all(claimers.flatMap((c) => Array.from({ length: 10 }, () => c.claimPrekey(slotId))));
    const handed = replies.flatMap((r) => (r.ok && r.command === 'prekey_claim' && r.oneTimePrekey ? [Buffer.from(r.oneTimePrekey).toString('hex')] : []));
    expect(handed).toHaveLength(30);
    expect(new Set(handed).size).toBe(30);
  });

  it('a dump of Redis holds no device id, user address or attestation, next to queue ids or anywhere', async () => {
    const device = await newDevice(org, { userAddress: 'dump.probe@ministry.example' });
    const client = await signedIn(nodeA, device);
    const queue = await client.createQueue();
    await client.put(queue.senderId, blobOf('opaque'));
    await client.subscribe(queue);
    const dump = Buffer.concat(await dumpKeys(prefix));
    for (const secret of [device.deviceId, Buffer.from(device.userAddress), device.attestation.subarray(0, 64), device.key.publicKey]) {
      expect(dump.includes(Buffer.from(secret))).toBe(false);
      expect(dump.includes(Buffer.from(Buffer.from(secret).toString('hex')))).toBe(false);
    }
    // The queue is there, under its random ids only.
    expect(dump.includes(Buffer.from(Buffer.from(queue.recipientId).toString('hex')))).toBe(true);
  });
});
