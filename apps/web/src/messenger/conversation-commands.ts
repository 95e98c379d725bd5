import {
  MAX_MESSAGE_CHARACTERS,
  type GroupRoleView,
  type GroupSettingsInput,
  type NotifyLevel,
  type PreferencesView,
} from './api';
import { MessageActions } from './message-actions';
import { MAX_ATTACHMENT_FILE_BYTES } from './attachment-api';
import { forgetSealing, noteSealing, sealForMessage } from './attachment-sealing';
import { newAttachmentLocalId } from './attachment-files';
import type { AttachmentTransfers } from './attachment-transfers';
import { normaliseAddress, type Contacts } from './contacts';
import type { MessengerContext } from './context';
import { othersIn } from './conversations';
import { MessengerError } from './errors';
import type { Groups } from './groups';
import type { History } from './history';
import type { Outbox } from './outbox';
import { TABLES, type ContactRecord, type ConversationRecord } from './records';
import { markVerified, verifySafetyQr } from './safety-numbers';
import type { Sending, TextOptions } from './sending';
import type { Transaction } from './transaction';

/**
 * The UI's commands on conversations (messages.md §5): each looks up what it needs first
 * (network, outside `exclusive`), then makes its change in one transaction, then sends. Commands
 * that send need the person's user key on this device (user-keys.md §2.5): an unapproved device
 * sends nothing.
 */
export class ConversationCommands {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly sending: Sending,
    private readonly groups: Groups,
    private readonly history: History,
    private readonly outbox: Outbox,
    private readonly transfers: AttachmentTransfers,
  ) {
    this.actions = new MessageActions(ctx, sending, sending.delivery, sending.peers);
  }

  private readonly actions: MessageActions;

  /** Accepts a contact's new user key (user-keys.md §2.5): their devices under it are written to from now on. */
  async acceptUserKey(address: string): Promise<void> {
    await this.change((tx) => this.contacts.acceptUserKey(tx, address));
  }

  async startDirect(address: string): Promise<string> {
    const self = this.ctx.requireSelf();
    this.requireApproved();
    const normalised = normaliseAddress(address);
    if (normalised === self.address) throw new MessengerError('own_address', 'that is your own address');
    await this.contacts.fetch(normalised);
    await this.contacts.fetchStale([self.address]);
    return this.change((tx) => this.sending.startDirect(tx, normalised));
  }

  async send(conversationId: string, text: string, options?: TextOptions): Promise<string> {
    await this.beforeSending(conversationId);
    return this.change((tx) => this.sending.send(tx, conversationId, text, options));
  }

  async react(conversationId: string, messageId: string, emoji: string | null): Promise<void> {
    await this.beforeSending(conversationId);
    return this.change((tx) => this.actions.react(tx, conversationId, messageId, emoji));
  }

  async editMessage(conversationId: string, messageId: string, text: string): Promise<void> {
    await this.beforeSending(conversationId);
    return this.change((tx) => this.actions.edit(tx, conversationId, messageId, text));
  }

  async deleteForEveryone(conversationId: string, messageId: string): Promise<void> {
    await this.beforeSending(conversationId);
    return this.change((tx) => this.actions.deleteForEveryone(tx, conversationId, messageId));
  }

  /** An indicator is worth no directory look-up: sent to the devices already known, or not at all. */
  async setTyping(conversationId: string, typing: boolean): Promise<void> {
    if (!this.ctx.requireSelf().userKey) return;
    await this.change((tx) => this.actions.setTyping(tx, conversationId, typing));
  }

  async setPreferences(preferences: Partial<PreferencesView>): Promise<void> {
    await this.change(async (tx) => this.actions.setPreferences(tx, preferences));
  }

  async setNotify(conversationId: string, level: NotifyLevel): Promise<void> {
    await this.change(async (tx) => this.actions.setNotify(tx, conversationId, level));
  }

  /** What every command that sends into a conversation checks and fetches first. */
  private async beforeSending(conversationId: string): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
  }

  /**
   * A file, with an optional caption (attachments.md §5): sealed on this device first (outside
   * `exclusive`: it reads the whole file), then its message is composed and its upload queued in
   * one change; the message goes out once the upload is complete (attachment-transfers.ts).
   */
  async sendFile(
    conversationId: string,
    file: Blob,
    name: string,
    caption = '',
    options?: TextOptions,
  ): Promise<string> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    this.sending.requireMayPost(this.ctx.tx(), conversationId);
    if (file.size > MAX_ATTACHMENT_FILE_BYTES) throw new MessengerError('file_too_large', 'a file has at most 100 MiB');
    if (caption.trim().length > MAX_MESSAGE_CHARACTERS)
      throw new MessengerError('message_too_long', 'a caption has at most 4,000 characters');
    await this.fetchMembers(conversationId);
    const localId = newAttachmentLocalId();
    await noteSealing(this.ctx.vault, localId, this.ctx.run, this.ctx.now());
    try {
      const sealed = await sealForMessage(this.ctx.vault.attachmentChunks, file, name, localId);
      return await this.change(async (tx) => {
        const message = await this.sending.compose(tx, conversationId, caption, sealed, options);
        this.transfers.queueUpload(tx, message);
        tx.delete(TABLES.sealing, localId);
        return message.id;
      });
    } catch (error) {
      await this.ctx.vault.attachmentChunks.delete(localId);
      await forgetSealing(this.ctx.vault, localId);
      throw error;
    }
  }

  async createGroup(title: string, addresses: readonly string[], settings?: GroupSettingsInput): Promise<string> {
    this.requireApproved();
    for (const address of new Set(addresses.map(normaliseAddress))) await this.contacts.fetch(address);
    await this.contacts.fetchStale([this.ctx.requireSelf().address]);
    return this.change((tx) => this.groups.create(tx, title, addresses, settings));
  }

  async setRole(conversationId: string, address: string, role: GroupRoleView): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.setRole(tx, conversationId, address, role));
  }

  async setTitle(conversationId: string, title: string): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.setTitle(tx, conversationId, title));
  }

  async setGroupSettings(conversationId: string, settings: GroupSettingsInput): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.setSettings(tx, conversationId, settings));
  }

  async addMember(conversationId: string, address: string): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.contacts.fetch(address);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.add(tx, conversationId, address));
  }

  async removeMember(conversationId: string, address: string): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.remove(tx, conversationId, address));
  }

  async leave(conversationId: string): Promise<void> {
    this.requireApproved();
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.leave(tx, conversationId));
  }

  async setDisappearing(conversationId: string, seconds: number | null): Promise<void> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.fetchMembers(conversationId);
    // A group's disappearing time is one of its settings (groups.md §2): an administrator's signed change.
    return this.change((tx) =>
      tx.get<ConversationRecord>(TABLES.conversations, conversationId)?.kind === 'group'
        ? this.groups.setSettings(tx, conversationId, { disappearAfter: seconds })
        : this.sending.setDisappearing(tx, conversationId, seconds),
    );
  }

  async shareHistory(conversationId: string, address: string, count: number): Promise<number> {
    this.requireApproved();
    this.requireNoUnacceptedChange(conversationId);
    await this.contacts.fetchStale([normaliseAddress(address)]);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.history.share(tx, conversationId, address, count));
  }

  /** Read receipts go to devices this device already writes to: no look-up first. */
  async markRead(conversationId: string): Promise<void> {
    const conversation = this.ctx.tx().get<ConversationRecord>(TABLES.conversations, conversationId);
    if (!conversation) throw new MessengerError('not_found', 'no such conversation');
    if (conversation.unread === 0 && conversation.lastReadAt !== undefined) return;
    await this.change((tx) => this.actions.markRead(tx, conversationId));
  }

  /** Marks a person verified under their current user key (user-keys.md §5). */
  async markVerified(address: string): Promise<void> {
    await this.change(async (tx) => markVerified(tx, address));
  }

  /** Compares a QR code scanned from the person's screen; a match marks them verified. */
  async verifySafetyQr(address: string, scanned: string): Promise<boolean> {
    return this.change(async (tx) => verifySafetyQr(tx, this.ctx.requireSelf(), address, scanned));
  }

  /**
   * A verified person's user key changed (user-keys.md §2.5, as Signal does): nothing more is sent
   * to a conversation with them until this user looks at it and accepts the new key.
   */
  private requireNoUnacceptedChange(conversationId: string): void {
    const conversation = this.ctx.tx().get<ConversationRecord>(TABLES.conversations, conversationId);
    if (!conversation) return;
    for (const address of othersIn(conversation)) {
      const contact = this.ctx.tx().get<ContactRecord>(TABLES.contacts, address);
      if (contact?.changedUserKey && contact.verifiedUserKey)
        throw new MessengerError(
          'key_change_unaccepted',
          'the security key of a person you verified changed: compare and accept it first',
        );
    }
  }

  private requireApproved(): void {
    if (!this.ctx.requireSelf().userKey)
      throw new MessengerError('not_approved', 'approve this device from another of your devices first');
  }

  /** The directory entries of a conversation's members, fetched before its change if stale. */
  private async fetchMembers(conversationId: string): Promise<void> {
    const self = this.ctx.self;
    const conversation = this.ctx.tx().get<ConversationRecord>(TABLES.conversations, conversationId);
    if (!self || !conversation) return;
    await this.contacts.fetchStale([...othersIn(conversation), self.address]);
  }

  /** One command's change: inside `exclusive`, committed whole, then the outbox is sent. */
  private change<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const result = await work(tx);
      await this.ctx.commit(tx);
      this.outbox.flushSoon();
      return result;
    });
  }
}
