/**
 * Sending unlinkable from receiving (relay.md §5.5): what a device writes never travels on the
 * connection that reads its queues; each sending connection says hello with its own token and is
 * replaced when old or worn; a fan-out is shuffled over several connections, so no frame and no
 * connection names every member's queue.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { decodeRelayCommand, encodeRelayReply, peekRequestId, type RelayCommandName } from '@opendescent/protocol';
import type { Socket } from 'socket.io-client';
import { RelayClient, SendChannel, type RelayIoFactory } from '../src';
import { ScriptedSocket, ok, until, type Answer } from './support/scripted-relay';

const SENDING_COMMANDS = new Set(['put', 'put_many', 'prekey_publish', 'prekey_fetch', 'prekey_claim']);

/** Answers everything; a put_many gets `ok` per entry, except entries whose blob starts with 0xEE (`quota_exceeded`). */
const answerAll: Answer = (event, frame) => {
  const requestId = peekRequestId(frame);
  if (event === 'put_many') {
    const decoded = decodeRelayCommand('put_many', frame);
    if (decoded.command !== 'put_many') throw new Error('not a put_many');
    return encodeRelayReply({
      ok: true,
      requestId,
      command: 'put_many',
      statuses: decoded.entries.map((e) => (e.blob[0] === 0xee ? 'quota_exceeded' : 'ok')),
    });
  }
  if (event === 'prekey_fetch')
    return encodeRelayReply({
      ok: true,
      requestId,
      command: 'prekey_fetch',
      remaining: 0,
      bundle: new Uint8Array([1]),
    });
  if (event === 'prekey_publish')
    return encodeRelayReply({ ok: true, requestId, command: 'prekey_publish', remaining: 0 });
  if (event === 'prekey_claim')
    return encodeRelayReply({
      ok: true,
      requestId,
      command: 'prekey_claim',
      bundle: new Uint8Array([1]),
      oneTimePrekey: undefined,
    });
  return ok(event as RelayCommandName, requestId);
};

function scriptedIo(answer: Answer = answerAll): { ioFactory: RelayIoFactory; sockets: ScriptedSocket[] } {
  const sockets: ScriptedSocket[] = [];
  return {
    sockets,
    ioFactory: () => {
      const socket = new ScriptedSocket(answer);
      sockets.push(socket);
      return socket as unknown as Socket;
    },
  };
}

let tokenCounter = 0;
const tokens = { issued: [] as number[] };
const credentials = async (): Promise<Uint8Array> => {
  tokenCounter++;
  tokens.issued.push(tokenCounter);
  return new Uint8Array(354).fill(tokenCounter % 256);
};
const helloToken = (socket: ScriptedSocket): number | undefined => {
  const hello = socket.emitted.find((e) => e.event === 'hello');
  return hello ? (hello.frame[8] as number) : undefined;
};

const entry = (i: number, first = 1) => ({ senderId: new Uint8Array(16).fill(i), blob: new Uint8Array([first, i]) });
const channels: { close(): void }[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});

describe('sending over connections that read nothing', () => {
  it('a client’s puts, fan-outs and prekey traffic never go over its reading connection, and each sending connection has its own token', async () => {
    const { ioFactory, sockets } = scriptedIo();
    const client = new RelayClient({
      url: 'http://relay.invalid',
      credentials,
      ioFactory,
      backoff: { initialMs: 20, maxMs: 50 },
    });
    channels.push({ close: () => client.stop() });
    client.start();
    await until(() => client.status === 'online');
    const reading = sockets[0] as ScriptedSocket;
    const key = await generateEd25519KeyPair();
    const { recipientId } = await client.createQueue(key);
    await client.subscribe(recipientId, key);
    await client.put(new Uint8Array(16).fill(7), new Uint8Array([1]));
    expect(await client.putMany([entry(1), entry(2), entry(3), entry(4)])).toEqual(['ok', 'ok', 'ok', 'ok']);
    await client.publishPrekeys(new Uint8Array(16), await generateEd25519KeyPair(), 'replace', new Uint8Array([1]), []);
    await client.fetchPrekeys(new Uint8Array(16));
    await client.claimPrekeys(new Uint8Array(16));

    expect(reading.emitted.map((e) => e.event)).toEqual(['hello', 'create', 'subscribe']);
    const senders = sockets.slice(1);
    expect(senders.length).toBeGreaterThanOrEqual(1);
    expect(senders.length).toBeLessThanOrEqual(2);
    for (const socket of senders) {
      expect(socket.emitted.every((e) => e.event === 'hello' || SENDING_COMMANDS.has(e.event))).toBe(true);
      expect(
        socket.emitted.some(
          (e) => e.event === 'subscribe' || e.event === 'create' || e.event === 'fetch' || e.event === 'ack',
        ),
      ).toBe(false);
    }
    const usedTokens = sockets.map(helloToken);
    expect(new Set(usedTokens).size).toBe(sockets.length);
  });

  it('a fan-out is shuffled over two connections: no frame and no connection carries every entry, and outcomes keep entry order', async () => {
    const { ioFactory, sockets } = scriptedIo();
    const channel = new SendChannel({ url: 'http://relay.invalid', credentials, connection: { ioFactory }, lanes: 2 });
    channels.push(channel);
    const entries = Array.from({ length: 40 }, (_, i) => entry(i, i % 5 === 0 ? 0xee : 1));
    const outcomes = await channel.putMany(entries);
    expect(outcomes).toEqual(entries.map((e) => (e.blob[0] === 0xee ? 'quota_exceeded' : 'ok')));
    expect(sockets).toHaveLength(2);
    const carried = sockets.map((socket) =>
      socket.emitted
        .filter((e) => e.event === 'put_many')
        .flatMap((e) => {
          const decoded = decodeRelayCommand('put_many', e.frame);
          return decoded.command === 'put_many' ? decoded.entries.map((x) => x.senderId[0] as number) : [];
        }),
    );
    expect(carried.map((ids) => ids.length)).toEqual([20, 20]);
    expect([...(carried[0] ?? []), ...(carried[1] ?? [])].sort((a, b) => a - b)).toEqual(entries.map((_e, i) => i));
    // Shuffled: with 40 entries the chance that a lane carries exactly the first or second half in order is negligible.
    expect(carried[0]).not.toEqual(entries.slice(0, 20).map((_e, i) => i));
  });

  it('a sending connection is replaced after maxFrames, with a new token, and the old one closes once its frames are answered', async () => {
    const { ioFactory, sockets } = scriptedIo();
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory },
      lanes: 1,
      maxFrames: 3,
    });
    channels.push(channel);
    for (let i = 0; i < 7; i++) await channel.put(new Uint8Array(16).fill(i), new Uint8Array([1]));
    expect(sockets.map((s) => s.emitted.filter((e) => e.event === 'put').length)).toEqual([3, 3, 1]);
    expect(new Set(sockets.map(helloToken)).size).toBe(3);
    await until(
      () => (sockets[0] as ScriptedSocket).closed && (sockets[1] as ScriptedSocket).closed,
      2_000,
      'worn connections closed',
    );
    expect((sockets[2] as ScriptedSocket).closed).toBe(false);
  });

  it('a sending connection is replaced after maxAgeMs, and closed after idleMs without a frame', async () => {
    let now = 0;
    const { ioFactory, sockets } = scriptedIo();
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory },
      lanes: 1,
      maxAgeMs: 1_000,
      idleMs: 100,
      now: () => now,
    });
    channels.push(channel);
    await channel.put(new Uint8Array(16), new Uint8Array([1]));
    now = 1_000;
    await channel.put(new Uint8Array(16), new Uint8Array([1]));
    expect(sockets).toHaveLength(2);
    await until(() => sockets.every((s) => s.closed), 2_000, 'idle connections closed');
  });

  it('entries that can never be sent open no connection and spend no token', async () => {
    const { ioFactory, sockets } = scriptedIo();
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory },
      frameCeiling: () => 1_000,
    });
    channels.push(channel);
    const before = tokens.issued.length;
    expect(
      await channel.putMany([
        { senderId: new Uint8Array(3), blob: new Uint8Array([1]) },
        { senderId: new Uint8Array(16), blob: new Uint8Array(2_000) },
      ]),
    ).toEqual(['malformed', 'oversized']);
    await expect(channel.put(new Uint8Array(16), new Uint8Array(0))).rejects.toMatchObject({ code: 'malformed' });
    expect(sockets).toHaveLength(0);
    expect(tokens.issued.length).toBe(before);
  });

  it('a sending hello refused for its token: entries are offline (to be retried), and the holder is told', async () => {
    const refused: string[] = [];
    const { ioFactory } = scriptedIo((event, frame) =>
      event === 'hello'
        ? encodeRelayReply({
            ok: false,
            requestId: peekRequestId(frame),
            command: 'hello',
            error: 'token_unknown_key',
            detail: '',
          })
        : answerAll(event, frame, undefined as never),
    );
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory },
      lanes: 2,
      onTokenRefused: (code) => refused.push(code),
    });
    channels.push(channel);
    expect(await channel.putMany([entry(1), entry(2)])).toEqual(['offline', 'offline']);
    expect(refused).toEqual(['token_unknown_key', 'token_unknown_key']);
  });

  it('a relay that cannot be reached: offline, nothing sent', async () => {
    const { ioFactory } = scriptedIo();
    const unreachable: RelayIoFactory = (url, options) => {
      const socket = ioFactory(url, options) as unknown as ScriptedSocket;
      socket.connect = function (this: ScriptedSocket) {
        setTimeout(() => this.fire('connect_error', new Error('refused')), 1);
        return this;
      };
      return socket as unknown as Socket;
    };
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory: unreachable },
    });
    channels.push(channel);
    await expect(channel.put(new Uint8Array(16), new Uint8Array([1]))).rejects.toMatchObject({ code: 'offline' });
  });
});
