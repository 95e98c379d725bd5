/**
 * Files over a direct channel (docs/protocol/direct.md §9), with the real messenger over a fake
 * WebRTC network (fake-direct-network.ts) and a REAL relay: a file between two devices with a
 * channel comes from the sender's device and the relay sends none of it, yet deletes its copy on
 * `fetched`; with every relay down it still arrives; a channel cut mid-file leaves the relay only
 * the rest to send; a sender whose bytes do not check gets them refused, and the whole file comes
 * from the relay. Each file opens byte-identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachmentCiphertextLength, MAX_DIRECT_FILE_WINDOW_BYTES } from '@opendescent/protocol';
import type { MessageView } from '../../src/messenger/api';
import { pairOnNetwork, relayCounter, waitForDirect } from './direct-support';
import { FakeDirectNetwork } from './fake-direct-network';
import { eventually, useSpecWorld, type TestMessenger } from './support';

const attachmentDir = mkdtempSync(path.join(os.tmpdir(), 'od-web-direct-files-'));
const world = useSpecWorld({ RELAY_ATTACHMENT_DIR: attachmentDir });
jest.setTimeout(60_000);
afterAll(() => rmSync(attachmentDir, { recursive: true, force: true }));

/** Random bytes: the file received must be these, whichever way they came. */
function fileOf(size: number): { blob: Blob; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  // getRandomValues fills at most 65,536 bytes at a time.
  for (let at = 0; at < size; at += 65_536) globalThis.crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  return { blob: new Blob([bytes], { type: 'application/octet-stream' }), bytes };
}

/** What the relay counts of attachments: downloads found, the bytes they asked for, and deletions on `fetched`. */
async function relayFiles(): Promise<{ downloads: number; bytes: number; deleted: number }> {
  const [downloads, bytes, deleted] = await Promise.all([
    relayCounter(world.relay, /^relay_attachment_downloads_total\{result="found"\} (\d+)/m),
    relayCounter(world.relay, /^relay_attachment_download_bytes_total (\d+)/m),
    relayCounter(world.relay, /^relay_attachments_deleted_total\{reason="fetched"\} (\d+)/m),
  ]);
  // A counter with a label is absent until its first sample: none yet is 0.
  return { downloads: downloads || 0, bytes: bytes || 0, deleted: deleted || 0 };
}

async function state(device: TestMessenger, conversationId: string, messageId: string): Promise<string> {
  return (await device.api.messages(conversationId)).find((m) => m.id === messageId)?.attachment?.state ?? 'gone';
}

/** a sends b a file; resolves with b's message once b holds the file, checked. */
async function sendAndStore(
  a: TestMessenger,
  atA: string,
  b: TestMessenger,
  atB: string,
  blob: Blob,
  name: string,
): Promise<MessageView> {
  const id = await a.api.sendFile(atA, blob, name, '');
  await eventually(async () => (await state(a, atA, id)) === 'sent', 'the upload completes');
  const received = await eventually(
    async () => (await b.api.messages(atB)).find((m) => m.attachment?.name === name),
    `${b.name} has the message with ${name}`,
  );
  await eventually(async () => (await state(b, atB, received.id)) === 'stored', `${b.name} stores ${name}`);
  return received;
}

async function opened(device: TestMessenger, conversationId: string, messageId: string): Promise<Buffer> {
  return Buffer.from(await (await device.api.openAttachment(conversationId, messageId)).arrayBuffer());
}

test('a file to a device with an open channel comes over it: the relay sends none of it, and still deletes its copy on `fetched`', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pairOnNetwork(world, network);
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  const file = fileOf(2 * MAX_DIRECT_FILE_WINDOW_BYTES + 70_000);
  const before = await relayFiles();
  const received = await sendAndStore(a, atA, b, atB, file.blob, 'plan.bin');
  expect((await opened(b, atB, received.id)).equals(file.bytes)).toBe(true);
  await eventually(async () => (await relayFiles()).deleted === before.deleted + 1, 'the relay deletes its copy');
  const after = await relayFiles();
  expect(after.downloads).toBe(before.downloads);
  expect(after.bytes).toBe(before.bytes);
});

test('every relay down: a file between two devices with a channel still arrives, over the channel', async () => {
  const network = new FakeDirectNetwork();
  // b fetches files on a click only, so that it fetches this one once the relay is gone.
  const { a, b, atA, atB } = await pairOnNetwork(world, network, { secondAutoDownloadBytes: 0 });
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  const file = fileOf(400_000);
  const id = await a.api.sendFile(atA, file.blob, 'offline.bin', '');
  await eventually(async () => (await state(a, atA, id)) === 'sent', 'the upload completes');
  const received = await eventually(
    async () => (await b.api.messages(atB)).find((m) => m.attachment?.name === 'offline.bin'),
    'b has the message',
  );
  expect(received.attachment?.state).toBe('available');
  await world.relay.stop();
  try {
    await eventually(async () => (await b.api.snapshot()).relays.every((r) => r.status !== 'online'), 'b sees it down');
    await b.api.fetchAttachment(atB, received.id);
    await eventually(async () => (await state(b, atB, received.id)) === 'stored', 'b stores it with the relay down');
    expect((await opened(b, atB, received.id)).equals(file.bytes)).toBe(true);
  } finally {
    await world.relay.restart();
  }
});

test('a channel cut mid-file: the relay sends only the rest, from where the channel stopped', async () => {
  const network = new FakeDirectNetwork();
  let pieces = 0;
  const { a, b, atA, atB } = await pairOnNetwork(world, network, {
    first: {
      directFilePiece: (bytes) => {
        // Into the second window (16 pieces of 64 KiB each): the network goes, for good.
        pieces += 1;
        if (pieces === 20) {
          network.unreachable = true;
          network.cutAll();
        }
        return bytes;
      },
    },
  });
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  const size = 3 * MAX_DIRECT_FILE_WINDOW_BYTES;
  const file = fileOf(size);
  const before = await relayFiles();
  const received = await sendAndStore(a, atA, b, atB, file.blob, 'cut.bin');
  expect((await opened(b, atB, received.id)).equals(file.bytes)).toBe(true);
  const after = await relayFiles();
  expect(after.downloads).toBe(before.downloads + 1);
  // At least the first window came over the channel; the relay was asked for the rest only.
  const asked = after.bytes - before.bytes;
  expect(asked).toBeGreaterThan(0);
  expect(asked).toBeLessThanOrEqual(attachmentCiphertextLength(size) - MAX_DIRECT_FILE_WINDOW_BYTES);
});

test('a sender whose pieces do not check: they are refused, and the whole file comes from the relay', async () => {
  const network = new FakeDirectNetwork();
  let served = 0;
  const { a, b, atA, atB } = await pairOnNetwork(world, network, {
    first: {
      directFilePiece: (bytes) => {
        served += 1;
        return bytes.map((byte, i) => (i === 100 ? byte ^ 1 : byte));
      },
    },
  });
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  const file = fileOf(300_000);
  const before = await relayFiles();
  const received = await sendAndStore(a, atA, b, atB, file.blob, 'bent.bin');
  expect((await opened(b, atB, received.id)).equals(file.bytes)).toBe(true);
  // b asked a first, and a's bent pieces were sent.
  expect(served).toBeGreaterThan(0);
  const after = await relayFiles();
  expect(after.downloads).toBe(before.downloads + 1);
  expect(after.bytes - before.bytes).toBe(attachmentCiphertextLength(300_000));
  // Bytes that do not check are no breach of the frame rules: the channel stays.
  expect((await b.api.snapshot()).conversations.find((c) => c.id === atB)?.path).toBe('direct');
});
