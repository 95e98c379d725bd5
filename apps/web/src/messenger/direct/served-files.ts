import { readSealed } from '../attachment-files';
import type { MessengerContext } from '../context';
import { TABLES, type MessageRecord, type PeerRecord } from '../records';
import type { Transaction } from '../transaction';

/**
 * The files this device may serve over a direct channel (docs/protocol/direct.md §9): those it
 * sent, each found by the relay's attachment id that its message named. An entry is written when
 * the upload completes (the message goes out then), and pruned once its message is gone or the
 * relay's copy expired: a receiver asks no later than that.
 */
export interface ServedFileRecord {
  readonly v: 1;
  /** The relay's attachment id (hex): the record's key too. */
  readonly attachmentId: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** Unix seconds: the relay's copy expires then (AttachmentSecret.relayExpiresAt). */
  readonly expiresAt?: number;
}

/** A file found for a request: its sealed length and a reader of its sealed bytes. */
export interface ServedFile {
  readonly length: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/**
 * What a request for an attachment id finds: the file; `not_held` (no such file here, or no
 * longer: deleted, expired); `not_theirs` (a file this device sent, but not to the asking device's
 * person nor to its own person: the channel is closed as `malformed`).
 */
export type ServedFileLookup = ServedFile | 'not_held' | 'not_theirs';

/** Inside the change that sends our file's message: from now on its sealed bytes may be asked for. */
export function rememberServedFile(tx: Transaction, message: MessageRecord): void {
  const attachmentId = message.attachmentSecret?.attachmentId;
  if (!attachmentId) return;
  const expiresAt = message.attachmentSecret?.relayExpiresAt;
  tx.put(TABLES.servedFiles, attachmentId, {
    v: 1,
    attachmentId,
    conversationId: message.conversationId,
    messageId: message.id,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  } satisfies ServedFileRecord);
}

/** What the peer device's request for `attachmentId` (hex) finds here. */
export async function findServedFile(
  ctx: MessengerContext,
  peer: string,
  attachmentId: string,
): Promise<ServedFileLookup> {
  const tx = ctx.tx();
  const entry = await tx.getStored<ServedFileRecord>(TABLES.servedFiles, attachmentId);
  if (!entry) return 'not_held';
  const message = await tx.message(entry.conversationId, entry.messageId);
  const secret = message?.attachmentSecret;
  if (!message?.mine || message.deletedAt !== undefined || !secret?.localId || secret.attachmentId !== attachmentId)
    return 'not_held';
  const asking = tx.get<PeerRecord>(TABLES.peers, peer)?.address;
  const self = ctx.self?.address;
  if (!asking || (asking !== self && !(message.recipients ?? []).includes(asking))) return 'not_theirs';
  const localId = secret.localId;
  const chunks = ctx.vault.attachmentChunks;
  return { length: secret.length, read: (offset, length) => readSealed(chunks, localId, offset, length) };
}

/** Drops the entries whose message is gone or whose relay copy expired. Inside `exclusive`. */
export async function pruneServedFiles(ctx: MessengerContext): Promise<void> {
  const tx = ctx.tx();
  const now = ctx.nowSeconds();
  for (const entry of await ctx.vault.list<ServedFileRecord>(TABLES.servedFiles, '')) {
    const expired = entry.expiresAt !== undefined && entry.expiresAt <= now;
    if (expired || !(await tx.message(entry.conversationId, entry.messageId)))
      tx.delete(TABLES.servedFiles, entry.attachmentId);
  }
  await tx.commit();
}
