/**
 * The fake messenger's conversations and their messages, and how a conversation is shown to the
 * UI. Plain state: the messenger decides when the UI is told (its `changed`).
 */
import type {
  ConversationView,
  MemberView,
  MessageView,
  NotifyLevel,
  ReplyView,
  SystemEvent,
} from '../../src/messenger/api';
import { memberView, type FakePerson } from './fake-messenger-people';

export interface FakeConversation {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  /** Other people's addresses (this user is always a member while `active`). */
  members: string[];
  messages: MessageView[];
  unread: number;
  disappearAfterSeconds: number | null;
  active: boolean;
  updatedAt: number;
  /** When this user last read it (markRead); 0 if never. */
  lastReadAt: number;
  notify: NotifyLevel;
}

/** What makes one message; the id, conversation, times and expiry are filled in. */
export interface FakeMessageFields {
  readonly sender?: MessageView['sender'];
  readonly mine: boolean;
  readonly text?: string;
  readonly system?: SystemEvent;
  readonly status?: MessageView['status'];
  /** When it was sent (now by default). */
  readonly at?: number;
  readonly unapprovedDevice?: true;
  readonly attachment?: MessageView['attachment'];
  readonly replyTo?: ReplyView;
  readonly mentions?: readonly string[];
  readonly mentionsMe?: true;
}

export class FakeConversations {
  private list: FakeConversation[] = [];
  /** One counter for conversation and message ids, so no two ids are ever the same. */
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  all(): readonly FakeConversation[] {
    return this.list;
  }

  clear(): void {
    this.list = [];
  }

  find(conversationId: string): FakeConversation | undefined {
    return this.list.find((candidate) => candidate.id === conversationId);
  }

  /** A conversation this device may still change, or the error a command gets (`not_found`, `not_a_member`). */
  member(conversationId: string): FakeConversation {
    const conversation = this.find(conversationId);
    if (!conversation) throw { code: 'not_found', message: 'no such conversation' };
    if (!conversation.active) throw { code: 'not_a_member', message: 'not a member' };
    return conversation;
  }

  /** The conversations `address` is in. */
  with(address: string): FakeConversation[] {
    return this.list.filter((conversation) => conversation.members.includes(address));
  }

  open(kind: 'direct' | 'group', title: string, members: string[]): FakeConversation {
    const conversation: FakeConversation = {
      id: `c${this.nextId++}`,
      kind,
      title,
      members,
      messages: [],
      unread: 0,
      disappearAfterSeconds: null,
      active: true,
      updatedAt: this.now(),
      lastReadAt: 0,
      notify: 'all',
    };
    this.list.push(conversation);
    return conversation;
  }

  push(conversation: FakeConversation, fields: FakeMessageFields): MessageView {
    const at = fields.at ?? this.now();
    const message: MessageView = {
      id: `m${this.nextId++}`,
      conversationId: conversation.id,
      ...(fields.sender ? { sender: fields.sender } : {}),
      mine: fields.mine,
      ...(fields.text !== undefined ? { text: fields.text } : {}),
      ...(fields.system ? { system: fields.system } : {}),
      sentAt: at,
      receivedAt: at,
      ...(fields.status ? { status: fields.status } : {}),
      // Only text disappears: system lines are never hidden.
      ...(conversation.disappearAfterSeconds !== null && fields.text !== undefined
        ? { expiresAt: at + conversation.disappearAfterSeconds * 1000 }
        : {}),
      ...(fields.unapprovedDevice ? { unapprovedDevice: true as const } : {}),
      ...(fields.attachment ? { attachment: fields.attachment } : {}),
      ...(fields.replyTo ? { replyTo: fields.replyTo } : {}),
      ...(fields.mentions?.length ? { mentions: fields.mentions } : {}),
      ...(fields.mentionsMe ? { mentionsMe: true as const } : {}),
    };
    conversation.messages.push(message);
    conversation.updatedAt = at;
    return message;
  }

  setStatus(conversation: FakeConversation, messageId: string, status: MessageView['status']): void {
    this.update(conversation, messageId, (message) => ({ ...message, status }));
  }

  /** Replaces one message by what `change` makes of it (messages are immutable views). */
  update(conversation: FakeConversation, messageId: string, change: (message: MessageView) => MessageView): void {
    conversation.messages = conversation.messages.map((message) =>
      message.id === messageId ? change(message) : message,
    );
  }

  /** Messages waiting for a relay, in every conversation. */
  queued(): number {
    return this.list.reduce(
      (count, conversation) => count + conversation.messages.filter((message) => message.status === 'queued').length,
      0,
    );
  }

  /** The conversation as the UI sees it: this user first among the members (when enrolled). */
  view(
    conversation: FakeConversation,
    self: MemberView | undefined,
    people: ReadonlyMap<string, FakePerson>,
  ): ConversationView {
    const last = [...conversation.messages].reverse().find((message) => message.text !== undefined);
    const members = conversation.members.flatMap((address) => {
      const person = people.get(address);
      return person ? [memberView(person)] : [];
    });
    return {
      id: conversation.id,
      kind: conversation.kind,
      title: conversation.title,
      members: self ? [self, ...members] : members,
      ...(last?.text !== undefined ? { lastMessage: { preview: last.text.slice(0, 80), at: last.sentAt } } : {}),
      unread: conversation.unread,
      disappearAfterSeconds: conversation.disappearAfterSeconds,
      active: conversation.active,
      updatedAt: conversation.updatedAt,
      lastReadAt: conversation.lastReadAt,
      unreadMentions: conversation.messages.filter(
        (message) => message.mentionsMe && !message.mine && message.receivedAt > conversation.lastReadAt,
      ).length,
      notify: conversation.notify,
      path: 'relay',
    };
  }
}
