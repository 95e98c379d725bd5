/**
 * Files between staff with the real messenger over a REAL relay (attachments.md): sealed on the
 * sender's device, uploaded, the message sent once the upload is complete, fetched and checked
 * by each receiving device (small files at once, large ones on a click), opened byte-identical,
 * and gone from the relay once every device fetched it. The relay's attachment folder is read
 * for the file's name and bytes (none may appear). Refusals by name: a file on a relay this
 * organisation does not use, a digest that does not match, too large, cancelled, expired.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTO_DOWNLOAD_BYTES } from '../../src/messenger/attachment-api';
import type { MessageView } from '../../src/messenger/api';
import { conversationWith, enrolDevice, eventually, useSpecWorld, type TestMessenger } from './support';

const attachmentDir = mkdtempSync(path.join(os.tmpdir(), 'od-web-attachments-'));
const world = useSpecWorld({ RELAY_ATTACHMENT_DIR: attachmentDir });
let alice: TestMessenger;
let bob: TestMessenger;
let carol: TestMessenger;
let mallory: TestMessenger;
let tamperDigest = false;
let foreignRelay = false;

const at = (name: string) => `${name}@agency.example`;
const NAME = 'budget-2027-confidential.pdf';

/** A file whose every 64-byte window is recognisable, so its plaintext can be searched for. */
function fileOf(size: number, seed = 7): Blob {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return new Blob([bytes], { type: 'application/pdf' });
}

async function bytesOf(blob: Blob): Promise<Buffer> {
  return Buffer.from(await blob.arrayBuffer());
}

async function messageWithFile(api: TestMessenger['api'], conversationId: string, name = NAME): Promise<MessageView> {
  return eventually(
    async () => (await api.messages(conversationId)).find((m) => m.attachment?.name === name),
    `a message with ${name}`,
  );
}

async function fileState(api: TestMessenger['api'], conversationId: string, messageId: string): Promise<string> {
  return (await api.messages(conversationId)).find((m) => m.id === messageId)?.attachment?.state ?? 'gone';
}

/** Every file the relay holds, concatenated. */
function relayBytes(): Buffer {
  return Buffer.concat(readdirSync(attachmentDir).map((f) => readFileSync(path.join(attachmentDir, f))));
}

beforeAll(async () => {
  const enrol = async (name: string, tamper?: Parameters<typeof enrolDevice>[3]['tamper']) => {
    const entry = await enrolDevice(name, at(name), name.toUpperCase(), {
      relayUrl: world.relay.url,
      admin: world.admin,
      ...(tamper ? { tamper } : {}),
    });
    world.devices.push(entry);
    return entry;
  };
  alice = await enrol('alice');
  bob = await enrol('bob');
  carol = await enrol('carol');
  mallory = await enrol('mallory', {
    payload: (payload) => {
      if (payload.t !== 'text' || !payload.attachment) return payload;
      if (tamperDigest) return { ...payload, attachment: { ...payload.attachment, digest: 'A'.repeat(43) } };
      if (foreignRelay) return { ...payload, attachment: { ...payload.attachment, relay: 'http://127.0.0.1:9' } };
      return payload;
    },
  });
}, 120_000);

afterAll(() => rmSync(attachmentDir, { recursive: true, force: true }));

test('a file to a group: sealed, uploaded, sent; each member fetches it, checks it and opens the same bytes; the relay then deletes it', async () => {
  const group = await alice.api.createGroup('finance', [at('bob'), at('carol')]);
  const [bobGroup, carolGroup] = await Promise.all([
    conversationWith(bob.api, (t) => t === 'finance'),
    conversationWith(carol.api, (t) => t === 'finance'),
  ]);
  const file = fileOf(300_000);
  const id = await alice.api.sendFile(group, file, NAME, 'the draft');
  const sent = (await alice.api.messages(group)).find((m) => m.id === id);
  expect(sent?.attachment).toMatchObject({ name: NAME, type: 'application/pdf', size: 300_000 });
  expect(sent?.text).toBe('the draft');
  await eventually(async () => (await fileState(alice.api, group, id)) === 'sent', 'the upload completes');

  for (const [member, conversation] of [
    [bob, bobGroup],
    [carol, carolGroup],
  ] as const) {
    const received = await messageWithFile(member.api, conversation);
    expect(received.text).toBe('the draft');
    await eventually(
      async () => (await fileState(member.api, conversation, received.id)) === 'stored',
      `${member.name} fetches and checks it`,
    );
    expect(
      (await bytesOf(await member.api.openAttachment(conversation, received.id))).equals(await bytesOf(file)),
    ).toBe(true);
  }
  // The sender keeps its own copy too.
  expect((await bytesOf(await alice.api.openAttachment(group, id))).equals(await bytesOf(file))).toBe(true);
  // Two recipient devices declared, two fetches counted: the relay deleted its copy.
  await eventually(async () => readdirSync(attachmentDir).length === 0, 'the relay deletes the fetched file');
}, 90_000);

test('the relay holds ciphertext only: neither the file name nor any 64-byte window of the file is in its store', async () => {
  const direct = await alice.api.startDirect(at('bob'));
  const large = fileOf(AUTO_DOWNLOAD_BYTES + 1, 11);
  const id = await alice.api.sendFile(direct, large, NAME);
  await eventually(async () => (await fileState(alice.api, direct, id)) === 'sent', 'the upload completes', 60_000);
  const stored = relayBytes();
  expect(stored.length).toBeGreaterThan(AUTO_DOWNLOAD_BYTES);
  expect(stored.includes(Buffer.from(NAME))).toBe(false);
  const plain = await bytesOf(large);
  for (const offset of [0, 65_536, 1_000_000, plain.length - 64])
    expect(stored.includes(plain.subarray(offset, offset + 64))).toBe(false);
  expect(readdirSync(attachmentDir).every((name) => /^[0-9a-f]{32}$/.test(name))).toBe(true);

  // Over AUTO_DOWNLOAD_BYTES: Bob sees it, and fetches it on a click.
  const bobDirect = await conversationWith(bob.api, (t) => t === 'ALICE');
  const received = await messageWithFile(bob.api, bobDirect);
  expect(received.attachment?.state).toBe('available');
  await bob.api.fetchAttachment(bobDirect, received.id);
  await eventually(async () => (await fileState(bob.api, bobDirect, received.id)) === 'stored', 'fetched', 60_000);
  expect((await bytesOf(await bob.api.openAttachment(bobDirect, received.id))).equals(plain)).toBe(true);
}, 120_000);

test('refused: a file whose digest was changed is fetched, fails its check, and nothing of it is kept', async () => {
  const direct = await mallory.api.startDirect(at('bob'));
  tamperDigest = true;
  try {
    await mallory.api.sendFile(direct, fileOf(10_000, 3), 'forged.pdf');
    const bobDirect = await conversationWith(bob.api, (t) => t === 'MALLORY');
    const received = await messageWithFile(bob.api, bobDirect, 'forged.pdf');
    await eventually(async () => (await fileState(bob.api, bobDirect, received.id)) === 'failed', 'refused');
    const shown = (await bob.api.messages(bobDirect)).find((m) => m.id === received.id);
    expect(shown?.attachment?.problem).toBe('attachment_invalid');
    await expect(bob.api.openAttachment(bobDirect, received.id)).rejects.toMatchObject({ code: 'not_found' });
  } finally {
    tamperDigest = false;
  }
}, 60_000);

test('refused: a file on a relay this organisation does not use is dropped with its message', async () => {
  const direct = await mallory.api.startDirect(at('carol'));
  foreignRelay = true;
  try {
    await mallory.api.sendFile(direct, fileOf(1_000, 5), 'elsewhere.pdf');
    await mallory.api.send(direct, 'after the file');
    const carolDirect = await conversationWith(carol.api, (t) => t === 'MALLORY');
    await eventually(
      async () => (await carol.api.messages(carolDirect)).some((m) => m.text === 'after the file'),
      'the next text arrives',
    );
    expect((await carol.api.messages(carolDirect)).some((m) => m.attachment?.name === 'elsewhere.pdf')).toBe(false);
  } finally {
    foreignRelay = false;
  }
}, 60_000);

test('too large, or cancelled: nothing is sent, nothing is left on the device', async () => {
  const direct = await alice.api.startDirect(at('carol'));
  const huge = { size: 100 * 1024 * 1024 + 1, type: 'application/pdf' } as Blob;
  await expect(alice.api.sendFile(direct, huge, 'huge.pdf')).rejects.toMatchObject({ code: 'file_too_large' });
  const chunksBefore = (await alice.store.list('a:')).length;
  const id = await alice.api.sendFile(direct, fileOf(30_000_000, 9), 'to cancel.pdf');
  await alice.api.cancelAttachment(direct, id);
  expect((await alice.api.messages(direct)).some((m) => m.id === id)).toBe(false);
  await eventually(async () => (await alice.store.list('a:')).length === chunksBefore, 'its sealed chunks are deleted');
  await alice.api.send(direct, 'after the cancelled file');
  const carolDirect = await conversationWith(carol.api, (t) => t === 'ALICE');
  await eventually(
    async () => (await carol.api.messages(carolDirect)).some((m) => m.text === 'after the cancelled file'),
    'the next text arrives',
  );
  expect((await carol.api.messages(carolDirect)).some((m) => m.attachment !== undefined)).toBe(false);
}, 90_000);

test('a file sent as a reply quotes the message it answers, at the sender and at the receiver', async () => {
  const direct = await alice.api.startDirect(at('bob'));
  await alice.api.send(direct, 'send me the minutes please');
  const atBob = await conversationWith(bob.api, (t) => t === 'ALICE');
  const question = await eventually(
    async () => (await bob.api.messages(atBob)).find((m) => m.text === 'send me the minutes please'),
    'the question at bob',
  );
  const id = await bob.api.sendFile(atBob, fileOf(2_000, 11), 'minutes.pdf', '', { replyTo: question.id });
  expect((await bob.api.messages(atBob)).find((m) => m.id === id)?.replyTo).toMatchObject({
    messageId: question.id,
    text: 'send me the minutes please',
  });
  const received = await messageWithFile(alice.api, direct, 'minutes.pdf');
  expect(received.replyTo).toMatchObject({ address: at('alice'), text: 'send me the minutes please' });
}, 60_000);
