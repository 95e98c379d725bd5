/**
 * RelayClient against a scripted stand-in for a relay (through `ioFactory`): the failure modes a
 * real relay does not produce on demand (answers for another request, undecodable answers, a hello
 * never answered, junk revocation events), plus the pure pieces (request ids, backoff, pacing).
 */
import fc from 'fast-check';
import { generateEd25519KeyPair } from '@opendescent/crypto';
import {
  MAX_REVOCATION_LIST_BYTES,
  encodeRelayReply,
  peekRequestId,
  type RelayCommandName,
  type RelayErrorName,
} from '@opendescent/protocol';
import type { Socket } from 'socket.io-client';
import {
  FramePacer,
  MAX_IN_FLIGHT,
  RelayClient,
  nextRequestId,
  reconnectDelayMs,
  type RelayClientOptions,
  type RelayIoFactory,
} from '../src';
import { ScriptedSocket, codeOf, ok, until, type Answer } from './support/scripted-relay';

const clients: RelayClient[] = [];
/** Stand-in tokens: the scripted relay does not check them; each is distinct, so tests can tell them apart. */
let tokenCounter = 0;
const token = async (): Promise<Uint8Array> => new Uint8Array(354).fill(++tokenCounter % 256);

afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

function scripted(
  answer: Answer,
  requestTimeoutMs = 1_000,
  sending: RelayClientOptions['sending'] = {},
): { client: RelayClient; sockets: ScriptedSocket[] } {
  const sockets: ScriptedSocket[] = [];
  const ioFactory: RelayIoFactory = () => {
    const socket = new ScriptedSocket(answer);
    sockets.push(socket);
    return socket as unknown as Socket;
  };
  const client = new RelayClient({
    url: 'http://relay.invalid',
    credentials: token,
    backoff: { initialMs: 20, maxMs: 100 },
    requestTimeoutMs,
    ioFactory,
    sending,
  });
  clients.push(client);
  return { client, sockets };
}

/** Answers hello; `put` as the test says. */
const relayAnsweringPut =
  (put: (requestId: number) => unknown): Answer =>
  (event, frame) =>
    event === 'put' ? put(peekRequestId(frame)) : ok(event as RelayCommandName, peekRequestId(frame));

describe('RelayClient against a misbehaving relay', () => {
  it('an answer carrying another request id is bad_reply', async () => {
    const { client } = scripted(relayAnsweringPut((requestId) => ok('put', requestId + 1)));
    client.start();
    await until(() => client.status === 'online');
    expect(await codeOf(client.put(new Uint8Array(16), new Uint8Array(1)))).toBe('bad_reply');
  });

  it('an answer for another command is bad_reply', async () => {
    const { client } = scripted(relayAnsweringPut((requestId) => ok('ack', requestId)));
    client.start();
    await until(() => client.status === 'online');
    expect(await codeOf(client.put(new Uint8Array(16), new Uint8Array(1)))).toBe('bad_reply');
  });

  it('an undecodable or non-binary answer is bad_reply', async () => {
    const answers: unknown[] = [new Uint8Array([1, 0x41, 0, 0]), 'ok', new Uint8Array([9, 0x41, 0, 0, 0, 2, 3])];
    const { client } = scripted(relayAnsweringPut(() => answers.shift()));
    client.start();
    await until(() => client.status === 'online');
    for (let i = 0; i < 3; i++)
      expect(await codeOf(client.put(new Uint8Array(16), new Uint8Array(1)))).toBe('bad_reply');
  });

  it('an error answer the relay could not attribute (request id 0) is still that error', async () => {
    const { client } = scripted(
      relayAnsweringPut(() =>
        encodeRelayReply({ ok: false, requestId: 0, command: undefined, error: 'rate_limited', detail: '' }),
      ),
    );
    client.start();
    await until(() => client.status === 'online');
    expect(await codeOf(client.put(new Uint8Array(16), new Uint8Array(1)))).toBe('rate_limited');
  });

  it('an unsigned fetch the relay no longer accepts (auth) is sent once more, signed (relay.md §6.3)', async () => {
    const fetchSizes: number[] = [];
    const { client } = scripted((event, frame) => {
      const requestId = peekRequestId(frame);
      if (event !== 'fetch') return ok(event as RelayCommandName, requestId);
      fetchSizes.push(frame.length);
      if (frame.length === 24)
        return encodeRelayReply({ ok: false, requestId, command: 'fetch', error: 'auth', detail: '' });
      return encodeRelayReply({ ok: true, requestId, command: 'fetch', more: false, messages: [] });
    });
    client.start();
    await until(() => client.status === 'online');
    const key = await generateEd25519KeyPair();
    const { recipientId } = await client.createQueue(key); // proves the key, as far as the client knows
    await expect(client.fetch(recipientId, key, 5)).resolves.toEqual({ more: false, messages: [] });
    expect(fetchSizes).toEqual([24, 88]);
  });

  it('put_many: entries of a frame that got no answer are timeout, the others keep their status', async () => {
    let frames = 0;
    const { client } = scripted(
      (event, frame) => {
        const requestId = peekRequestId(frame);
        if (event !== 'put_many') return ok(event as RelayCommandName, requestId);
        frames++;
        if (frames === 2) return undefined;
        const count = ((frame[10] as number) << 8) | (frame[11] as number);
        return encodeRelayReply({
          ok: true,
          requestId,
          command: 'put_many',
          statuses: Array.from({ length: count }, (_, i) => (i === 0 ? 'quota_exceeded' : 'ok')),
        });
      },
      200,
      { lanes: 1 },
    );
    client.start();
    await until(() => client.status === 'online');
    const entries = Array.from({ length: 600 }, () => ({ senderId: new Uint8Array(16), blob: new Uint8Array(1) }));
    const outcomes = await client.putMany(entries);
    // One sending lane: 600 entries in frames of 256, 256 and 88 (in shuffled order, send-channel.ts).
    expect(frames).toBe(3);
    const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
    expect([count('quota_exceeded'), count('timeout'), count('ok')]).toEqual([2, 256, 342]);
  });

  it('a hello never answered: the connection is given up and tried again with backoff, never online', async () => {
    const { client, sockets } = scripted(
      (event, frame) => (event === 'hello' ? undefined : ok(event as RelayCommandName, peekRequestId(frame))),
      50,
    );
    const statuses: string[] = [];
    client.onStatus((status) => statuses.push(status));
    client.start();
    await until(() => sockets.length >= 3, 3_000, 'three attempts');
    expect(statuses).not.toContain('online');
    expect(statuses.slice(0, 4)).toEqual(['connecting', 'offline', 'connecting', 'offline']);
    expect(sockets.slice(0, -1).every((s) => s.closed)).toBe(true);
  });

  it('no token to be had: offline, and tried again later', async () => {
    let calls = 0;
    const sockets: ScriptedSocket[] = [];
    const client = new RelayClient({
      url: 'http://relay.invalid',
      credentials: async () => {
        calls++;
        if (calls < 3) throw new Error('no token to be had: the admin app is unreachable');
        return token();
      },
      backoff: { initialMs: 10, maxMs: 40 },
      ioFactory: () => {
        const socket = new ScriptedSocket((event, frame) => ok(event as RelayCommandName, peekRequestId(frame)));
        sockets.push(socket);
        return socket as unknown as Socket;
      },
    });
    clients.push(client);
    client.start();
    await until(() => client.status === 'online', 3_000, 'online');
    expect(calls).toBe(3);
    expect(sockets).toHaveLength(3);
  });

  it('every token_* refusal of hello: reported with offline, then a new connection with a fresh token', async () => {
    const refusals: RelayErrorName[] = [
      'token_malformed',
      'token_unknown_key',
      'token_wrong_origin',
      'token_invalid',
      'token_expired',
      'token_spent',
    ];
    const hellos: Uint8Array[] = [];
    const { client, sockets } = scripted((event, frame) => {
      const requestId = peekRequestId(frame);
      if (event !== 'hello') return ok(event as RelayCommandName, requestId);
      hellos.push(frame);
      const refusal = refusals[hellos.length - 1];
      return refusal
        ? encodeRelayReply({ ok: false, requestId, command: 'hello', error: refusal, detail: '' })
        : ok('hello', requestId);
    });
    const details: (string | undefined)[] = [];
    client.onStatus((status, detail) => {
      if (status === 'offline') details.push(detail);
    });
    client.start();
    await until(() => client.status === 'online', 5_000, 'online after six refusals');
    expect(details).toEqual(refusals);
    expect(sockets).toHaveLength(7);
    expect(sockets.slice(0, -1).every((s) => s.closed)).toBe(true);
    // A token is never offered twice: seven hellos, seven different tokens.
    expect(new Set(hellos.map((h) => Buffer.from(h.subarray(8)).toString('hex'))).size).toBe(7);
  });

  it('a hello refused as malformed (protocol disagreement) is final: refused, no reconnection until start()', async () => {
    const { client, sockets } = scripted((event, frame) =>
      event === 'hello'
        ? encodeRelayReply({
            ok: false,
            requestId: peekRequestId(frame),
            command: 'hello',
            error: 'malformed',
            detail: '',
          })
        : ok(event as RelayCommandName, peekRequestId(frame)),
    );
    client.start();
    await until(() => client.status === 'refused', 3_000, 'refused');
    expect(client.refusal).toBe('malformed');
    await new Promise((resolve) => setTimeout(resolve, 200)); // ten times the initial backoff
    expect(sockets).toHaveLength(1);
  });

  it('revocation events: the list bytes are passed on (Uint8Array or ArrayBuffer); junk, empty and oversized ones are ignored', async () => {
    const { client, sockets } = scripted((event, frame) => ok(event as RelayCommandName, peekRequestId(frame)));
    const lists: Uint8Array[] = [];
    client.onRevocation((list) => lists.push(list));
    client.start();
    await until(() => client.status === 'online');
    const socket = sockets[0] as ScriptedSocket;
    const junk: unknown[] = [
      'a list',
      42,
      null,
      undefined,
      { length: 3 },
      [1, 2, 3],
      new Uint8Array(0),
      new Uint8Array(MAX_REVOCATION_LIST_BYTES + 1),
      new Uint16Array(8),
    ];
    for (const value of junk) socket.fire('revocation', value);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    socket.fire('revocation', bytes);
    socket.fire('revocation', new Uint8Array([5, 6]).buffer);
    expect(lists.map((l) => [...l])).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    bytes.fill(0);
    expect([...(lists[0] as Uint8Array)]).toEqual([1, 2, 3, 4]); // a copy: the sender cannot change it afterwards
    expect(client.status).toBe('online');
  });

  it('commands during the handshake (connecting) reject with offline', async () => {
    const { client } = scripted((event, frame) =>
      event === 'hello' ? undefined : ok(event as RelayCommandName, peekRequestId(frame)),
    );
    client.start();
    expect(client.status).toBe('connecting');
    expect(await codeOf(client.createQueue(await generateEd25519KeyPair()))).toBe('offline');
  });

  it('a listener that throws does not stop the others or the client, and its error is reported, not swallowed', async () => {
    const { client } = scripted((event, frame) => ok(event as RelayCommandName, peekRequestId(frame)));
    const seen: string[] = [];
    const reported: unknown[] = [];
    const original = Object.getOwnPropertyDescriptor(globalThis, 'reportError');
    Object.defineProperty(globalThis, 'reportError', {
      value: (error: unknown) => reported.push(error),
      configurable: true,
      writable: true,
    });
    try {
      client.onStatus(() => {
        throw new Error('listener bug');
      });
      client.onStatus((status) => seen.push(status));
      client.start();
      await until(() => client.status === 'online');
      client.stop();
    } finally {
      if (original) Object.defineProperty(globalThis, 'reportError', original);
      else delete (globalThis as { reportError?: unknown }).reportError;
    }
    expect(seen).toEqual(['connecting', 'online', 'offline']);
    expect(reported).toHaveLength(3);
  });
});

describe('request ids (relay.md §3.0)', () => {
  it('count up from 1, never 0, and wrap after 2^32-1', () => {
    expect(nextRequestId(0)).toBe(1);
    expect(nextRequestId(1)).toBe(2);
    expect(nextRequestId(0xffff_fffe)).toBe(0xffff_ffff);
    expect(nextRequestId(0xffff_ffff)).toBe(1);
  });
});

describe('reconnection backoff', () => {
  it('stays within [step/2, step], where step doubles from initialMs up to maxMs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const step = Math.min(30_000, 500 * 2 ** Math.min(attempt, 30));
          const delay = reconnectDelayMs(attempt, 500, 30_000, () => random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(delay).toBeLessThanOrEqual(step);
        },
      ),
    );
    expect(reconnectDelayMs(0, 500, 30_000, () => 0)).toBe(250);
    expect(reconnectDelayMs(3, 500, 30_000, () => 0.999_999)).toBe(4_000);
    expect(reconnectDelayMs(50, 500, 30_000, () => 0.999_999)).toBe(30_000);
  });
});

describe('FramePacer (relay.md §8.3)', () => {
  it('lets a burst through at once, then spaces frames at (just under) the advertised rate', async () => {
    const pacer = new FramePacer({ ratePerSecond: 100, rateBurst: 5 });
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        await pacer.acquire(1);
        times.push(Date.now() - started);
        pacer.release();
      }),
    );
    // Burst: floor(5 × 0.9) = 4 at once; then 6 more at 90 per second.
    expect(times.slice(0, 4).every((t) => t < 30)).toBe(true);
    expect(times[9]).toBeGreaterThanOrEqual(60);
    expect(times[9]).toBeLessThan(1_000);
  });

  it('holds frames beyond MAX_IN_FLIGHT unanswered ones until one is answered', async () => {
    const pacer = new FramePacer({ ratePerSecond: 1_000_000, rateBurst: 1_000_000 });
    let granted = 0;
    for (let i = 0; i < MAX_IN_FLIGHT + 3; i++)
      void pacer.acquire(1).then(
        () => granted++,
        () => undefined,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(granted).toBe(MAX_IN_FLIGHT);
    pacer.release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(granted).toBe(MAX_IN_FLIGHT + 1);
    pacer.close(new Error('closed'));
  });

  it('a large put_many may leave a debt that the next frame waits out', async () => {
    const pacer = new FramePacer({ ratePerSecond: 100, rateBurst: 20 }); // 90/s, burst 18
    await pacer.acquire(1 + Math.floor(256 / 16)); // 17 tokens
    pacer.release();
    await pacer.acquire(1);
    pacer.release();
    const started = Date.now();
    await pacer.acquire(1); // 0 tokens left: waits about 1/90 s
    pacer.release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(5);
  });

  it('close() rejects every waiting frame and every later one', async () => {
    const pacer = new FramePacer({ ratePerSecond: 1, rateBurst: 1 });
    await pacer.acquire(1);
    const waiting = pacer.acquire(1);
    const error = new Error('offline');
    pacer.close(error);
    await expect(waiting).rejects.toBe(error);
    await expect(pacer.acquire(1)).rejects.toBe(error);
  });
});
