import type { MessengerContext } from './context';
import { EARLY_CHANGE_MS, MAX_EARLY_TARGETS } from './message-changes';
import { TABLES, type ConversationRecord, type EarlyChangeRecord, type ExpiringRecord } from './records';
import type { Transaction } from './transaction';

/** Relay message ids are kept this long for de-duplication (at-least-once delivery). */
export const SEEN_RETENTION_MS = 15 * 86_400_000;

/** Expired messages are deleted from the store, not hidden (messages.md §5.6). Inside `exclusive`. */
export async function sweepExpired(ctx: MessengerContext): Promise<void> {
  const now = ctx.now();
  const tx = ctx.tx();
  const due = tx.all<ExpiringRecord>(TABLES.expiring).filter((entry) => entry.expiresAt <= now);
  if (due.length === 0) return;
  // A message's file goes with it (attachments.md §5): its sealed chunks once the change is committed.
  const files: string[] = [];
  for (const entry of due) {
    const localId = (await tx.message(entry.conversationId, entry.id))?.attachmentSecret?.localId;
    if (localId) files.push(localId);
    tx.delete(TABLES.attachmentJobs, entry.id);
    tx.deleteMessage(entry.conversationId, entry.id);
    // Our own message: the id → conversation entry kept for receipts goes with it.
    tx.delete(TABLES.sent, entry.id);
    tx.touchMessages(entry.conversationId);
  }
  await ctx.commit(tx);
  for (const localId of files) await ctx.vault.attachmentChunks.delete(localId);
}

/** What `sent` keeps per message of ours so that receipts find it (messages.md §6). */
export interface SentRecord {
  /** The message id (absent in records written before pruning existed: those are kept). */
  readonly id?: string;
  readonly conversationId: string;
  readonly at?: number;
}

/**
 * Prunes the relay message ids kept for de-duplication and the `sent` index of our messages:
 * an entry goes once its message is gone (expired, deleted) or older than SEEN_RETENTION_MS (no
 * receipt arrives later: the relay dropped the blob long before). Inside `exclusive`.
 */
export async function pruneSeen(ctx: MessengerContext): Promise<void> {
  const tx = ctx.tx();
  const cutoff = ctx.now() - SEEN_RETENTION_MS;
  await tx.pruneSeen(cutoff);
  for (const record of await ctx.vault.list<SentRecord>(TABLES.sent, '')) {
    if (record.id === undefined) continue;
    if ((record.at !== undefined && record.at < cutoff) || !(await tx.message(record.conversationId, record.id)))
      tx.delete(TABLES.sent, record.id);
  }
  await pruneEarlyChanges(ctx, tx);
  await tx.commit();
}

/**
 * Early changes (message-changes.ts) whose message never came: dropped after EARLY_CHANGE_MS, and
 * beyond MAX_EARLY_TARGETS per conversation the oldest first, so that a member naming made-up
 * messages fills nothing for long.
 */
async function pruneEarlyChanges(ctx: MessengerContext, tx: Transaction): Promise<void> {
  const cutoff = ctx.now() - EARLY_CHANGE_MS;
  for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
    const held = await ctx.vault.list<EarlyChangeRecord>(TABLES.earlyChanges, conversation.id);
    const newest = (record: EarlyChangeRecord) => Math.max(...record.changes.map((c) => c.receivedAt));
    const live = held.filter((record) => newest(record) >= cutoff).sort((a, b) => newest(b) - newest(a));
    const kept = new Set(live.slice(0, MAX_EARLY_TARGETS).map((record) => record.key));
    for (const record of held) if (!kept.has(record.key)) tx.delete(TABLES.earlyChanges, record.key, conversation.id);
  }
}
