/**
 * attach_create from the client (relay.md §3.15, §5.5): it goes over a sending connection, never
 * the reading one, and a length or fetch count that could never be admitted opens no connection.
 */
import {
  attachmentCiphertextLength,
  decodeRelayCommand,
  encodeRelayReply,
  peekRequestId,
  type RelayCommandName,
} from '@opendescent/protocol';
import type { Socket } from 'socket.io-client';
import { RelayClient, RelayRequestError } from '../src';
import { ScriptedSocket, ok, until, type Answer } from './support/scripted-relay';

const UPLOAD_ID = new Uint8Array(16).fill(0x11);
const ATTACHMENT_ID = new Uint8Array(16).fill(0x22);
const asked: { length: number; fetches: number; ttl: number }[] = [];

const answer: Answer = (event, frame) => {
  const requestId = peekRequestId(frame);
  if (event === 'attach_create') {
    const { length, fetches, ttl } = decodeRelayCommand('attach_create', frame);
    asked.push({ length, fetches, ttl });
    if (fetches === 99)
      return encodeRelayReply({ ok: false, requestId, command: 'attach_create', error: 'store_full', detail: '' });
    return encodeRelayReply({
      ok: true,
      requestId,
      command: 'attach_create',
      uploadId: UPLOAD_ID,
      attachmentId: ATTACHMENT_ID,
      expiresAt: 1_900_000_000,
    });
  }
  return ok(event as RelayCommandName, requestId);
};

let client: RelayClient;
const sockets: ScriptedSocket[] = [];
let tokens = 0;

beforeEach(async () => {
  sockets.length = 0;
  asked.length = 0;
  client = new RelayClient({
    url: 'http://relay.invalid',
    credentials: async () => new Uint8Array(354).fill(++tokens % 256),
    ioFactory: () => {
      const socket = new ScriptedSocket(answer);
      sockets.push(socket);
      return socket as unknown as Socket;
    },
    backoff: { initialMs: 20, maxMs: 50 },
  });
  client.start();
  await until(() => client.status === 'online');
});
afterEach(() => client.stop());

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof RelayRequestError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createAttachment', () => {
  it('admits an upload over a sending connection and resolves both capabilities and the expiry', async () => {
    const length = attachmentCiphertextLength(20 * 1024 * 1024);
    await expect(client.createAttachment({ length, fetches: 5, ttl: 3_600 })).resolves.toEqual({
      uploadId: UPLOAD_ID,
      attachmentId: ATTACHMENT_ID,
      expiresAt: 1_900_000_000,
    });
    expect(asked).toEqual([{ length, fetches: 5, ttl: 3_600 }]);
    const reading = sockets[0] as ScriptedSocket;
    expect(reading.emitted.map((e) => e.event)).not.toContain('attach_create');
    expect(sockets.slice(1).some((s) => s.emitted.some((e) => e.event === 'attach_create'))).toBe(true);
  });

  it("the relay's refusal comes back by its code", async () => {
    expect(await codeOf(client.createAttachment({ length: attachmentCiphertextLength(10), fetches: 99 }))).toBe(
      'store_full',
    );
  });

  it('malformed or oversized requests open no connection', async () => {
    const before = sockets.length;
    expect(await codeOf(client.createAttachment({ length: 1_016, fetches: 1 }))).toBe('malformed');
    expect(await codeOf(client.createAttachment({ length: 16, fetches: 0 }))).toBe('malformed');
    expect(await codeOf(client.createAttachment({ length: 16, fetches: 16_385 }))).toBe('oversized');
    expect(sockets).toHaveLength(before);
    expect(asked).toEqual([]);
  });
});
