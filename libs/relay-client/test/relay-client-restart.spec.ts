/**
 * RelayClient started again, against a scripted relay: after stop() and start(), and after a
 * refusal and start() (the documented way to try again), sending works again. Before, the
 * sending lanes stayed closed for good and every put was answered `offline`.
 */
import { decodeRelayCommand, encodeRelayReply, peekRequestId, type RelayCommandName } from '@opendescent/protocol';
import type { Socket } from 'socket.io-client';
import { RelayClient, RelayRequestError, type RelayIoFactory } from '../src';
import { ScriptedSocket, codeOf, ok, until, type Answer } from './support/scripted-relay';

const clients: RelayClient[] = [];
let tokenCounter = 0;
const token = async (): Promise<Uint8Array> => new Uint8Array(354).fill(++tokenCounter % 256);

afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

function scripted(answer: Answer): { client: RelayClient; puts: () => number } {
  let puts = 0;
  const ioFactory: RelayIoFactory = () =>
    new ScriptedSocket((event, frame, socket) => {
      if (event === 'put' || event === 'put_many') puts += 1;
      return answer(event, frame, socket);
    }) as unknown as Socket;
  const client = new RelayClient({
    url: 'http://relay.invalid',
    credentials: token,
    backoff: { initialMs: 20, maxMs: 100 },
    requestTimeoutMs: 1_000,
    ioFactory,
  });
  clients.push(client);
  return { client, puts: () => puts };
}

/** Answers every command `ok`; a put_many with one `ok` per entry. */
const answerAll: Answer = (event, frame) => {
  if (event !== 'put_many') return ok(event as RelayCommandName, peekRequestId(frame));
  const { requestId, entries } = decodeRelayCommand('put_many', frame);
  return encodeRelayReply({ ok: true, requestId, command: 'put_many', statuses: entries.map(() => 'ok' as const) });
};

const entry = { senderId: new Uint8Array(16).fill(1), blob: new Uint8Array(8) };

it('stop() then start(): put and put_many reach the relay again', async () => {
  const { client, puts } = scripted(answerAll);
  client.start();
  await until(() => client.status === 'online');
  expect(await codeOf(client.put(entry.senderId, entry.blob), 'ok')).toBe('ok');

  client.stop();
  expect(await codeOf(client.put(entry.senderId, entry.blob), 'ok')).toBe('offline');
  expect(await client.putMany([entry]).catch((error: RelayRequestError) => [error.code])).toEqual(['offline']);
  const before = puts();

  client.start();
  await until(() => client.status === 'online');
  expect(await codeOf(client.put(entry.senderId, entry.blob), 'ok')).toBe('ok');
  expect(await client.putMany([entry, entry])).toEqual(['ok', 'ok']);
  expect(puts()).toBeGreaterThan(before);
});

it('stopped and started again several times: each time sending works', async () => {
  const { client } = scripted(answerAll);
  for (let round = 0; round < 3; round++) {
    client.start();
    await until(() => client.status === 'online');
    expect(await client.putMany([entry])).toEqual(['ok']);
    client.stop();
  }
});

it('refused, then started again once the relay agrees: sending works again', async () => {
  let refuse = true;
  const { client } = scripted((event, frame, socket) =>
    event === 'hello' && refuse
      ? encodeRelayReply({
          ok: false,
          requestId: peekRequestId(frame),
          command: 'hello',
          error: 'malformed',
          detail: '',
        })
      : answerAll(event, frame, socket),
  );
  client.start();
  await until(() => client.status === 'refused', 3_000, 'refused');
  expect(await codeOf(client.put(entry.senderId, entry.blob), 'ok')).toBe('offline');

  refuse = false;
  client.start();
  await until(() => client.status === 'online');
  expect(await codeOf(client.put(entry.senderId, entry.blob), 'ok')).toBe('ok');
  expect(await client.putMany([entry])).toEqual(['ok']);
});
