/**
 * Which files a device serves over a direct channel (direct.md §9), over an in-memory vault: a
 * file it sent, to a device of a person the message was for or of its own person, read from its
 * sealed chunks; `not_held` for an id it never sent, a message deleted or deleted for everyone;
 * `not_theirs` for anyone else (the channel is then closed as malformed). The hourly prune drops
 * the entries of messages gone and of relay copies expired.
 */
import { MessengerContext } from '../../../src/messenger/context';
import { findServedFile, pruneServedFiles, rememberServedFile } from '../../../src/messenger/direct/served-files';
import type { MessengerEnvironment } from '../../../src/messenger/ports';
import { TABLES, type AttachmentSecret, type MessageRecord } from '../../../src/messenger/records';
import { Transaction } from '../../../src/messenger/transaction';
import { MapVault } from '../map-vault';

const NOW = Date.UTC(2026, 11, 6, 12);
const ATTACHMENT = 'ab'.repeat(16);
const LOCAL_ID = '0f'.repeat(16);
const SEALED = new Uint8Array(70_000).map((_, i) => i & 0xff);

async function setUp(): Promise<{ vault: MapVault; ctx: MessengerContext }> {
  const vault = new MapVault();
  const caches = await Transaction.loadCaches(vault);
  const env = { relayUrls: [], now: () => NOW, revocationPollMs: 1_000 } as unknown as MessengerEnvironment;
  const ctx = new MessengerContext(
    vault,
    env,
    () => new Transaction(vault, caches),
    () => undefined,
  );
  const tx = ctx.tx();
  tx.put(TABLES.self, 'device', { v: 1, address: 'alice@agency.example' });
  for (const [deviceId, address] of [
    ['b0', 'bob@agency.example'],
    ['c0', 'carol@agency.example'],
    ['a1', 'alice@agency.example'],
  ])
    tx.put(TABLES.peers, deviceId as string, { v: 1, deviceId, address, sessions: [] });
  await tx.commit();
  await vault.attachmentChunks.put(LOCAL_ID, 0, [SEALED.slice(0, 65_552), SEALED.slice(65_552)]);
  return { vault, ctx };
}

function sentFile(change: Partial<MessageRecord> = {}): MessageRecord {
  return {
    v: 1,
    id: 'm1',
    conversationId: 'c1',
    mine: true,
    sentAt: NOW,
    receivedAt: NOW,
    recipients: ['bob@agency.example'],
    attachment: { name: 'a.pdf', type: 'application/pdf', size: 69_000, state: 'sent' },
    attachmentSecret: {
      key: new Uint8Array(32),
      digest: new Uint8Array(32),
      length: SEALED.length,
      attachmentId: ATTACHMENT,
      relayExpiresAt: NOW / 1000 + 3_600,
      localId: LOCAL_ID,
    },
    ...change,
  } as MessageRecord;
}

async function send(ctx: MessengerContext, message: MessageRecord): Promise<void> {
  const tx = ctx.tx();
  tx.putMessage(message);
  rememberServedFile(tx, message);
  await tx.commit();
}

test("a file it sent is served to a device of the message's recipient, and to its own other devices, from its sealed chunks", async () => {
  const { ctx } = await setUp();
  await send(ctx, sentFile());
  for (const peer of ['b0', 'a1']) {
    const found = await findServedFile(ctx, peer, ATTACHMENT);
    if (typeof found === 'string') throw new Error(`expected the file, got ${found}`);
    expect(found.length).toBe(SEALED.length);
    expect(await found.read(65_000, 1_000)).toEqual(SEALED.slice(65_000, 66_000));
  }
});

test('unauthorised: a device of someone the message was not for gets not_theirs', async () => {
  const { ctx } = await setUp();
  await send(ctx, sentFile());
  await expect(findServedFile(ctx, 'c0', ATTACHMENT)).resolves.toBe('not_theirs');
  await expect(findServedFile(ctx, 'unknown-device', ATTACHMENT)).resolves.toBe('not_theirs');
});

test('not held: an id never sent, a message deleted, or deleted for everyone', async () => {
  const { ctx } = await setUp();
  await expect(findServedFile(ctx, 'b0', ATTACHMENT)).resolves.toBe('not_held');
  await send(ctx, sentFile({ deletedAt: NOW }));
  await expect(findServedFile(ctx, 'b0', ATTACHMENT)).resolves.toBe('not_held');
  await send(ctx, sentFile());
  const tx = ctx.tx();
  tx.deleteMessage('c1', 'm1');
  await tx.commit();
  await expect(findServedFile(ctx, 'b0', ATTACHMENT)).resolves.toBe('not_held');
});

test("the prune drops the entries of messages gone and of relay copies expired, and keeps the others'", async () => {
  const { vault, ctx } = await setUp();
  const secret = sentFile().attachmentSecret as AttachmentSecret;
  await send(ctx, sentFile());
  await send(
    ctx,
    sentFile({
      id: 'm2',
      attachmentSecret: { ...secret, attachmentId: 'cd'.repeat(16), relayExpiresAt: NOW / 1000 },
    }),
  );
  await send(ctx, sentFile({ id: 'm3', attachmentSecret: { ...secret, attachmentId: 'ef'.repeat(16) } }));
  const tx = ctx.tx();
  tx.deleteMessage('c1', 'm3');
  await tx.commit();
  await pruneServedFiles(ctx);
  expect(await vault.get(TABLES.servedFiles, '', ATTACHMENT)).toBeDefined();
  expect(await vault.get(TABLES.servedFiles, '', 'cd'.repeat(16))).toBeUndefined();
  expect(await vault.get(TABLES.servedFiles, '', 'ef'.repeat(16))).toBeUndefined();
});
