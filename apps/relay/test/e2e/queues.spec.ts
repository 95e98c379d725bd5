/**
 * Queue operations (relay.md §3.3-§3.9, §5) against the booted relay: the same tests on the
 * memory store and, when REDIS_URL is set, on the Redis store (the relay's clock is injected, and
 * both stores expire by it).
 */
import { randomBytes } from 'node:crypto';
import { encodeCreate } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { REDIS_URL, deleteKeys, testPrefix } from '../support/redis';
import {
  RelayClient,
  generateEd25519KeyPair,
  blobOf,
  errorOf,
  newDevice,
  newOrg,
  relayConfig,
  textOf,
  type TestOrg,
  type TestQueue,
} from '../support/relay-client';

const stores: [string, Record<string, string>][] = [['memory store', {}]];
const redisPrefix = testPrefix();
if (REDIS_URL) stores.push(['Redis store', { RELAY_STORE: 'redis', REDIS_URL, RELAY_REDIS_PREFIX: redisPrefix }]);
else console.warn('[relay tests] queues on the Redis store SKIPPED: REDIS_URL is not set');

describe.each(stores)('queues (%s)', (_name, storeEnv) => {
  let org: TestOrg;
  let relay: RunningRelay;
  let clockOffsetMs = 0;
  const clients: RelayClient[] = [];
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  beforeAll(async () => {
    org = await newOrg();
    relay = await startRelay(
      relayConfig(org, {
        RELAY_QUEUE_MAX_MESSAGES: '5',
        RELAY_QUEUE_MAX_BYTES: '4096',
        RELAY_BLOB_TTL_SECONDS: '60',
        RELAY_BLOB_MAX_TTL_SECONDS: '600',
        RELAY_QUEUE_IDLE_TTL_SECONDS: '3600',
        ...storeEnv,
      }),
      { clock: () => Date.now() + clockOffsetMs },
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

  async function pendingTexts(client: RelayClient, queue: TestQueue): Promise<string[]> {
    const reply = await client.fetch(queue);
    if (!reply.ok || reply.command !== 'fetch') throw new Error(errorOf(reply));
    return reply.messages.map((m) => textOf(m.blob));
  }

  describe('operations', () => {
    it('create returns two unrelated 16-byte ids', async () => {
      const client = await signedIn();
      const a = await client.createQueue();
      const b = await client.createQueue();
      expect(a.recipientId).toHaveLength(16);
      expect(a.senderId).toHaveLength(16);
      expect(new Set([a.recipientId, a.senderId, b.recipientId, b.senderId].map(hex)).size).toBe(4);
    });

    it('create signed by another key than the one it names is refused with auth', async () => {
      const client = await signedIn();
      const key = await generateEd25519KeyPair();
      const other = await generateEd25519KeyPair();
      const frame = await encodeCreate({ requestId: 1 }, { challenge: client.challenge, key: key.privateKey });
      frame.set(other.publicKey, 6);
      expect(errorOf(await client.request('create', frame))).toBe('auth');
    });

    it('put then fetch returns the blob, oldest first, until it is acked', async () => {
      const recipient = await signedIn();
      const sender = await signedIn();
      const queue = await recipient.createQueue();
      expect(await sender.put(queue.senderId, blobOf('one'))).toEqual({ ok: true, requestId: 2, command: 'put' }); // request 1 was its hello
      await sender.put(queue.senderId, blobOf('two'));
      expect(await pendingTexts(recipient, queue)).toEqual(['one', 'two']);
      expect(await pendingTexts(recipient, queue)).toEqual(['one', 'two']);
    });

    it('ack deletes and is idempotent (twice, and for an unknown id)', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      await client.put(queue.senderId, blobOf('a'));
      await client.put(queue.senderId, blobOf('b'));
      const fetched = await client.fetch(queue);
      const first = fetched.ok && fetched.command === 'fetch' ? fetched.messages[0]?.messageId : undefined;
      expect(first).toBeDefined();
      expect((await client.ack(queue, [first as Uint8Array])).ok).toBe(true);
      expect((await client.ack(queue, [first as Uint8Array, new Uint8Array(16)])).ok).toBe(true);
      expect(await pendingTexts(client, queue)).toEqual(['b']);
    });

    it('subscribe pushes what is pending, then each new blob live', async () => {
      const recipient = await signedIn();
      const sender = await signedIn();
      const queue = await recipient.createQueue();
      await sender.put(queue.senderId, blobOf('before'));
      expect((await recipient.subscribe(queue)).ok).toBe(true);
      await recipient.until(() => recipient.deliveries.length === 1);
      await sender.put(queue.senderId, blobOf('after'));
      await recipient.until(() => recipient.deliveries.length === 2);
      expect(recipient.deliveries.map((d) => textOf(d.blob))).toEqual(['before', 'after']);
      expect(recipient.deliveries.every((d) => hex(d.recipientId) === hex(queue.recipientId))).toBe(true);
    });

    it('a blob is not lost across a recipient’s disconnect: it waits until acked', async () => {
      const recipient = await signedIn();
      const sender = await signedIn();
      const queue = await recipient.createQueue();
      await recipient.subscribe(queue);
      recipient.close();
      await sender.put(queue.senderId, blobOf('while away'));
      const back = await signedIn();
      await back.subscribe(queue);
      await back.until(() => back.deliveries.length === 1);
      expect(textOf(back.deliveries[0]?.blob as Uint8Array)).toBe('while away');
    });

    it('put_many fans out in one frame with one status per entry', async () => {
      const sender = await signedIn();
      const members = await Promise.all([signedIn(), signedIn(), signedIn()]);
      const queues = await Promise.all(members.map((m) => m.createQueue()));
      await Promise.all(members.map((m, i) => m.subscribe(queues[i] as TestQueue)));
      const entries = queues.map((q, i) => ({ senderId: q.senderId, blob: blobOf(`for member ${i}`) }));
      const reply = await sender.putMany([
        ...entries,
        { senderId: new Uint8Array(randomBytes(16)), blob: blobOf('nobody') },
      ]);
      expect(reply).toMatchObject({ ok: true, command: 'put_many', statuses: ['ok', 'ok', 'ok', 'auth'] });
      await Promise.all(members.map((m) => m.until(() => m.deliveries.length === 1)));
      expect(members.map((m) => textOf(m.deliveries[0]?.blob as Uint8Array))).toEqual([
        'for member 0',
        'for member 1',
        'for member 2',
      ]);
    });

    it('put_many reports a full queue for that entry only', async () => {
      const client = await signedIn();
      const full = await client.createQueue();
      const open = await client.createQueue();
      for (let i = 0; i < 5; i++) await client.put(full.senderId, blobOf(`${i}`));
      const reply = await client.putMany([
        { senderId: full.senderId, blob: blobOf('x') },
        { senderId: open.senderId, blob: blobOf('y') },
      ]);
      expect(reply).toMatchObject({ ok: true, statuses: ['quota_exceeded', 'ok'] });
    });

    it('auth: a put to a sender id that no queue has', async () => {
      const client = await signedIn();
      expect(errorOf(await client.put(new Uint8Array(randomBytes(16)), blobOf('x')))).toBe('auth');
    });

    it('auth: a recipient command signed with another key, and nothing changes', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      await client.put(queue.senderId, blobOf('kept'));
      const thief = await generateEd25519KeyPair();
      expect(errorOf(await client.fetch(queue, 10, thief))).toBe('auth');
      expect(errorOf(await client.subscribe(queue, thief))).toBe('auth');
      expect(errorOf(await client.ack(queue, [new Uint8Array(16)], thief))).toBe('auth');
      expect(errorOf(await client.deleteQueue(queue, thief))).toBe('auth');
      expect(await pendingTexts(client, queue)).toEqual(['kept']);
    });

    it('auth: a recipient id that no queue has, indistinguishable from a bad signature', async () => {
      const client = await signedIn();
      const ghost = {
        recipientId: new Uint8Array(randomBytes(16)),
        senderId: new Uint8Array(16),
        key: await generateEd25519KeyPair(),
      };
      const reply = await client.fetch(ghost);
      expect(reply).toMatchObject({ ok: false, error: 'auth' });
    });

    it('delete removes the queue, its blobs and both ids', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      await client.put(queue.senderId, blobOf('gone'));
      expect((await client.deleteQueue(queue)).ok).toBe(true);
      expect(errorOf(await client.fetch(queue))).toBe('auth');
      expect(errorOf(await client.put(queue.senderId, blobOf('late')))).toBe('auth');
      expect(errorOf(await client.deleteQueue(queue))).toBe('auth');
    });

    it('quota_exceeded: past the message quota, and the refused blob is not stored', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      for (let i = 0; i < 5; i++) expect((await client.put(queue.senderId, blobOf(`${i}`))).ok).toBe(true);
      expect(errorOf(await client.put(queue.senderId, blobOf('sixth')))).toBe('quota_exceeded');
      expect(await pendingTexts(client, queue)).toEqual(['0', '1', '2', '3', '4']);
    });

    it('quota_exceeded: past the byte quota', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      expect((await client.put(queue.senderId, new Uint8Array(3000))).ok).toBe(true);
      expect(errorOf(await client.put(queue.senderId, new Uint8Array(1100)))).toBe('quota_exceeded');
    });

    it('a blob expires at its TTL (the default when 0 is asked)', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      await client.put(queue.senderId, blobOf('default ttl'));
      await client.put(queue.senderId, blobOf('ten minutes'), 600);
      clockOffsetMs = 60_000;
      expect(await pendingTexts(client, queue)).toEqual(['ten minutes']);
    });

    it('a TTL above the ceiling is lowered to it', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      await client.put(queue.senderId, blobOf('asks for a year'), 365 * 24 * 3600);
      clockOffsetMs = 599_000;
      expect(await pendingTexts(client, queue)).toEqual(['asks for a year']);
      clockOffsetMs = 600_000;
      expect(await pendingTexts(client, queue)).toEqual([]);
    });

    it('an idle queue expires with its ids', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      clockOffsetMs = 3600 * 1000;
      expect(errorOf(await client.put(queue.senderId, blobOf('too late')))).toBe('auth');
      expect(errorOf(await client.fetch(queue))).toBe('auth');
    });

    it('a fetch stops at max and says there are more', async () => {
      const client = await signedIn();
      const queue = await client.createQueue();
      for (let i = 0; i < 3; i++) await client.put(queue.senderId, blobOf(`${i}`));
      expect(await client.fetch(queue, 2)).toMatchObject({ ok: true, more: true });
    });
  });
});
