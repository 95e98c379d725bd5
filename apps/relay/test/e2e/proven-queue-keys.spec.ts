/**
 * relay.md §6.3: `fetch` and `ack` without a signature, on a connection that has proven the
 * queue's key over its own challenge; refused (`auth`, nothing changed) everywhere else. On the
 * memory store and, when REDIS_URL is set, on the Redis store.
 */
import { encodeDelete } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { MAX_PROVEN_QUEUES_PER_CONNECTION } from '../../src/gateway/connection-state';
import { REDIS_URL, deleteKeys, testPrefix } from '../support/redis';
import {
  RelayClient,
  blobOf,
  errorOf,
  newDevice,
  newOrg,
  relayConfig,
  textOf,
  type TestDevice,
  type TestOrg,
  type TestQueue,
} from '../support/relay-client';

const stores: [string, Record<string, string>][] = [['memory store', {}]];
const redisPrefix = testPrefix();
if (REDIS_URL) stores.push(['Redis store', { RELAY_STORE: 'redis', REDIS_URL, RELAY_REDIS_PREFIX: redisPrefix }]);
else console.warn('[relay tests] proven queue keys on the Redis store SKIPPED: REDIS_URL is not set');

describe.each(stores)('queue keys proven on a connection (%s)', (_name, storeEnv) => {
  let org: TestOrg;
  let relay: RunningRelay;
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    org = await newOrg();
    relay = await startRelay(relayConfig(org, storeEnv));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await relay.app.close();
    if (storeEnv.RELAY_STORE === 'redis') await deleteKeys(redisPrefix);
  });

  async function signedIn(device?: TestDevice): Promise<RelayClient> {
    const client = await RelayClient.signedIn(relay.url, device ?? (await newDevice(org)));
    clients.push(client);
    return client;
  }

  /** A queue created on `owner`, holding one blob put by another connection; returns its message id. */
  async function queueWithOneBlob(
    owner: RelayClient,
    text = 'pending',
  ): Promise<{ queue: TestQueue; messageId: Uint8Array }> {
    const queue = await owner.createQueue();
    const sender = await signedIn();
    expect((await sender.put(queue.senderId, blobOf(text))).ok).toBe(true);
    const fetched = await owner.fetch(queue);
    if (!fetched.ok || fetched.command !== 'fetch' || fetched.messages[0] === undefined)
      throw new Error('expected one pending blob');
    return { queue, messageId: fetched.messages[0].messageId };
  }

  /** What is pending, read with a signed fetch (so the check itself needs no proof). */
  async function pendingTexts(reader: RelayClient, queue: TestQueue): Promise<string[]> {
    const reply = await reader.fetch(queue);
    if (!reply.ok || reply.command !== 'fetch') throw new Error(errorOf(reply));
    return reply.messages.map((m) => textOf(m.blob));
  }

  it('the creating connection may fetch and ack its queue without signatures', async () => {
    const owner = await signedIn();
    const { queue, messageId } = await queueWithOneBlob(owner, 'hello');
    const fetched = await owner.fetchUnsigned(queue);
    expect(fetched.ok && fetched.command === 'fetch' && fetched.messages.map((m) => textOf(m.blob))).toEqual(['hello']);
    expect((await owner.ackUnsigned(queue, [messageId])).ok).toBe(true);
    expect(await pendingTexts(owner, queue)).toEqual([]);
    // Idempotent, unsigned as signed (§3.8).
    expect((await owner.ackUnsigned(queue, [messageId])).ok).toBe(true);
  });

  it('a signed subscribe proves the key: the subscriber then acks its deliveries unsigned', async () => {
    const owner = await signedIn();
    const { queue } = await queueWithOneBlob(owner, 'pushed');
    const subscriber = await signedIn();
    expect((await subscriber.subscribe(queue)).ok).toBe(true);
    await subscriber.until(() => subscriber.deliveries.length === 1);
    expect((await subscriber.ackUnsigned(queue, [subscriber.deliveries[0]?.messageId as Uint8Array])).ok).toBe(true);
    expect(await pendingTexts(owner, queue)).toEqual([]);
  });

  it('unsigned ack of a queue never proven on this connection is refused with auth and deletes nothing', async () => {
    const owner = await signedIn();
    const { queue, messageId } = await queueWithOneBlob(owner, 'kept');
    const stranger = await signedIn();
    expect(errorOf(await stranger.ackUnsigned(queue, [messageId]))).toBe('auth');
    expect(errorOf(await stranger.fetchUnsigned(queue))).toBe('auth');
    expect(await pendingTexts(owner, queue)).toEqual(['kept']);
  });

  it('unsigned ack of a queue that does not exist is the same auth as an unproven one', async () => {
    const client = await signedIn();
    const ghost = { recipientId: new Uint8Array(16).fill(7) };
    expect(errorOf(await client.ackUnsigned(ghost, [new Uint8Array(16)]))).toBe('auth');
    expect(errorOf(await client.fetchUnsigned(ghost))).toBe('auth');
  });

  it('a proof on connection A does not authorise connection B, even of the same device', async () => {
    const device = await newDevice(org);
    const a = await signedIn(device);
    const { queue, messageId } = await queueWithOneBlob(a, 'mine');
    const b = await signedIn(device);
    expect(errorOf(await b.ackUnsigned(queue, [messageId]))).toBe('auth');
    expect(errorOf(await b.fetchUnsigned(queue))).toBe('auth');
    expect(await pendingTexts(a, queue)).toEqual(['mine']);
  });

  it('after a disconnection the proof is gone: the new connection must prove the key again', async () => {
    const device = await newDevice(org);
    const first = await signedIn(device);
    const { queue, messageId } = await queueWithOneBlob(first, 'survives');
    first.close();
    await first.disconnected();
    const second = await signedIn(device);
    expect(errorOf(await second.ackUnsigned(queue, [messageId]))).toBe('auth');
    expect(await pendingTexts(second, queue)).toEqual(['survives']);
    // The signed fetch above proved it on this connection (§6.3): now unsigned works.
    expect((await second.ackUnsigned(queue, [messageId])).ok).toBe(true);
    expect(await pendingTexts(second, queue)).toEqual([]);
  });

  it('a refused signed subscribe or ack (wrong key) proves nothing', async () => {
    const owner = await signedIn();
    const { queue, messageId } = await queueWithOneBlob(owner, 'guarded');
    const impostor = await signedIn();
    const wrongKey = (await impostor.createQueue()).key;
    expect(errorOf(await impostor.subscribe(queue, wrongKey))).toBe('auth');
    expect(errorOf(await impostor.ack(queue, [messageId], wrongKey))).toBe('auth');
    expect(errorOf(await impostor.ackUnsigned(queue, [messageId]))).toBe('auth');
    expect(await pendingTexts(owner, queue)).toEqual(['guarded']);
  });

  it('a bad signature is refused even on a connection that has proven the key (no fallback to the proof)', async () => {
    const owner = await signedIn();
    const { queue, messageId } = await queueWithOneBlob(owner, 'still here');
    const wrongKey = (await owner.createQueue()).key;
    expect(errorOf(await owner.ack(queue, [messageId], wrongKey))).toBe('auth');
    expect(errorOf(await owner.fetch(queue, 10, wrongKey))).toBe('auth');
    expect(await pendingTexts(owner, queue)).toEqual(['still here']);
  });

  it('delete still needs a signature: a delete frame without one is malformed and the queue stays', async () => {
    const owner = await signedIn();
    const { queue } = await queueWithOneBlob(owner, 'not deleted');
    const signed = await encodeDelete(
      { requestId: owner.nextRequestId(), recipientId: queue.recipientId },
      { challenge: owner.challenge, key: queue.key.privateKey },
    );
    expect(errorOf(await owner.request('delete', signed.slice(0, signed.length - 64)))).toBe('malformed');
    expect(await pendingTexts(owner, queue)).toEqual(['not deleted']);
  });

  it('a queue deleted (here or on another connection) answers unsigned commands with auth', async () => {
    const owner = await signedIn();
    const { queue, messageId } = await queueWithOneBlob(owner);
    expect((await owner.deleteQueue(queue)).ok).toBe(true);
    expect(errorOf(await owner.ackUnsigned(queue, [messageId]))).toBe('auth');
    expect(errorOf(await owner.fetchUnsigned(queue))).toBe('auth');

    const other = await signedIn();
    const second = await queueWithOneBlob(other);
    const deleter = await signedIn();
    expect((await deleter.deleteQueue(second.queue)).ok).toBe(true);
    expect(errorOf(await other.ackUnsigned(second.queue, [second.messageId]))).toBe('auth');
    expect(errorOf(await other.fetchUnsigned(second.queue))).toBe('auth');
  });

  if (storeEnv.RELAY_STORE === undefined) {
    it(`keeps at most ${MAX_PROVEN_QUEUES_PER_CONNECTION} proofs per connection; beyond, that queue stays signed`, async () => {
      const owner = await signedIn();
      const queues: TestQueue[] = [];
      for (let i = 0; i <= MAX_PROVEN_QUEUES_PER_CONNECTION; i++) queues.push(await owner.createQueue());
      const first = queues[0] as TestQueue;
      const last = queues[MAX_PROVEN_QUEUES_PER_CONNECTION] as TestQueue;
      expect((await owner.fetchUnsigned(first)).ok).toBe(true);
      expect(errorOf(await owner.fetchUnsigned(last))).toBe('auth');
      expect((await owner.fetch(last)).ok).toBe(true);
    }, 60_000);
  }
});
