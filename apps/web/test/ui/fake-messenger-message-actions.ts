/**
 * The fake messenger's commands on single messages and the conversation's settings that go with
 * them (messages.md §5.8): reactions, edits, deletion for everyone, typing, read receipts and the
 * notification level; and the tests' hands on what others do (they react, type, read, delete).
 * The rules are the contract's: only our own messages are edited or deleted, within the window;
 * a deleted message or a system line takes no reaction.
 */
import type {
  MessageView,
  MessengerErrorCode,
  NotifyLevel,
  PreferencesView,
  ReactionView,
} from '../../src/messenger/api';
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, MAX_MESSAGE_CHARACTERS } from '../../src/messenger/api';
import type { FakeConversation } from './fake-messenger-conversations';
import { FakeMessengerWorld } from './fake-messenger-world';

const reject = (code: MessengerErrorCode, message: string) => Promise.reject({ code, message });

/** `reactions` with `address`'s reaction set to `emoji` (one per person; null removes it). */
export function withReaction(
  reactions: readonly ReactionView[],
  address: string,
  emoji: string | null,
  self: string,
): ReactionView[] {
  const others = reactions
    .map((reaction) => ({ ...reaction, addresses: reaction.addresses.filter((candidate) => candidate !== address) }))
    .filter((reaction) => reaction.addresses.length > 0);
  const next = others.map((reaction) => ({ ...reaction, mine: reaction.addresses.includes(self) }));
  if (emoji === null) return next;
  const existing = next.find((reaction) => reaction.emoji === emoji);
  if (existing) {
    return next.map((reaction) =>
      reaction === existing
        ? { ...reaction, addresses: [...reaction.addresses, address], mine: reaction.mine || address === self }
        : reaction,
    );
  }
  return [...next, { emoji, addresses: [address], mine: address === self }];
}

export abstract class FakeMessengerMessageActions extends FakeMessengerWorld {
  /** Every setTyping call, in order (the fake sends nothing). */
  readonly typingCalls: { conversationId: string; typing: boolean }[] = [];

  async react(conversationId: string, messageId: string, emoji: string | null): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    const message = this.message(conversation, messageId);
    if (message.system || message.deletedAt !== undefined) return reject('not_allowed', 'no reaction to this message');
    this.setReaction(conversation, message, device.address, emoji);
  }

  async editMessage(conversationId: string, messageId: string, text: string): Promise<void> {
    this.requireReady();
    const conversation = this.conversations.member(conversationId);
    const message = this.message(conversation, messageId);
    if (!this.mayChange(message, EDIT_WINDOW_MS)) return reject('not_allowed', 'not editable');
    if (text.length > MAX_MESSAGE_CHARACTERS) return reject('message_too_long', 'too long');
    if (text.trim() === '' || text === message.text) return;
    const at = this.now();
    this.conversations.update(conversation, messageId, (current) => ({
      ...current,
      text,
      editedAt: at,
      edits: [...(current.edits ?? []), { text: current.text ?? '', at: current.editedAt ?? current.sentAt }],
    }));
    this.refreshQuotes(conversation, messageId);
    this.changed(conversation.id);
  }

  async deleteForEveryone(conversationId: string, messageId: string): Promise<void> {
    this.requireReady();
    const conversation = this.conversations.member(conversationId);
    const message = this.message(conversation, messageId);
    if (!this.mayChange(message, DELETE_WINDOW_MS)) return reject('not_allowed', 'not deletable');
    this.markDeleted(conversation, messageId);
  }

  async setTyping(conversationId: string, typing: boolean): Promise<void> {
    this.requireReady();
    this.typingCalls.push({ conversationId, typing });
  }

  async setPreferences(preferences: Partial<PreferencesView>): Promise<void> {
    this.requireReady();
    this.preferences = { ...this.preferences, ...preferences };
    this.changed();
  }

  async setNotify(conversationId: string, level: NotifyLevel): Promise<void> {
    this.requireReady();
    const conversation = this.conversations.find(conversationId);
    if (!conversation) return reject('not_found', 'no such conversation');
    conversation.notify = level;
    this.changed();
  }

  // ── test controls ─────────────────────────────────────────────────────────────────────────

  /** `address` (another member) reacts to a message. */
  reactAs(address: string, conversationId: string, messageId: string, emoji: string | null): void {
    const conversation = this.known(conversationId);
    this.setReaction(conversation, this.message(conversation, messageId), address, emoji);
  }

  /** Its author deleted a message for everyone. */
  deleteAsAuthor(conversationId: string, messageId: string): void {
    const conversation = this.known(conversationId);
    this.message(conversation, messageId);
    this.markDeleted(conversation, messageId);
  }

  /** The worker says who is typing in a conversation now (an empty list: nobody). */
  typingIn(conversationId: string, addresses: readonly string[]): void {
    this.emit({ type: 'typing', conversationId, addresses });
  }

  /** `addresses` read one of our messages; once every other member has, it is `read`. */
  readBy(conversationId: string, messageId: string, addresses: readonly string[]): void {
    const conversation = this.known(conversationId);
    this.conversations.update(conversation, messageId, (message) => {
      const readBy = [...new Set([...(message.readBy ?? []), ...addresses])];
      const everyone = conversation.members.every((member) => readBy.includes(member));
      return { ...message, readBy, ...(everyone ? { status: 'read' as const } : {}) };
    });
    this.changed(conversation.id);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private known(conversationId: string): FakeConversation {
    const conversation = this.conversations.find(conversationId);
    if (!conversation) throw new Error('unknown conversation');
    return conversation;
  }

  private message(conversation: FakeConversation, messageId: string): MessageView {
    const message = conversation.messages.find((candidate) => candidate.id === messageId);
    if (!message) throw { code: 'not_found', message: 'no such message' };
    return message;
  }

  /** Ours, not deleted, and sent less than `windowMs` ago. */
  private mayChange(message: MessageView, windowMs: number): boolean {
    return message.mine && !message.system && message.deletedAt === undefined && this.now() - message.sentAt < windowMs;
  }

  private setReaction(conversation: FakeConversation, message: MessageView, address: string, emoji: string | null) {
    const self = this.device?.address ?? '';
    const reactions = withReaction(message.reactions ?? [], address, emoji, self);
    this.conversations.update(conversation, message.id, (current) => {
      const { reactions: _old, ...rest } = current;
      return reactions.length > 0 ? { ...rest, reactions } : rest;
    });
    this.changed(conversation.id);
  }

  /** Text, file, reactions and earlier versions go; the line stays, saying it was deleted. */
  private markDeleted(conversation: FakeConversation, messageId: string): void {
    const at = this.now();
    this.conversations.update(conversation, messageId, (message) => ({
      id: message.id,
      conversationId: message.conversationId,
      ...(message.sender ? { sender: message.sender } : {}),
      mine: message.mine,
      sentAt: message.sentAt,
      receivedAt: message.receivedAt,
      ...(message.status ? { status: message.status } : {}),
      deletedAt: at,
    }));
    this.refreshQuotes(conversation, messageId);
    this.changed(conversation.id);
  }

  /** Replies quoting `messageId` show it as it is now. */
  private refreshQuotes(conversation: FakeConversation, messageId: string): void {
    for (const reply of conversation.messages.filter((message) => message.replyTo?.messageId === messageId)) {
      this.conversations.update(conversation, reply.id, (current) => ({
        ...current,
        replyTo: this.quote(conversation, messageId),
      }));
    }
  }
}
