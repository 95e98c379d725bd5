/**
 * RelayClient against a real relay process (apps/relay, in-memory store, a small frame ceiling
 * so that put_many has to be split), given the organisation's token key set. Each test opens its
 * own connections, each hello spending one anonymous access token (access-tokens.md).
 */
import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { ACCESS_TOKEN_LENGTH, relayOriginOf, type RelayDelivery, type RelayErrorName } from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import type { Socket } from 'socket.io-client';
import {
  RelayClient,
  RelayRequestError,
  isRetryable,
  type RelayClientOptions,
  type RelayStatus,
} from '@opendescent/relay-client';
import {
  RelayProcess,
  blobOf,
  mintedTokens,
  newDevice,
  newOrg,
  recordingIo,
  revocationList,
  textOf,
  until,
  type TestOrg,
} from './support/relay-process';

jest.setTimeout(30_000);

const MAX_FRAME_BYTES = 4_096;

let org: TestOrg;
let relay: RelayProcess;
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await RelayProcess.start(org, { RELAY_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES) });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

afterAll(async () => {
  await relay?.stop();
});

interface Probe {
  readonly client: RelayClient;
  readonly statuses: [RelayStatus, RelayErrorName | undefined][];
  readonly notices: RelayErrorName[];
  readonly deliveries: RelayDelivery[];
  readonly revocations: Uint8Array[];
  readonly sent: { event: string; frame: Uint8Array }[];
  readonly sockets: Socket[];
  /** Every token handed to the client, in order. */
  readonly tokens: Uint8Array[];
  credentialCalls: number;
}

/** `token`: what the n-th connection is given (default: a fresh valid token). */
function probe(options: Partial<RelayClientOptions> & { token?: (call: number) => Promise<Uint8Array> } = {}): Probe {
  const recording = recordingIo();
  const fresh = mintedTokens(org, relay.url);
  const { token, ...clientOptions } = options;
  const result: Probe = {
    client: undefined as unknown as RelayClient,
    statuses: [],
    notices: [],
    deliveries: [],
    revocations: [],
    sent: recording.sent,
    sockets: recording.sockets,
    tokens: [],
    credentialCalls: 0,
  };
  const client = new RelayClient({
    url: relay.url,
    credentials: async () => {
      result.credentialCalls++;
      const next = token ? await token(result.credentialCalls) : await fresh();
      result.tokens.push(next);
      return next;
    },
    backoff: { initialMs: 50, maxMs: 400 },
    requestTimeoutMs: 3_000,
    ioFactory: recording.ioFactory,
    ...clientOptions,
  });
  client.onStatus((status, error) => result.statuses.push([status, error]));
  client.onNotice((error) => result.notices.push(error));
  client.onDeliver((delivery) => result.deliveries.push(delivery));
  client.onRevocation((list) => result.revocations.push(list));
  clients.push(client);
  return Object.assign(result, { client });
}

async function online(options: Parameters<typeof probe>[0] = {}): Promise<Probe> {
  const p = probe(options);
  p.client.start();
  await until(() => p.client.status === 'online', 5_000, 'online');
  return p;
}

async function rejection(promise: Promise<unknown>): Promise<RelayRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RelayRequestError) return error;
    throw error;
  }
  throw new Error('expected a RelayRequestError');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const framesOf = (p: Probe, event: string) => p.sent.filter((s) => s.event === event).map((s) => s.frame);

describe('RelayClient against a real relay', () => {
  it('reports online only once the relay has accepted hello, and learns its limits', async () => {
    const p = await online();
    expect(p.statuses).toEqual([
      ['connecting', undefined],
      ['online', undefined],
    ]);
    expect(p.credentialCalls).toBe(1);
    expect(framesOf(p, 'hello')).toHaveLength(1);
    expect(p.client.limits?.maxFrameBytes).toBe(MAX_FRAME_BYTES);
  });

  it('hello carries one access token and nothing else: header, length, the 354-byte token (relay.md §3.2)', async () => {
    const p = await online();
    const [hello] = framesOf(p, 'hello') as [Uint8Array];
    expect(hello).toHaveLength(6 + 2 + ACCESS_TOKEN_LENGTH);
    expect(((hello[6] as number) << 8) | (hello[7] as number)).toBe(ACCESS_TOKEN_LENGTH);
    expect(Buffer.from(hello.subarray(8))).toEqual(Buffer.from(p.tokens[0] as Uint8Array));
  });

  it('a spent token (token_spent) is not final: it reconnects with a fresh token and gets online', async () => {
    const first = await online();
    const spent = first.tokens[0] as Uint8Array;
    const p = probe({ token: async (call) => (call === 1 ? spent : org.issuer.mint(relayOriginOf(relay.url))) });
    p.client.start();
    await until(() => p.client.status === 'online', 5_000, 'online with a fresh token');
    expect(p.statuses).toEqual([
      ['connecting', undefined],
      ['offline', 'token_spent'],
      ['connecting', undefined],
      ['online', undefined],
    ]);
    expect(p.credentialCalls).toBe(2);
    expect(framesOf(p, 'hello')).toHaveLength(2);
    expect(Buffer.from(p.tokens[1] as Uint8Array)).not.toEqual(Buffer.from(spent));
    expect(p.client.refusal).toBeUndefined();
  });

  it('tokens the relay refuses (unknown issuer key, another relay’s origin) are reported with offline, and retried with backoff, never refused for good', async () => {
    const stranger = await TestTokenIssuer.create(org.orgId, org.key); // a key the relay does not pin
    const p = probe({
      token: async (call) =>
        call === 1
          ? stranger.mint(relayOriginOf(relay.url))
          : call === 2
            ? org.issuer.mint('relay.elsewhere.example')
            : org.issuer.mint(relayOriginOf(relay.url)),
    });
    p.client.start();
    await until(() => p.client.status === 'online', 5_000, 'online at the third token');
    expect(p.statuses.filter(([status]) => status === 'offline')).toEqual([
      ['offline', 'token_unknown_key'],
      ['offline', 'token_wrong_origin'],
    ]);
    expect(p.statuses.map(([status]) => status)).not.toContain('refused');
    expect(p.credentialCalls).toBe(3);
  });

  it('a token that cannot even be framed (oversized) is never sent; the next connection asks for another', async () => {
    const p = probe({
      token: async (call) => (call === 1 ? new Uint8Array(5_000) : org.issuer.mint(relayOriginOf(relay.url))),
    });
    p.client.start();
    await until(() => p.client.status === 'online', 5_000, 'online');
    expect(framesOf(p, 'hello')).toHaveLength(1);
    expect(p.credentialCalls).toBe(2);
  });

  it('rejects commands at once with offline before start() and after stop(), without queueing them', async () => {
    const p = probe();
    const before = await rejection(p.client.put(new Uint8Array(16), blobOf('x')));
    expect(before.code).toBe('offline');
    expect(isRetryable(before)).toBe(true);

    p.client.start();
    await until(() => p.client.status === 'online');
    p.client.stop();
    expect(p.client.status).toBe('offline');
    expect((await rejection(p.client.createQueue(await generateEd25519KeyPair()))).code).toBe('offline');
    await sleep(200);
    expect(p.client.status).toBe('offline'); // no reconnection after stop()
    expect(framesOf(p, 'put')).toHaveLength(0);
    expect(framesOf(p, 'create')).toHaveLength(0);
  });

  it('round trip: create, subscribe, a put by another device is delivered, ack (unsigned, key proven) removes it', async () => {
    const alice = await online();
    const bob = await online();
    const key = await generateEd25519KeyPair();
    const { recipientId, senderId } = await alice.client.createQueue(key);
    expect(recipientId).toHaveLength(16);
    expect(senderId).toHaveLength(16);
    await alice.client.subscribe(recipientId, key);

    await bob.client.put(senderId, blobOf('hello alice'));
    await until(() => alice.deliveries.length === 1, 3_000, 'delivery');
    const [delivery] = alice.deliveries as [RelayDelivery];
    expect(Buffer.from(delivery.recipientId)).toEqual(Buffer.from(recipientId));
    expect(textOf(delivery.blob)).toBe('hello alice');
    expect(Math.abs(delivery.receivedAt - Date.now() / 1000)).toBeLessThan(60);

    await alice.client.ack(recipientId, key, [delivery.messageId]);
    // relay.md §3.8: header 6 + id 16 + count 2 + one message id 16, and no signature.
    expect(framesOf(alice, 'ack').map((f) => f.length)).toEqual([40]);
    const after = await alice.client.fetch(recipientId, key, 10);
    expect(after).toEqual({ more: false, messages: [] });
  });

  it('fetch signs on a connection that has not proven the queue key, then leaves the signature out (relay.md §6.3)', async () => {
    const first = await online();
    const key = await generateEd25519KeyPair();
    const { recipientId, senderId } = await first.client.createQueue(key);
    await first.client.put(senderId, blobOf('one'));

    const second = await online();
    const signed = await second.client.fetch(recipientId, key, 10);
    const unsigned = await second.client.fetch(recipientId, key, 10);
    expect(signed.messages.map((m) => textOf(m.blob))).toEqual(['one']);
    expect(unsigned.messages.map((m) => textOf(m.blob))).toEqual(['one']);
    // §3.7: 24 bytes unsigned, 24 + 64 signed.
    expect(framesOf(second, 'fetch').map((f) => f.length)).toEqual([88, 24]);
  });

  it('a wrong queue key is auth, not retryable, and nothing is proven by it', async () => {
    const p = await online();
    const key = await generateEd25519KeyPair();
    const { recipientId } = await p.client.createQueue(key);
    const stranger = await generateEd25519KeyPair();
    const other = await online();
    const error = await rejection(other.client.fetch(recipientId, stranger, 1));
    expect(error.code).toBe('auth');
    expect(isRetryable(error)).toBe(false);
    expect((await rejection(other.client.fetch(recipientId, stranger, 1))).code).toBe('auth');
    expect(framesOf(other, 'fetch').every((f) => f.length === 88)).toBe(true);
  });

  it('the signed revocation list reaches every connection: after the hello, and at once when a newer one is pushed (relay.md §7)', async () => {
    const listener = await online();
    const pusher = await online();
    const victim = await newDevice(org);
    const list = await revocationList(org, [victim.deviceId]);
    await pusher.client.pushRevocationList(list);
    await until(
      () => listener.revocations.some((r) => Buffer.from(r).equals(Buffer.from(list))),
      3_000,
      'pushed list at the listener',
    );
    // The relay never closes a connection because of a device, and names none in its notices.
    expect(listener.client.status).toBe('online');
    expect(listener.notices).toEqual([]);
    const late = await online();
    await until(() => late.revocations.length > 0, 3_000, 'list after the hello');
    expect(Buffer.from(late.revocations.at(-1) as Uint8Array)).toEqual(Buffer.from(list));
  });

  it('a stale revocation list is refused with revocation_list_stale', async () => {
    const p = await online();
    const list = await revocationList(org, []);
    await p.client.pushRevocationList(list);
    const error = await rejection(
      p.client.pushRevocationList(await revocationList({ ...org, nextListVersion: 1 }, [])),
    );
    expect(error.code).toBe('revocation_list_stale');
  });

  it('put_many: splits under the frame ceiling and 256 entries, and merges per-entry statuses in order', async () => {
    const p = await online();
    const key = await generateEd25519KeyPair();
    const { senderId } = await p.client.createQueue(key);
    const unknownSender = new Uint8Array(randomBytes(16));
    const entries = [
      ...Array.from({ length: 300 }, (_, i) => ({
        senderId: i % 7 === 3 ? unknownSender : senderId,
        blob: blobOf(`m${i}`),
      })),
      { senderId, blob: new Uint8Array(MAX_FRAME_BYTES) }, // can never fit in one frame
      ...Array.from({ length: 9 }, () => ({ senderId, blob: new Uint8Array(1_000).fill(7) })),
    ];
    const outcomes = await p.client.putMany(entries);
    expect(outcomes).toEqual(
      entries.map((e, i) => (i === 300 ? 'oversized' : e.senderId === unknownSender ? 'auth' : 'ok')),
    );

    const frames = framesOf(p, 'put_many');
    expect(frames.length).toBeGreaterThanOrEqual(4);
    for (const frame of frames) {
      expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      expect(((frame[10] as number) << 8) | (frame[11] as number)).toBeLessThanOrEqual(256);
    }
    const counted = frames.reduce((sum, f) => sum + (((f[10] as number) << 8) | (f[11] as number)), 0);
    expect(counted).toBe(entries.length - 1);
  });

  it('paces a burst to the relay’s advertised rate, so no frame is refused rate_limited', async () => {
    const p = await online();
    expect(p.client.limits).toMatchObject({ ratePerSecond: 50, rateBurst: 200 });
    const key = await generateEd25519KeyPair();
    const { senderId } = await p.client.createQueue(key);
    const results = await Promise.allSettled(
      Array.from({ length: 250 }, (_, i) => p.client.put(senderId, blobOf(`burst ${i}`))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(p.client.status).toBe('online');
  });

  it('prekeys: publish, fetch, then claim one-time prekeys until none is left', async () => {
    const p = await online();
    const slotId = new Uint8Array(randomBytes(16));
    const slotKey = await generateEd25519KeyPair();
    const bundle = blobOf('slot bundle');
    expect(await p.client.publishPrekeys(slotId, slotKey, 'replace', bundle, [blobOf('otk-1'), blobOf('otk-2')])).toBe(
      2,
    );
    expect(await p.client.fetchPrekeys(slotId)).toEqual({ remaining: 2, bundle });
    const claims = [
      await p.client.claimPrekeys(slotId),
      await p.client.claimPrekeys(slotId),
      await p.client.claimPrekeys(slotId),
    ];
    expect(claims.map((c) => (c.oneTime ? textOf(c.oneTime) : null)).sort()).toEqual([null, 'otk-1', 'otk-2'].sort());
    expect(claims.every((c) => textOf(c.bundle) === 'slot bundle')).toBe(true);
    // Another key may not take the slot over.
    expect(
      (await rejection(p.client.publishPrekeys(slotId, await generateEd25519KeyPair(), 'append', bundle, []))).code,
    ).toBe('auth');
    expect((await rejection(p.client.fetchPrekeys(new Uint8Array(16)))).code).toBe('not_found');
  });

  it('deleteQueue: later puts are auth, and the subscription is forgotten', async () => {
    const p = await online();
    const key = await generateEd25519KeyPair();
    const { recipientId, senderId } = await p.client.createQueue(key);
    await p.client.subscribe(recipientId, key);
    await p.client.deleteQueue(recipientId, key);
    expect((await rejection(p.client.put(senderId, blobOf('late')))).code).toBe('auth');
    expect((await rejection(p.client.subscribe(recipientId, key))).code).toBe('auth');
  });

  it('frames the client cannot build are refused locally, and never sent', async () => {
    const p = await online();
    const sentBefore = p.sent.length;
    expect((await rejection(p.client.put(new Uint8Array(3), blobOf('x')))).code).toBe('malformed');
    expect((await rejection(p.client.put(new Uint8Array(16), new Uint8Array(0)))).code).toBe('malformed');
    // Larger than this relay's frame ceiling: the transport would close the connection (relay.md §2).
    expect((await rejection(p.client.put(new Uint8Array(16), new Uint8Array(MAX_FRAME_BYTES)))).code).toBe('oversized');
    expect(p.sent.length).toBe(sentBefore);
    expect(p.client.status).toBe('online');
  });

  it('after a dropped connection it reconnects, says hello again, re-subscribes, and pending blobs are pushed again', async () => {
    const p = probe();
    p.client.start();
    await until(() => p.client.status === 'online');
    const key = await generateEd25519KeyPair();
    const { recipientId, senderId } = await p.client.createQueue(key);
    await p.client.subscribe(recipientId, key);
    await p.client.put(senderId, blobOf('not yet acknowledged'));
    await until(() => p.deliveries.length === 1, 3_000, 'first delivery');

    p.sockets[0]?.io.engine.close(); // the network drops
    await until(() => p.statuses.some(([s]) => s === 'offline'), 3_000, 'offline');
    await until(() => p.client.status === 'online' && p.deliveries.length === 2, 5_000, 'second delivery');
    expect(p.statuses.map(([s]) => s)).toEqual(['connecting', 'online', 'offline', 'connecting', 'online']);
    // Two reading connections, and the sending connection the put opened (relay.md §5.5), each with its own token.
    expect(p.sockets).toHaveLength(3);
    expect(p.credentialCalls).toBe(3);
    expect(Buffer.from(p.deliveries[1]?.messageId ?? [])).toEqual(Buffer.from(p.deliveries[0]?.messageId ?? []));
    expect(framesOf(p, 'hello')).toHaveLength(3);
    expect(framesOf(p, 'subscribe')).toHaveLength(2);
    // The proof did not carry over: the re-subscription made it again, over the new challenge (§6.3).
    await p.client.fetch(recipientId, key, 1);
    expect(framesOf(p, 'fetch').map((f) => f.length)).toEqual([24]);
  });

  it('a subscription made while offline is remembered and sent once online; unsubscribeLocal forgets one', async () => {
    const writer = await online();
    const key = await generateEd25519KeyPair();
    const { recipientId, senderId } = await writer.client.createQueue(key);
    await writer.client.put(senderId, blobOf('waiting'));
    const forgottenKey = await generateEd25519KeyPair();
    const forgotten = await writer.client.createQueue(forgottenKey);
    await writer.client.put(forgotten.senderId, blobOf('never seen'));

    const p = probe();
    expect((await rejection(p.client.subscribe(recipientId, key))).code).toBe('offline');
    expect((await rejection(p.client.subscribe(forgotten.recipientId, forgottenKey))).code).toBe('offline');
    p.client.unsubscribeLocal(forgotten.recipientId);
    p.client.start();
    await until(() => p.deliveries.length === 1, 5_000, 'delivery');
    expect(textOf(p.deliveries[0]?.blob ?? new Uint8Array())).toBe('waiting');
    expect(framesOf(p, 'subscribe')).toHaveLength(1);
  });

  it('a remembered subscription refused after a reconnection (queue deleted meanwhile) is reported and forgotten', async () => {
    const p = probe();
    const lost: [string, string][] = [];
    p.client.onSubscriptionError((recipientId, error) =>
      lost.push([Buffer.from(recipientId).toString('hex'), error.code]),
    );
    p.client.start();
    await until(() => p.client.status === 'online');
    const key = await generateEd25519KeyPair();
    const { recipientId } = await p.client.createQueue(key);
    await p.client.subscribe(recipientId, key);

    const other = await online();
    await other.client.deleteQueue(recipientId, key);
    p.sockets[0]?.io.engine.close();
    await until(() => lost.length === 1, 5_000, 'subscription error');
    expect(lost).toEqual([[Buffer.from(recipientId).toString('hex'), 'auth']]);

    p.sockets[1]?.io.engine.close();
    await until(() => p.sockets.length === 3 && p.client.status === 'online', 5_000, 'third connection');
    await sleep(100);
    expect(framesOf(p, 'subscribe')).toHaveLength(2); // not sent on the third connection
  });
});
