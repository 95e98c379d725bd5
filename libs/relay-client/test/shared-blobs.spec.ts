/**
 * Shared blobs from the client (relay.md §3.13, §3.14, §5.5): putShared and fetchShared travel
 * over a sending connection, each admitted by its own token, and never over the connection that
 * holds the device's subscriptions, so a live relay cannot tie a fetch to a queue the fetching
 * device reads. A blob or id that could never be sent opens no connection.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { decodeRelayCommand, encodeRelayReply, peekRequestId, type RelayCommandName } from '@opendescent/protocol';
import type { Socket } from 'socket.io-client';
import { RelayClient, SendChannel, type RelayIoFactory } from '../src';
import { ScriptedSocket, ok, until, type Answer } from './support/scripted-relay';

const SHARED_ID = new Uint8Array(16).fill(0x5d);
const UNKNOWN_ID = new Uint8Array(16).fill(0x0f);
/** What the scripted relay holds under SHARED_ID. */
const STORED = new Uint8Array([7, 7, 7]);

/** A relay holding one shared blob: put_shared answers SHARED_ID, fetch_shared the blob or `not_found`. */
const answer: Answer = (event, frame) => {
  const requestId = peekRequestId(frame);
  if (event === 'put_shared') {
    decodeRelayCommand('put_shared', frame);
    return encodeRelayReply({ ok: true, requestId, command: 'put_shared', sharedId: SHARED_ID });
  }
  if (event === 'fetch_shared') {
    const { sharedId } = decodeRelayCommand('fetch_shared', frame);
    return Buffer.from(sharedId).equals(Buffer.from(SHARED_ID))
      ? encodeRelayReply({ ok: true, requestId, command: 'fetch_shared', blob: STORED })
      : encodeRelayReply({ ok: false, requestId, command: 'fetch_shared', error: 'not_found', detail: '' });
  }
  return ok(event as RelayCommandName, requestId);
};

function scriptedIo(): { ioFactory: RelayIoFactory; sockets: ScriptedSocket[] } {
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
const credentials = async (): Promise<Uint8Array> => new Uint8Array(354).fill(++tokenCounter % 256);
const helloToken = (socket: ScriptedSocket): number | undefined => {
  const hello = socket.emitted.find((e) => e.event === 'hello');
  return hello ? (hello.frame[8] as number) : undefined;
};
const events = (socket: ScriptedSocket | undefined): string[] => (socket?.emitted ?? []).map((e) => e.event);

const running: { close(): void }[] = [];
afterEach(() => {
  for (const closable of running.splice(0)) closable.close();
});

async function onlineClient(): Promise<{ client: RelayClient; sockets: ScriptedSocket[]; reading: ScriptedSocket }> {
  const { ioFactory, sockets } = scriptedIo();
  const client = new RelayClient({
    url: 'http://relay.invalid',
    credentials,
    ioFactory,
    backoff: { initialMs: 20, maxMs: 50 },
  });
  running.push({ close: () => client.stop() });
  client.start();
  await until(() => client.status === 'online');
  return { client, sockets, reading: sockets[0] as ScriptedSocket };
}

describe('shared blobs over the sending connections', () => {
  it('putShared and fetchShared never go over the subscribed connection; the sending one has its own token and reads nothing', async () => {
    const { client, sockets, reading } = await onlineClient();
    const key = await generateEd25519KeyPair();
    const { recipientId } = await client.createQueue(key);
    await client.subscribe(recipientId, key);

    const blob = new Uint8Array([1, 2, 3, 4]);
    expect(await client.putShared(blob, 3600)).toEqual(SHARED_ID);
    expect(await client.fetchShared(SHARED_ID)).toEqual(STORED);

    expect(events(reading)).toEqual(['hello', 'create', 'subscribe']);
    const senders = sockets.slice(1);
    expect(senders.length).toBeGreaterThanOrEqual(1);
    const carried = senders.flatMap((socket) => socket.emitted.filter((e) => e.event !== 'hello'));
    expect(carried.map((e) => e.event).sort()).toEqual(['fetch_shared', 'put_shared']);
    for (const socket of senders) {
      expect(events(socket)[0]).toBe('hello');
      expect(events(socket).some((e) => ['create', 'subscribe', 'fetch', 'ack', 'delete'].includes(e))).toBe(false);
    }
    expect(new Set(sockets.map(helloToken)).size).toBe(sockets.length);

    // The frames carry exactly what was asked: the blob and TTL, then the id.
    const put = carried.find((e) => e.event === 'put_shared');
    expect(decodeRelayCommand('put_shared', put?.frame)).toMatchObject({ ttl: 3600, blob });
    const fetched = carried.find((e) => e.event === 'fetch_shared');
    expect(decodeRelayCommand('fetch_shared', fetched?.frame)).toMatchObject({ sharedId: SHARED_ID });
  });

  it('a fetch of an unknown or expired id rejects with not_found, still over a sending connection', async () => {
    const { client, sockets, reading } = await onlineClient();
    await expect(client.fetchShared(UNKNOWN_ID)).rejects.toMatchObject({ code: 'not_found' });
    expect(events(reading)).toEqual(['hello']);
    expect(sockets.slice(1).flatMap((socket) => events(socket))).toEqual(['hello', 'fetch_shared']);
  });

  it('a ttl of 0 by default', async () => {
    const { client, sockets } = await onlineClient();
    await client.putShared(new Uint8Array([9]));
    const put = sockets.flatMap((socket) => socket.emitted).find((e) => e.event === 'put_shared');
    expect(decodeRelayCommand('put_shared', put?.frame)).toMatchObject({ ttl: 0 });
  });

  it('a blob or an id that could never be sent opens no connection and spends no token', async () => {
    const { ioFactory, sockets } = scriptedIo();
    const channel = new SendChannel({
      url: 'http://relay.invalid',
      credentials,
      connection: { ioFactory },
      frameCeiling: () => 1_000,
    });
    running.push(channel);
    const before = tokenCounter;
    await expect(channel.putShared(new Uint8Array(0))).rejects.toMatchObject({ code: 'malformed' });
    await expect(channel.putShared(new Uint8Array(65_537))).rejects.toMatchObject({ code: 'oversized' });
    // Within the blob limit, but not within this relay's frame ceiling.
    await expect(channel.putShared(new Uint8Array(990))).rejects.toMatchObject({ code: 'oversized' });
    await expect(channel.fetchShared(new Uint8Array(15))).rejects.toMatchObject({ code: 'malformed' });
    await expect(channel.fetchShared('not an id' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'malformed',
    });
    expect(sockets).toHaveLength(0);
    expect(tokenCounter).toBe(before);
  });

  it('a stopped client sends nothing: offline', async () => {
    const { client, sockets } = await onlineClient();
    client.stop();
    const opened = sockets.length;
    await expect(client.putShared(new Uint8Array([1]))).rejects.toMatchObject({ code: 'offline' });
    await expect(client.fetchShared(SHARED_ID)).rejects.toMatchObject({ code: 'offline' });
    expect(sockets).toHaveLength(opened);
  });
});
