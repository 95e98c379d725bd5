import {
  DELETE_WINDOW_MS,
  EDIT_WINDOW_MS,
  MAX_MESSAGE_CHARACTERS,
  type NotifyLevel,
  type PreferencesView,
} from './api';
import type { MessengerContext } from './context';
import { conversationRef, requireConversation } from './conversations';
import type { Delivery } from './delivery';
import { MessengerError } from './errors';
import { deleteForEveryone, MAX_EDITS, storeEdit, withEdit, withReaction } from './message-changes';
import { refOf, wireIdOf } from './message-identity';
import type { Peers } from './peers';
import { isReactionEmoji } from './reaction-emoji';
import { TABLES, type ContactRecord, type MessageRecord } from './records';
import type { Sending } from './sending';
import type { Transaction } from './transaction';
import { pageMessageRecords } from './views';

/**
 * Typing indicators are sent in conversations of at most this many members: in a larger group one
 * person typing would put a blob in every member's queue every 3 s, for little use.
 */
export const TYPING_MAX_MEMBERS = 50;

/** A read receipt covers at most this many messages (the payload's bound). */
const READ_IDS_PER_PAYLOAD = 256;
/** Opening a conversation confirms at most this many unread messages as read (the newest). */
const MAX_READ_PER_OPEN = 1_000;

/**
 * What a user does to messages already there (messages.md §5.8): react, edit or delete their own
 * for everyone, say they are typing, mark a conversation read (with read receipts when they are
 * on), and the settings for both. Each runs inside `exclusive`, in one transaction, and applies to
 * this device's copy exactly what receivers will apply to theirs.
 */
export class MessageActions {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly sending: Sending,
    private readonly delivery: Delivery,
    private readonly peers: Peers,
  ) {}

  async react(tx: Transaction, conversationId: string, messageId: string, emoji: string | null): Promise<void> {
    if (emoji !== null && !isReactionEmoji(emoji)) throw new MessengerError('not_allowed', 'a reaction is one emoji');
    const conversation = this.sending.requireMayPost(tx, conversationId);
    const target = await this.requireMessage(tx, conversationId, messageId);
    const at = this.sending.tick(tx);
    const updated = withReaction(target, this.ctx.requireSelf().address, emoji, at);
    if (!updated) throw new MessengerError('not_allowed', 'that message cannot take a reaction');
    tx.putMessage(updated);
    tx.touchMessages(conversationId);
    await this.delivery.deliver(tx, conversation, {
      t: 'reaction',
      conversation: conversationRef(conversation),
      target: refOf(target),
      emoji,
      at,
    });
  }

  async edit(tx: Transaction, conversationId: string, messageId: string, text: string): Promise<void> {
    const body = text.trim();
    if (body.length === 0 || body.length > MAX_MESSAGE_CHARACTERS)
      throw new MessengerError('message_too_long', 'a message has 1 to 4,000 characters');
    const conversation = this.sending.requireMayPost(tx, conversationId);
    const target = await this.requireOwn(tx, conversationId, messageId, EDIT_WINDOW_MS);
    if ((target.edits?.length ?? 0) >= MAX_EDITS)
      throw new MessengerError('not_allowed', `a message is edited at most ${MAX_EDITS} times`);
    const at = this.sending.tick(tx);
    // The mentions still written in the new text (`@Name`) stay; the page sends none for an edit.
    const mentions = target.mentions?.filter((address) => {
      const name = tx.get<ContactRecord>(TABLES.contacts, address)?.displayName ?? address;
      return body.includes(`@${name}`);
    });
    const updated = withEdit(target, body, mentions, at, this.ctx.requireSelf().address);
    if (!updated) throw new MessengerError('not_allowed', 'that message cannot be edited');
    await storeEdit(tx, updated);
    await this.delivery.deliver(tx, conversation, {
      t: 'edit',
      conversation: conversationRef(conversation),
      target: refOf(target),
      body,
      ...(mentions && mentions.length > 0 ? { mentions } : {}),
      at,
    });
  }

  async deleteForEveryone(tx: Transaction, conversationId: string, messageId: string): Promise<void> {
    const conversation = requireConversation(tx, conversationId);
    if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this conversation');
    const target = await this.requireOwn(tx, conversationId, messageId, DELETE_WINDOW_MS);
    const at = this.sending.tick(tx);
    await deleteForEveryone(tx, this.ctx, conversationId, target, at);
    // A message still uploading was never sent: nobody else has it to delete.
    if (target.status === 'queued' && target.attachment?.state === 'uploading') return;
    await this.delivery.deliver(tx, conversation, {
      t: 'delete',
      conversation: conversationRef(conversation),
      target: refOf(target),
      at,
    });
  }

  /** Sends `typing` when this user's indicators are on, at most once per TYPING_REPEAT_MS (typing.ts). */
  async setTyping(tx: Transaction, conversationId: string, typing: boolean): Promise<boolean> {
    if (!this.ctx.preferences().typingIndicators) return false;
    const conversation = requireConversation(tx, conversationId);
    if (!conversation.active || conversation.members.length > TYPING_MAX_MEMBERS) return false;
    if (conversation.group?.announcementOnly && !conversation.group.admins.includes(this.ctx.requireSelf().address))
      return false;
    if (!this.ctx.typingNow.shouldSend(conversationId, typing)) return false;
    await this.delivery.deliver(tx, conversation, {
      t: 'typing',
      conversation: conversationRef(conversation),
      typing,
      at: this.ctx.now(),
    });
    return true;
  }

  /**
   * Marks a conversation read now and, while read receipts are on, tells each sending device
   * which of its messages this user has now seen (their ids as sent).
   */
  async markRead(tx: Transaction, conversationId: string): Promise<void> {
    const conversation = requireConversation(tx, conversationId);
    const since = conversation.lastReadAt ?? 0;
    tx.put(TABLES.conversations, conversationId, {
      ...conversation,
      unread: 0,
      unreadMentions: 0,
      lastReadAt: this.ctx.now(),
    });
    if (!this.ctx.preferences().readReceipts || conversation.unread === 0) return;
    const byDevice = new Map<string, { address: string; ids: string[] }>();
    for (const message of await this.unreadSince(conversationId, since)) {
      const sender = message.sender;
      if (!sender || message.mine || message.sharedBy !== undefined || message.system !== undefined) continue;
      const entry = byDevice.get(sender.deviceId) ?? { address: sender.address, ids: [] };
      entry.ids.push(wireIdOf(message));
      byDevice.set(sender.deviceId, entry);
    }
    for (const [deviceId, { address, ids }] of byDevice) {
      const device = tx.get<ContactRecord>(TABLES.contacts, address)?.devices[deviceId];
      if (!device) continue;
      for (let i = 0; i < ids.length; i += READ_IDS_PER_PAYLOAD)
        await this.peers.sendEnsured(tx, address, device, { t: 'read', ids: ids.slice(i, i + READ_IDS_PER_PAYLOAD) });
    }
  }

  setPreferences(tx: Transaction, preferences: Partial<PreferencesView>): void {
    const self = this.ctx.requireSelf();
    tx.put(TABLES.self, 'device', {
      ...self,
      ...(preferences.readReceipts !== undefined ? { readReceipts: preferences.readReceipts } : {}),
      ...(preferences.typingIndicators !== undefined ? { typingIndicators: preferences.typingIndicators } : {}),
      ...(preferences.directChannels !== undefined ? { directChannels: preferences.directChannels } : {}),
    });
  }

  setNotify(tx: Transaction, conversationId: string, level: NotifyLevel): void {
    const conversation = requireConversation(tx, conversationId);
    tx.put(TABLES.conversations, conversationId, { ...conversation, notify: level });
  }

  /** The messages received after `since`, newest pages first, at most MAX_READ_PER_OPEN. */
  private async unreadSince(conversationId: string, since: number): Promise<MessageRecord[]> {
    const found: MessageRecord[] = [];
    let before: MessageRecord | undefined;
    for (;;) {
      const page = await pageMessageRecords(this.ctx.vault, conversationId, this.ctx.now(), 200, before);
      const fresh = page.messages.filter((m) => m.receivedAt > since);
      found.push(...fresh);
      // Messages are ordered by sentAt: a page with nothing new may still sit above late arrivals; stop at an old page.
      if (!page.hasMore || fresh.length === 0 || found.length >= MAX_READ_PER_OPEN) break;
      before = page.messages[0];
    }
    return found.slice(-MAX_READ_PER_OPEN);
  }

  private async requireMessage(tx: Transaction, conversationId: string, messageId: string): Promise<MessageRecord> {
    const message = await tx.message(conversationId, messageId);
    if (!message || message.system !== undefined) throw new MessengerError('not_found', 'no such message');
    return message;
  }

  /** One of this user's messages (from any of their devices), not deleted, within `window` of its sending. */
  private async requireOwn(
    tx: Transaction,
    conversationId: string,
    messageId: string,
    window: number,
  ): Promise<MessageRecord> {
    const message = await this.requireMessage(tx, conversationId, messageId);
    if (message.sender?.address !== this.ctx.requireSelf().address || message.sharedBy !== undefined)
      throw new MessengerError('not_allowed', 'only its author changes a message');
    if (message.deletedAt !== undefined) throw new MessengerError('not_allowed', 'that message was deleted');
    if (this.ctx.now() - message.sentAt > window)
      throw new MessengerError('not_allowed', 'that message is too old to change');
    return message;
  }
}
