/**
 * RelayClient when its relay goes away: a relay process restarted on the same port, and one
 * frozen (SIGSTOP) so that nothing is answered. Its own relay, apart from relay-client.spec.ts.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import type { RelayErrorName } from '@opendescent/protocol';
import { RelayClient, RelayRequestError, isRetryable, type RelayStatus } from '@opendescent/relay-client';
import { RelayProcess, blobOf, mintedTokens, newOrg, recordingIo, until, type TestOrg } from './support/relay-process';

jest.setTimeout(30_000);

const BACKOFF = { initialMs: 100, maxMs: 800 };

let org: TestOrg;
let relay: RelayProcess;
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await RelayProcess.start(org);
});

afterEach(() => {
  relay.resume();
  for (const client of clients.splice(0)) client.stop();
});

afterAll(async () => {
  await relay?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<RelayRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RelayRequestError) return error;
    throw error;
  }
  throw new Error('expected a RelayRequestError');
}

describe('RelayClient when the relay goes away', () => {
  it('a request with no answer rejects with timeout, and the late answer is ignored', async () => {
    const client = new RelayClient({
      url: relay.url,
      credentials: mintedTokens(org, relay.url),
      backoff: BACKOFF,
      requestTimeoutMs: 400,
      sending: { lanes: 1 },
    });
    clients.push(client);
    client.start();
    await until(() => client.status === 'online');
    const key = await generateEd25519KeyPair();
    const { senderId } = await client.createQueue(key);
    await client.put(senderId, blobOf('opens the sending connection'));

    relay.pause();
    const started = Date.now();
    const error = await rejection(client.put(senderId, blobOf('into the void')));
    expect(error.code).toBe('timeout');
    expect(isRetryable(error)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    relay.resume();

    // The relay answers the frozen put late; the next request must get its own answer.
    await expect(client.put(senderId, blobOf('after'))).resolves.toBeUndefined();
    await expect(client.fetch((await client.createQueue(key)).recipientId, key, 1)).resolves.toEqual({
      more: false,
      messages: [],
    });
    expect(client.status).toBe('online');
  });

  it('relay restarts: notice shutting_down, offline with backoff, online again with a new hello (a new token), and re-subscription', async () => {
    const recording = recordingIo();
    const attempts: number[] = [];
    const client = new RelayClient({
      url: relay.url,
      credentials: mintedTokens(org, relay.url),
      backoff: BACKOFF,
      requestTimeoutMs: 2_000,
      ioFactory: (url, options) => {
        attempts.push(Date.now());
        return recording.ioFactory(url, options);
      },
    });
    clients.push(client);
    const statuses: [RelayStatus, RelayErrorName | undefined][] = [];
    const notices: RelayErrorName[] = [];
    const lost: string[] = [];
    client.onStatus((status, error) => statuses.push([status, error]));
    client.onNotice((error) => notices.push(error));
    client.onSubscriptionError((recipientId, error) =>
      lost.push(`${Buffer.from(recipientId).toString('hex')}:${error.code}`),
    );
    client.start();
    await until(() => client.status === 'online');
    const key = await generateEd25519KeyPair();
    const { recipientId } = await client.createQueue(key);
    await client.subscribe(recipientId, key);

    const restarted = relay.restart();
    await until(() => client.status === 'offline', 10_000, 'offline');
    expect(notices).toEqual(['shutting_down']);
    expect(statuses.at(-1)).toEqual(['offline', 'shutting_down']);
    expect((await rejection(client.put(new Uint8Array(16), blobOf('while offline')))).code).toBe('offline');
    await restarted;

    await until(() => client.status === 'online', 10_000, 'online again');
    const helloFrames = recording.sent.filter((s) => s.event === 'hello');
    // A hello that reached the restarted relay before its token key set was refused token_unknown_key
    // and followed by another; every hello spent its own token.
    expect(helloFrames.length).toBeGreaterThanOrEqual(2);
    expect(new Set(helloFrames.map((h) => Buffer.from(h.frame.subarray(8)).toString('hex'))).size).toBe(
      helloFrames.length,
    );
    expect(
      statuses.filter(
        ([status, error]) =>
          status === 'offline' && error !== undefined && error !== 'shutting_down' && error !== 'token_unknown_key',
      ),
    ).toEqual([]);
    // No hammering. Every connection the client opens goes through the io factory: the reading
    // connection's tries, the hello repeated at once after token_unknown_key (the relay came back
    // before its token key set), and short-lived sending connections. So a gap is either a backoff
    // wait, at least half the first step (50 ms) give or take a fifth on a loaded 2-core machine, or
    // one of those few immediate opens (CI once saw 7 ms: such an open). Hammering would show as
    // many gaps of a few ms; the growth of the steps is checked in reconnect-backoff's own spec.
    const failedTries = attempts.length - 2;
    expect(failedTries).toBeGreaterThanOrEqual(1);
    const gaps = attempts.slice(2).map((at, i) => at - (attempts[i + 1] as number));
    const quick = gaps.filter((gap) => gap < (BACKOFF.initialMs / 2) * 0.8);
    expect(quick.length).toBeLessThanOrEqual(2);
    expect(gaps.length - quick.length).toBeGreaterThanOrEqual(1);

    // The restarted relay's memory store no longer has the queue: the re-subscription is
    // refused, reported once, and forgotten.
    await until(() => lost.length === 1, 5_000, 'subscription error');
    expect(lost).toEqual([`${Buffer.from(recipientId).toString('hex')}:auth`]);
    expect(recording.sent.filter((s) => s.event === 'subscribe')).toHaveLength(2);

    // And the client works on the new relay.
    const fresh = await client.createQueue(key);
    await client.subscribe(fresh.recipientId, key);
    await client.put(fresh.senderId, blobOf('after the restart'));
  });
});
