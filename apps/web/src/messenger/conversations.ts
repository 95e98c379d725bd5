import { randomBytes } from '@opendescent/crypto';
import type { SystemEvent } from './api';
import type { MessengerContext } from './context';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import type { ConversationRef } from './payload';
import { TABLES, type ConversationRecord } from './records';
import type { Transaction } from './transaction';

/** How a payload names a conversation (messages.md §4). */
export function conversationRef(conversation: ConversationRecord): ConversationRef {
  return conversation.kind === 'group'
    ? { kind: 'group', groupId: conversation.id }
    : { kind: 'direct', with: conversation.peer as string };
}

/** The other users a conversation's messages go to (a direct one: its peer). */
export function othersIn(conversation: ConversationRecord): readonly string[] {
  return conversation.kind === 'direct' ? [conversation.peer as string] : conversation.members;
}

export function requireConversation(tx: Transaction, id: string): ConversationRecord {
  const conversation = tx.get<ConversationRecord>(TABLES.conversations, id);
  if (!conversation) throw new MessengerError('not_found', 'no such conversation');
  return conversation;
}

export function requireActiveGroup(tx: Transaction, id: string): ConversationRecord {
  const conversation = requireConversation(tx, id);
  if (conversation.kind !== 'group') throw new MessengerError('not_found', 'not a group');
  if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this group');
  return conversation;
}

export function findDirect(tx: Transaction, peer: string): ConversationRecord | undefined {
  return tx.all<ConversationRecord>(TABLES.conversations).find((c) => c.kind === 'direct' && c.peer === peer);
}

export function createDirect(tx: Transaction, ctx: MessengerContext, self: string, peer: string): ConversationRecord {
  const id = toHex(randomBytes(16));
  const created: ConversationRecord = {
    v: 1,
    id,
    kind: 'direct',
    peer,
    members: [self, peer],
    groupVersion: 0,
    active: true,
    disappearAfterSeconds: null,
    unread: 0,
    updatedAt: ctx.now(),
  };
  tx.put(TABLES.conversations, id, created);
  return created;
}

/** The conversation a received payload belongs to; a direct one is made on first contact. */
export function conversationFor(
  tx: Transaction,
  ctx: MessengerContext,
  ref: ConversationRef,
  sender: { address: string },
): ConversationRecord | undefined {
  const self = ctx.requireSelf();
  if (ref.kind === 'group') {
    const conversation = tx.get<ConversationRecord>(TABLES.conversations, ref.groupId);
    if (!conversation || !conversation.active || !conversation.members.includes(sender.address)) return undefined;
    return conversation;
  }
  // From a contact, the conversation is with the sender; from one of our devices, with `with`.
  const peerAddress = sender.address === self.address ? ref.with : sender.address;
  if (peerAddress === self.address) return undefined;
  return findDirect(tx, peerAddress) ?? createDirect(tx, ctx, self.address, peerAddress);
}

export function touchConversation(
  tx: Transaction,
  conversation: ConversationRecord,
  preview: string,
  at: number,
  unread: boolean,
  mentionsMe = false,
): void {
  const current = tx.get<ConversationRecord>(TABLES.conversations, conversation.id) ?? conversation;
  tx.put(TABLES.conversations, conversation.id, {
    ...current,
    lastPreview: preview.slice(0, 140),
    lastAt: at,
    updatedAt: Math.max(current.updatedAt, at),
    unread: current.unread + (unread ? 1 : 0),
    ...(unread && mentionsMe ? { unreadMentions: (current.unreadMentions ?? 0) + 1 } : {}),
  });
  tx.touchMessages(conversation.id);
}

/** `at`: when the sender made the change, never later than now (a clock ahead is clamped). */
export function systemLine(
  tx: Transaction,
  ctx: MessengerContext,
  conversation: ConversationRecord,
  event: SystemEvent,
  at?: number,
): void {
  const now = ctx.now();
  const sentAt = at === undefined ? now : Math.min(at, now);
  tx.putMessage({
    v: 1,
    id: toHex(randomBytes(16)),
    conversationId: conversation.id,
    mine: false,
    system: event,
    sentAt,
    receivedAt: now,
  });
  const current = tx.get<ConversationRecord>(TABLES.conversations, conversation.id) ?? conversation;
  tx.put(TABLES.conversations, conversation.id, { ...current, updatedAt: now });
  tx.touchMessages(conversation.id);
}

/** A line in every conversation with this user. */
export function systemLineForUser(tx: Transaction, ctx: MessengerContext, address: string, event: SystemEvent): void {
  for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
    if (conversation.peer === address || conversation.members.includes(address))
      systemLine(tx, ctx, conversation, event);
  }
}
