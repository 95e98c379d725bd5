import { randomBytes } from '@opendescent/crypto';
import { MAX_MESSAGE_CHARACTERS } from './api';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import {
  conversationRef,
  createDirect,
  findDirect,
  requireConversation,
  systemLine,
  touchConversation,
} from './conversations';
import type { Delivery } from './delivery';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import type { AppPayload } from './payload';
import type { Peers } from './peers';
import { attachmentRef } from './attachment-payload';
import type { AttachmentView } from './attachment-api';
import { TABLES, type AttachmentSecret, type ConversationRecord, type MessageRecord } from './records';
import type { SentRecord } from './retention';
import type { Transaction } from './transaction';
import { refOf } from './message-identity';
import { linkReply } from './message-changes';

/** A reply's target (a message id of the conversation) and the members a text mentions. */
export interface TextOptions {
  readonly replyTo?: string;
  readonly mentions?: readonly string[];
}

/**
 * What a user says: starting a direct conversation, sending text, the disappearing-messages
 * timer, verifying a device. Each runs inside `exclusive`, after its look-ups were fetched.
 */
export class Sending {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    /** Also what MessageActions sends with (one payload to a conversation, or to one device). */
    readonly peers: Peers,
    readonly delivery: Delivery,
  ) {}

  async startDirect(tx: Transaction, address: string): Promise<string> {
    const self = this.ctx.requireSelf();
    const contact = await this.contacts.lookUp(tx, address, true);
    if (contact.address === self.address) throw new MessengerError('own_address', 'that is your own address');
    if (Object.keys(contact.devices).length === 0) {
      await tx.commit();
      throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
    }
    const id = (findDirect(tx, contact.address) ?? createDirect(tx, this.ctx, self.address, contact.address)).id;
    await this.contacts.lookUp(tx, self.address);
    // Every device of the contact and our other devices; one that cannot be reached yet (not
    // published, relay down) is tried again at the next message.
    const failures: unknown[] = [];
    let reached = 0;
    for (const { address: owner, device } of this.contacts.recipientDevices(tx, [contact.address])) {
      try {
        await this.peers.ensure(tx, owner, device);
        if (owner === contact.address) reached += 1;
      } catch (error) {
        failures.push(error);
      }
    }
    if (reached === 0 && failures.length > 0) throw failures[0];
    return id;
  }

  async send(tx: Transaction, conversationId: string, text: string, options?: TextOptions): Promise<string> {
    const message = await this.compose(tx, conversationId, text, undefined, options);
    await this.deliverComposed(tx, message);
    return message.id;
  }

  /**
   * Writes one of our messages (a text, or a file with an optional caption) as `queued`, after the
   * same checks as a send; `deliverComposed` sends it. A file's message is composed when the file
   * is sealed and delivered once its upload is complete (attachment-transfers.ts).
   */
  async compose(
    tx: Transaction,
    conversationId: string,
    text: string,
    file?: { readonly view: AttachmentView; readonly secret: AttachmentSecret },
    options?: TextOptions,
  ): Promise<MessageRecord> {
    const self = this.ctx.requireSelf();
    const conversation = this.requireMayPost(tx, conversationId);
    const body = text.trim();
    if ((body.length === 0 && !file) || body.length > MAX_MESSAGE_CHARACTERS)
      throw new MessengerError('message_too_long', 'a message has 1 to 4,000 characters');
    const replyTo =
      options?.replyTo === undefined ? undefined : await this.replyTarget(tx, conversationId, options.replyTo);
    // Members named in the text (groups only); anyone else named is dropped, as receivers would.
    const mentions =
      conversation.kind === 'group'
        ? [...new Set(options?.mentions ?? [])].filter((a) => a !== self.address && conversation.members.includes(a))
        : [];
    const id = this.ctx.env.tamper?.messageId?.() ?? toHex(randomBytes(16));
    const sentAt = this.tick(tx);
    const expireAfter = conversation.disappearAfterSeconds;
    const message: MessageRecord = {
      v: 1,
      id,
      conversationId,
      sender: { address: self.address, displayName: self.displayName, deviceId: toHex(self.deviceId) },
      mine: true,
      ...(body.length > 0 ? { text: body } : {}),
      sentAt,
      receivedAt: sentAt,
      status: 'queued',
      deliveredTo: {},
      ...(expireAfter ? { expiresAt: sentAt + expireAfter * 1000 } : {}),
      ...(file ? { attachment: file.view, attachmentSecret: file.secret } : {}),
      ...(replyTo ? { replyRef: refOf(replyTo) } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
    };
    const stored = replyTo ? await linkReply(tx, this.ctx, message) : message;
    tx.putMessage(stored);
    tx.put(TABLES.sent, id, { id, conversationId, at: sentAt } satisfies SentRecord);
    touchConversation(tx, conversation, body.length > 0 ? body : (file?.view.name ?? ''), sentAt, false);
    return stored;
  }

  /**
   * A time for this user's next message or change, strictly after the last one (messages.md §5.2,
   * §5.8): receivers order a sender's messages, and a person's edits and reactions, by it.
   */
  tick(tx: Transaction): number {
    const self = this.ctx.requireSelf();
    const at = Math.max(this.ctx.now(), self.clock + 1);
    tx.put(TABLES.self, 'device', { ...self, clock: at });
    return at;
  }

  /** The message a reply answers: one held in this conversation, not a system line nor deleted. */
  private async replyTarget(tx: Transaction, conversationId: string, messageId: string): Promise<MessageRecord> {
    const target = await tx.message(conversationId, messageId);
    if (!target || target.sender === undefined) throw new MessengerError('not_found', 'no such message');
    if (target.system !== undefined || target.deletedAt !== undefined)
      throw new MessengerError('not_allowed', 'that message cannot be answered');
    return target;
  }

  /** The conversation, if this user may post in it now (a member; an administrator where only they post). */
  requireMayPost(tx: Transaction, conversationId: string): ConversationRecord {
    const self = this.ctx.requireSelf();
    const conversation = requireConversation(tx, conversationId);
    if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this conversation');
    if (conversation.group?.announcementOnly && !conversation.group.admins.includes(self.address))
      throw new MessengerError('not_allowed', 'only administrators post in this group');
    return conversation;
  }

  /** Sends a composed message to every device of the conversation; with a file, once it is on the relay. */
  async deliverComposed(tx: Transaction, message: MessageRecord): Promise<void> {
    const conversation = requireConversation(tx, message.conversationId);
    const expireAfter = message.expiresAt ? Math.round((message.expiresAt - message.sentAt) / 1000) : undefined;
    const attachment = message.attachment && message.attachmentSecret ? attachmentRef(message) : undefined;
    const payload: AppPayload = {
      t: 'text',
      id: message.id,
      conversation: conversationRef(conversation),
      body: message.text ?? '',
      sentAt: message.sentAt,
      ...(expireAfter ? { expireAfter } : {}),
      ...(attachment ? { attachment } : {}),
      ...(message.replyRef ? { replyTo: message.replyRef } : {}),
      ...(message.mentions && message.mentions.length > 0 ? { mentions: [...message.mentions] } : {}),
    };
    // Nobody else holds a device we may write to (all revoked or lapsed): say so, never queue silently.
    const recipients = await this.delivery.deliver(tx, conversation, payload, {
      conversationId: message.conversationId,
      messageId: message.id,
    });
    tx.putMessage({ ...message, recipients, ...(recipients.length === 0 ? { status: 'failed' as const } : {}) });
  }

  async setDisappearing(tx: Transaction, conversationId: string, seconds: number | null): Promise<void> {
    const self = this.ctx.requireSelf();
    const conversation = requireConversation(tx, conversationId);
    const updated = { ...conversation, disappearAfterSeconds: seconds };
    tx.put(TABLES.conversations, conversationId, updated);
    systemLine(tx, this.ctx, updated, { type: 'disappearing_set', by: self.address, seconds });
    await this.delivery.deliver(tx, updated, {
      t: 'disappearing',
      conversation: conversationRef(conversation),
      seconds,
      at: this.ctx.now(),
    });
  }
}
