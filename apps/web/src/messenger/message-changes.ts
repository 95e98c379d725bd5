import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, type ReplyView } from './api';
import type { MessengerContext } from './context';
import { keyOfRef, resolveRef, sharedCopies } from './message-identity';
import { isReactionEmoji } from './reaction-emoji';
import {
  TABLES,
  type ConversationRecord,
  type EarlyChangeRecord,
  type MessageChangePayload,
  type MessageRecord,
} from './records';
import type { Transaction } from './transaction';

/**
 * Reactions, edits and deletions for everyone (messages.md §5.8), the same for what this device
 * does and what it receives: each names a message by its author, id and device, and changes it
 * only if it holds, so that a hostile member can neither edit nor delete someone else's message,
 * nor undo a newer change by replaying an older one.
 */

/** An author edits a message at most this many times; further edits are refused (Signal keeps ten). */
export const MAX_EDITS = 20;
/** A quote shows the start of the quoted text. */
export const QUOTE_CHARACTERS = 200;
/** A message remembers at most this many replies quoting it (the others keep the quote they had). */
export const MAX_QUOTED_BY = 100;
/** A change naming a message not held is kept this long for it (the relays' longest blob TTL and then some). */
export const EARLY_CHANGE_MS = 15 * 86_400_000;
/** At most this many early changes per named message, and named messages per conversation (retention.ts). */
export const MAX_EARLY_CHANGES = 20;
export const MAX_EARLY_TARGETS = 500;

export interface ChangeAuthor {
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: string;
}

/** What a reply shows of the message it quotes, as held now. */
export function quoteOf(target: MessageRecord): ReplyView {
  const address = target.sender?.address as string;
  if (target.deletedAt !== undefined) return { messageId: target.id, address, deleted: true };
  return {
    messageId: target.id,
    address,
    ...(target.text ? { text: target.text.slice(0, QUOTE_CHARACTERS) } : {}),
    ...(target.attachment ? { attachmentName: target.attachment.name } : {}),
  };
}

/** A person's reaction; undefined when it changes nothing (an older or repeated one, a deleted message). */
export function withReaction(
  message: MessageRecord,
  address: string,
  emoji: string | null,
  at: number,
): MessageRecord | undefined {
  if (message.system !== undefined || message.deletedAt !== undefined) return undefined;
  if (emoji !== null && !isReactionEmoji(emoji)) return undefined;
  const current = message.reactionsBy?.[address];
  if (current && current.at >= at) return undefined;
  return { ...message, reactionsBy: { ...message.reactionsBy, [address]: { emoji, at } } };
}

/** The author's new text; undefined when it changes nothing (older than the text held, past the window, deleted). */
export function withEdit(
  message: MessageRecord,
  body: string,
  mentions: readonly string[] | undefined,
  at: number,
  selfAddress: string,
): MessageRecord | undefined {
  if (message.system !== undefined || message.deletedAt !== undefined) return undefined;
  if (at <= (message.editedAt ?? message.sentAt) || at - message.sentAt > EDIT_WINDOW_MS) return undefined;
  if ((message.edits?.length ?? 0) >= MAX_EDITS) return undefined;
  const { mentions: _m, mentionsMe: _me, ...rest } = message;
  const mentionsMe = !message.mine && mentions?.includes(selfAddress);
  return {
    ...rest,
    text: body,
    editedAt: at,
    edits: [...(message.edits ?? []), { text: message.text ?? '', at: message.editedAt ?? message.sentAt }],
    ...(mentions && mentions.length > 0 ? { mentions } : {}),
    ...(mentionsMe ? { mentionsMe: true as const } : {}),
  };
}

/** What stays of a message deleted for everyone: where it was, who wrote it, when; nothing it said. */
export function tombstone(message: MessageRecord, at: number): MessageRecord {
  const {
    text: _t,
    attachment: _a,
    attachmentSecret: _s,
    edits: _e,
    editedAt: _ea,
    reactionsBy: _r,
    replyTo: _rt,
    replyRef: _rr,
    mentions: _m,
    mentionsMe: _mm,
    ...kept
  } = message;
  return { ...kept, deletedAt: at };
}

/**
 * Applies a reaction, edit or deletion by `author` in one conversation. Returns false when the
 * message it names is not held (the caller keeps it as an early change); true otherwise, whether
 * it applied or was refused (not the author's message, past the window, older than what is held).
 */
export async function applyMessageChange(
  tx: Transaction,
  ctx: MessengerContext,
  conversation: ConversationRecord,
  author: ChangeAuthor,
  change: MessageChangePayload,
): Promise<boolean> {
  const self = ctx.requireSelf();
  const selfDevice = ctx.selfDeviceHex();
  const target = await resolveRef(tx, conversation.id, change.target, selfDevice);
  if (!target) return false;
  if (change.t === 'reaction') {
    const updated = withReaction(target, author.address, change.emoji, change.at);
    if (updated) putTouched(tx, updated);
    return true;
  }
  // Only its author edits or deletes a message, from any of their devices; a copy from a history
  // bundle of the same message (same author, same id) follows the real one.
  if (target.sender?.address !== author.address) return true;
  const copies = await sharedCopies(tx, conversation.id, change.target.from, change.target.id);
  const targets = [target, ...copies.filter((copy) => copy.id !== target.id)];
  for (const message of targets) {
    if (change.t === 'edit') {
      const mentions =
        conversation.kind === 'group' ? change.mentions?.filter((a) => conversation.members.includes(a)) : undefined;
      const updated = withEdit(message, change.body, mentions, change.at, self.address);
      if (updated) await storeEdit(tx, updated);
    } else {
      if (message.deletedAt !== undefined || message.system !== undefined) continue;
      if (change.at - message.sentAt > DELETE_WINDOW_MS) continue;
      await deleteForEveryone(tx, ctx, conversation.id, message, change.at);
    }
  }
  return true;
}

/** Stores an edited message, with the quotes of its replies and its line in the conversation list. */
export async function storeEdit(tx: Transaction, edited: MessageRecord): Promise<void> {
  putTouched(tx, edited);
  await refreshQuotes(tx, edited);
  previewFollows(tx, edited.conversationId, edited, edited.text ?? '');
}

/** Replaces a message by its tombstone, with its file, its quotes and its line in the conversation list. */
export async function deleteForEveryone(
  tx: Transaction,
  ctx: MessengerContext,
  conversationId: string,
  message: MessageRecord,
  at: number,
): Promise<void> {
  const dead = tombstone(message, at);
  putTouched(tx, dead);
  await refreshQuotes(tx, dead);
  previewFollows(tx, conversationId, dead, '');
  const localId = message.attachmentSecret?.localId;
  tx.delete(TABLES.attachmentJobs, message.id);
  if (localId) tx.after(() => ctx.vault.attachmentChunks.delete(localId));
}

function putTouched(tx: Transaction, message: MessageRecord): void {
  tx.putMessage(message);
  tx.touchMessages(message.conversationId);
}

/** The replies quoting a message show what it says now (an edit), or that it was deleted. */
async function refreshQuotes(tx: Transaction, target: MessageRecord): Promise<void> {
  for (const key of target.quotedBy ?? []) {
    const reply = await tx.message(target.conversationId, key);
    if (!reply?.replyTo || reply.deletedAt !== undefined) continue;
    tx.putMessage({ ...reply, replyTo: quoteOf(target) });
  }
}

/** The conversation list shows the last message's words: an edit or a deletion of that message reaches it. */
function previewFollows(tx: Transaction, conversationId: string, message: MessageRecord, preview: string): void {
  const conversation = tx.get<ConversationRecord>(TABLES.conversations, conversationId);
  if (!conversation || conversation.lastAt !== message.sentAt) return;
  tx.put(TABLES.conversations, conversationId, { ...conversation, lastPreview: preview.slice(0, 140) });
}

/** A reply now held: its quote, and the quoted message remembers it (for later edits and deletion). */
export async function linkReply(tx: Transaction, ctx: MessengerContext, reply: MessageRecord): Promise<MessageRecord> {
  const ref = reply.replyRef;
  if (!ref) return reply;
  const target = await resolveRef(tx, reply.conversationId, ref, ctx.selfDeviceHex());
  if (!target) return { ...reply, replyTo: { address: ref.from, missing: true } };
  const quotedBy = target.quotedBy ?? [];
  if (quotedBy.length < MAX_QUOTED_BY && !quotedBy.includes(reply.id))
    tx.putMessage({ ...target, quotedBy: [...quotedBy, reply.id] });
  return { ...reply, replyTo: quoteOf(target) };
}

/** Keeps a change whose message is not held yet, for when it arrives (messages.md §5.8). */
export async function holdEarlyChange(
  tx: Transaction,
  ctx: MessengerContext,
  conversationId: string,
  author: ChangeAuthor,
  change: MessageChangePayload,
): Promise<void> {
  const key = keyOfRef(change.target, ctx.selfDeviceHex());
  const now = ctx.now();
  const held = await tx.getStored<EarlyChangeRecord>(TABLES.earlyChanges, key, conversationId);
  const fresh = (held?.changes ?? []).filter((c) => now - c.receivedAt < EARLY_CHANGE_MS);
  if (fresh.length >= MAX_EARLY_CHANGES) return;
  const record: EarlyChangeRecord = {
    v: 1,
    key,
    conversationId,
    changes: [...fresh, { sender: author, payload: change, receivedAt: now }],
  };
  tx.put(TABLES.earlyChanges, key, record, conversationId);
}

/** A message just stored: the changes that arrived before it apply now, oldest first. */
export async function releaseEarlyChanges(
  tx: Transaction,
  ctx: MessengerContext,
  conversation: ConversationRecord,
  message: MessageRecord,
): Promise<void> {
  const held = await tx.getStored<EarlyChangeRecord>(TABLES.earlyChanges, message.id, conversation.id);
  if (!held) return;
  tx.delete(TABLES.earlyChanges, message.id, conversation.id);
  const now = ctx.now();
  const due = held.changes
    .filter((c) => now - c.receivedAt < EARLY_CHANGE_MS)
    .sort((a, b) => a.payload.at - b.payload.at);
  for (const { sender, payload } of due) await applyMessageChange(tx, ctx, conversation, sender, payload);
}
