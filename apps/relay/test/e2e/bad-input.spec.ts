/**
 * Hostile and broken clients (relay.md §2, §4, §8; design brief A5): every bad frame gets the
 * spec's error code and changes nothing; limits end in the documented errors or disconnections.
 */
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { decodeRelayReply, encodePut, encodeSubscribe, type RelayReply } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import { StoreUnavailableError } from '../../src/store/relay-store';
import { storeLimits } from '../../src/bootstrap';
import {
  RelayClient,
  generateEd25519KeyPair,
  blobOf,
  errorOf,
  newDevice,
  newOrg,
  relayConfig,
  type TestOrg,
} from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_MAX_FRAME_BYTES: '8192' }));
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
});

async function signedIn(url = relay.url): Promise<RelayClient> {
  const client = await RelayClient.signedIn(url, await newDevice(org));
  clients.push(client);
  return client;
}

async function raw(client: RelayClient, event: string, ...args: unknown[]): Promise<RelayReply> {
  return decodeRelayReply(await client.socket.timeout(3000).emitWithAck(event, ...args));
}

describe('transports the relay refuses', () => {
  it('HTTP long-polling: the handshake is refused, so no load balancer needs sticky sessions (relay.md §2)', async () => {
    const response = await fetch(`${relay.url}/socket.io/?EIO=4&transport=polling`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'Transport unknown' });
  });

  it('a polling client never connects; the same client over WebSocket does', async () => {
    const polling = io(relay.url, { transports: ['polling'], reconnection: false, timeout: 3_000 });
    const refused = await new Promise<string>((resolve) => {
      polling.on('connect', () => resolve('connected'));
      polling.on('connect_error', (error) => resolve(error.message));
    });
    polling.close();
    expect(refused).not.toBe('connected');
    expect((await signedIn()).socket.connected).toBe(true);
  });
});

describe('frames the relay refuses', () => {
  it('unknown_command: an event the protocol does not have', async () => {
    const client = await signedIn();
    expect(await raw(client, 'steal_everything', new Uint8Array(8))).toMatchObject({
      ok: false,
      error: 'unknown_command',
      requestId: 0,
    });
  });

  it('malformed: a payload that is not binary, or more than one argument', async () => {
    const client = await signedIn();
    expect(errorOf(await raw(client, 'put', 'text'))).toBe('malformed');
    expect(errorOf(await raw(client, 'put', { senderId: 'x' }))).toBe('malformed');
    const frame = encodePut({ requestId: 5, senderId: new Uint8Array(16), blob: blobOf('x') });
    expect(await raw(client, 'put', frame, 'extra')).toMatchObject({ error: 'malformed', requestId: 5 });
  });

  it('malformed: a frame sent under another command’s event', async () => {
    const client = await signedIn();
    const frame = encodePut({ requestId: 5, senderId: new Uint8Array(16), blob: blobOf('x') });
    expect(await raw(client, 'fetch', frame)).toMatchObject({ error: 'malformed', requestId: 5, command: 'fetch' });
  });

  it('version_too_old and version_unknown are told apart', async () => {
    const client = await signedIn();
    const frame = encodePut({ requestId: 5, senderId: new Uint8Array(16), blob: blobOf('x') });
    frame[0] = 0;
    expect(errorOf(await raw(client, 'put', frame))).toBe('version_too_old');
    frame[0] = 2;
    expect(errorOf(await raw(client, 'put', frame))).toBe('version_unknown');
  });

  it('oversized: a length field beyond its limit, refused before reading further', async () => {
    const client = await signedIn();
    const frame = encodePut({ requestId: 5, senderId: new Uint8Array(16), blob: blobOf('x') });
    new DataView(frame.buffer).setUint32(26, 70_000);
    expect(errorOf(await raw(client, 'put', frame))).toBe('oversized');
  });

  it('a reply comes as a `reply` event when the client passed no acknowledgement', async () => {
    const client = await signedIn();
    client.socket.emit('put', encodePut({ requestId: 77, senderId: new Uint8Array(16), blob: blobOf('x') }));
    await client.until(() => client.replies.length === 1);
    expect(client.replies[0]).toMatchObject({ ok: false, requestId: 77, error: 'auth' });
  });

  it('a frame with two binary attachments closes the connection before any parsing', async () => {
    const client = await signedIn();
    const closed = client.disconnected();
    client.socket.emit('put', new Uint8Array(10), new Uint8Array(10));
    expect(await closed).toBe('transport close');
  });

  it('too_many_subscriptions: past 1,024 on one connection', async () => {
    const client = await signedIn();
    const queue = await client.createQueue();
    // 1,024 distinct queues would take a while: subscribing needs a live queue, so make them.
    const queues: (typeof queue)[] = [];
    for (let batch = 0; batch < 1024 / 32; batch++) {
      // In batches: a connection may have at most 64 frames waiting (relay.md §8.3).
      const made = await Promise.all(Array.from({ length: 32 }, () => client.createQueue()));
      const replies = await Promise.all(made.map((q) => client.subscribe(q)));
      expect(replies.every((r) => r.ok)).toBe(true);
      queues.push(...made);
    }
    expect(errorOf(await client.subscribe(queue))).toBe('too_many_subscriptions');
    // Subscribing again to one it holds is still fine.
    expect((await client.subscribe(queues[0] as typeof queue)).ok).toBe(true);
  }, 30_000);
});

describe('rate limits', () => {
  it('rate_limited: frames past the burst are refused, and a client that keeps flooding is disconnected', async () => {
    const limited = await startRelay(relayConfig(org, { RELAY_RATE_PER_SECOND: '1', RELAY_RATE_BURST: '5' }));
    try {
      const client = await RelayClient.signedIn(limited.url, await newDevice(org));
      clients.push(client);
      const frame = () =>
        encodePut({ requestId: client.nextRequestId(), senderId: new Uint8Array(16), blob: blobOf('x') });
      const closed = client.disconnected();
      for (let i = 0; i < 12; i++) client.socket.emit('put', frame());
      expect(await closed).toBe('io server disconnect');
      const errors = client.replies.map(errorOf);
      // The burst (5), less the hello, is served; the rest is refused until the relay gives up.
      expect(errors.filter((e) => e === 'auth')).toHaveLength(4);
      expect(errors.filter((e) => e === 'rate_limited').length).toBeGreaterThan(0);
      expect(client.notices.map((n) => n.error)).toEqual(['rate_limited']);
    } finally {
      await limited.app.close();
    }
  });
});

describe('store limits and failures', () => {
  it('store_full: the memory store’s whole budget is used', async () => {
    const small = await startRelay(
      relayConfig(org, { RELAY_MEMORY_MAX_BYTES: String(1024 * 1024), RELAY_MAX_FRAME_BYTES: String(128 * 1024) }),
    );
    try {
      const client = await RelayClient.signedIn(small.url, await newDevice(org));
      clients.push(client);
      const queues = await Promise.all(Array.from({ length: 4 }, () => client.createQueue()));
      const errors: string[] = [];
      for (const queue of queues)
        for (let i = 0; i < 5; i++) errors.push(errorOf(await client.put(queue.senderId, new Uint8Array(65_536))));
      expect(errors.filter((e) => e === 'ok').length).toBe(15);
      expect(errors).toContain('store_full');
    } finally {
      await small.app.close();
    }
  });

  it('unavailable: the store fails; the client is told to retry and the relay keeps serving', async () => {
    class LosingRedis extends MemoryRelayStore {
      override async put(): Promise<never> {
        throw new StoreUnavailableError('Redis: connection lost');
      }
    }
    const broken = new LosingRedis(storeLimits(relayConfig(org)));
    const failing = await startRelay(relayConfig(org), { store: broken });
    try {
      const client = await RelayClient.signedIn(failing.url, await newDevice(org));
      clients.push(client);
      const queue = await client.createQueue();
      expect(errorOf(await client.put(queue.senderId, blobOf('x')))).toBe('unavailable');
      expect((await client.fetch(queue)).ok).toBe(true);
    } finally {
      await failing.app.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('shutting_down: connected clients are told before the node closes, and nothing accepted is lost', async () => {
    const node = await startRelay(relayConfig(org));
    const client = await RelayClient.signedIn(node.url, await newDevice(org));
    clients.push(client);
    const queue = await client.createQueue();
    expect((await client.put(queue.senderId, blobOf('accepted'))).ok).toBe(true);
    const closed = client.disconnected();
    await node.app.close();
    expect(await closed).toBe('io server disconnect');
    expect(client.notices.map((n) => n.error)).toEqual(['shutting_down']);
  });
});

describe('an unauthenticated socket cannot probe', () => {
  it('gets not_authenticated for every queue command, whatever the frame', async () => {
    const socket = io(relay.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise((resolve) => socket.once('challenge', resolve));
      const { challenge } = { challenge: new Uint8Array(32) };
      const subscribe = await encodeSubscribe(
        { requestId: 3, recipientId: new Uint8Array(randomBytes(16)) },
        { challenge, key: (await generateEd25519KeyPair()).privateKey },
      );
      expect(errorOf(decodeRelayReply(await socket.timeout(3000).emitWithAck('subscribe', subscribe)))).toBe(
        'not_authenticated',
      );
    } finally {
      socket.close();
    }
  });
});
