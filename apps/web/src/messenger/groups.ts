import { randomBytes } from '@opendescent/crypto';
import type { SystemEvent } from './api';
import { CONTACT_REFRESH_MS, normaliseAddress, type Contacts } from './contacts';
import type { MessengerContext } from './context';
import { requireActiveGroup, systemLine } from './conversations';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import type { AppPayload } from './payload';
import type { Peers } from './peers';
import {
  TABLES,
  type ContactDeviceRecord,
  type ContactRecord,
  type ConversationRecord,
  type PeerRecord,
} from './records';
import { rotateSenderKeyOf } from './sender-key-rotation';
import type { Transaction } from './transaction';

type GroupUpdate = Extract<AppPayload, { t: 'group' }>;

/** The largest version step a `group` payload may take over the version held (each change adds 1). */
export const MAX_GROUP_VERSION_STEP = 1_000;

/** A group’s title: 1 to 100 characters (the UI’s limit too). */
export const MAX_GROUP_TITLE = 100;

/**
 * Groups as their members' clients hold them (messages.md §5.3): membership changes travel
 * pairwise to every member device, old and new; a higher version from a current member wins.
 * Commands here run inside `exclusive`, after their look-ups were fetched (Contacts.fetch).
 */
export class Groups {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
  ) {}

  async create(tx: Transaction, title: string, addresses: readonly string[]): Promise<string> {
    const self = this.ctx.requireSelf();
    const name = title.trim();
    if (name.length === 0 || name.length > MAX_GROUP_TITLE)
      throw new MessengerError('invalid_address', `a group needs a title of 1 to ${MAX_GROUP_TITLE} characters`);
    const members = [self.address];
    for (const address of addresses) {
      const contact = await this.contacts.lookUp(tx, address, true);
      if (Object.keys(contact.devices).length === 0)
        throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
      if (!members.includes(contact.address)) members.push(contact.address);
    }
    await this.contacts.lookUp(tx, self.address);
    const id = toHex(randomBytes(16));
    const conversation: ConversationRecord = {
      v: 1,
      id,
      kind: 'group',
      title: name,
      members,
      groupVersion: 1,
      active: true,
      disappearAfterSeconds: null,
      unread: 0,
      updatedAt: this.ctx.now(),
    };
    tx.put(TABLES.conversations, id, conversation);
    systemLine(tx, this.ctx, conversation, { type: 'group_created', by: self.address });
    await this.sendUpdate(tx, conversation, 'create');
    return id;
  }

  async add(tx: Transaction, conversationId: string, address: string): Promise<void> {
    const self = this.ctx.requireSelf();
    const conversation = requireActiveGroup(tx, conversationId);
    const contact = await this.contacts.lookUp(tx, address, true);
    if (Object.keys(contact.devices).length === 0)
      throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
    if (conversation.members.includes(contact.address)) return;
    const updated = {
      ...conversation,
      members: [...conversation.members, contact.address],
      groupVersion: conversation.groupVersion + 1,
    };
    tx.put(TABLES.conversations, conversationId, updated);
    systemLine(tx, this.ctx, updated, { type: 'member_added', by: self.address, member: contact.address });
    await this.sendUpdate(tx, updated, 'add', contact.address);
  }

  async remove(tx: Transaction, conversationId: string, address: string): Promise<void> {
    const self = this.ctx.requireSelf();
    const conversation = requireActiveGroup(tx, conversationId);
    const member = address.trim().toLowerCase();
    if (!conversation.members.includes(member)) throw new MessengerError('not_found', `${member} is not in this group`);
    if (member === self.address) throw new MessengerError('invalid_address', 'use “leave” to leave a group');
    const updated = {
      ...conversation,
      members: conversation.members.filter((m) => m !== member),
      groupVersion: conversation.groupVersion + 1,
    };
    tx.put(TABLES.conversations, conversationId, updated);
    systemLine(tx, this.ctx, updated, { type: 'member_removed', by: self.address, member });
    this.forgetMemberKeys(tx, updated, member);
    await this.sendUpdate(tx, updated, 'remove', member, [member]);
  }

  async leave(tx: Transaction, conversationId: string): Promise<void> {
    const self = this.ctx.requireSelf();
    const conversation = requireActiveGroup(tx, conversationId);
    const updated = {
      ...conversation,
      members: conversation.members.filter((m) => m !== self.address),
      groupVersion: conversation.groupVersion + 1,
    };
    await this.sendUpdate(tx, updated, 'leave', self.address);
    tx.put(TABLES.conversations, conversationId, { ...updated, active: false });
    tx.delete(TABLES.groupKeys, conversationId);
    systemLine(tx, this.ctx, updated, { type: 'member_left', member: self.address });
  }

  /** Membership changes travel pairwise to every member device, old and new (messages.md §5.3). */
  private async sendUpdate(
    tx: Transaction,
    conversation: ConversationRecord,
    action: 'create' | 'add' | 'remove' | 'leave',
    subject?: string,
    alsoTo: readonly string[] = [],
  ): Promise<void> {
    const payload: AppPayload = {
      ...this.stateOf(conversation, action),
      ...(subject ? { subject } : {}),
      at: this.ctx.now(),
    };
    for (const { address, device } of this.contacts.recipientDevices(tx, [...conversation.members, ...alsoTo])) {
      // A device that cannot be reached now learns the membership from the next update.
      await this.peers.sendEnsured(tx, address, device, payload);
    }
  }

  /** Our groups' membership for one of our new devices (messages.md §5.4), never their history. */
  async syncTo(tx: Transaction, device: ContactDeviceRecord): Promise<void> {
    for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
      if (conversation.kind !== 'group' || !conversation.active) continue;
      await this.peers.send(tx, device, this.stateOf(conversation, 'sync'));
    }
  }

  private stateOf(conversation: ConversationRecord, action: GroupUpdate['action']): GroupUpdate {
    return {
      t: 'group',
      groupId: conversation.id,
      version: conversation.groupVersion,
      title: conversation.title ?? '',
      members: [...conversation.members],
      action,
      disappearAfter: conversation.disappearAfterSeconds,
    };
  }

  /** A member is gone: our Sender Key rotates before the next send and theirs is dropped. */
  forgetMemberKeys(tx: Transaction, conversation: ConversationRecord, member: string): void {
    rotateSenderKeyOf(tx, conversation.id);
    for (const peer of tx.all<PeerRecord>(TABLES.peers)) {
      if (peer.address !== member) continue;
      tx.put(TABLES.peers, peer.deviceId, {
        ...peer,
        groupKeys: peer.groupKeys.filter((k) => k.groupId !== conversation.id),
      });
    }
  }

  /** The `group` payload: a higher version from a current member wins (messages.md §5.3). */
  apply(tx: Transaction, sender: { address: string }, update: GroupUpdate): void {
    const self = this.ctx.requireSelf();
    const current = tx.get<ConversationRecord>(TABLES.conversations, update.groupId);
    if (current && current.kind !== 'group') return;
    if (current && update.version <= current.groupVersion) return;
    // Each change adds one to the version; a jump past MAX_GROUP_VERSION_STEP is no honest client's
    // (a member pushing the version out of reach, so that later changes could not follow it).
    if (current && update.version > current.groupVersion + MAX_GROUP_VERSION_STEP) return;
    const senderIsMember = current
      ? current.members.includes(sender.address)
      : update.members.includes(sender.address) || update.action === 'leave';
    if (!senderIsMember && sender.address !== self.address) return;
    const inGroup = update.members.includes(self.address);
    if (!current && !inGroup) return;
    const conversation: ConversationRecord = {
      v: 1,
      id: update.groupId,
      kind: 'group',
      title: update.title,
      members: update.members,
      groupVersion: update.version,
      active: inGroup,
      disappearAfterSeconds: update.disappearAfter ?? current?.disappearAfterSeconds ?? null,
      unread: current?.unread ?? 0,
      updatedAt: this.ctx.now(),
      ...(current?.lastPreview ? { lastPreview: current.lastPreview, lastAt: current.lastAt as number } : {}),
    };
    tx.put(TABLES.conversations, conversation.id, conversation);
    // The lines come from what changed, never from the sender's own description of it.
    for (const event of changeEvents(current, update, sender.address))
      systemLine(tx, this.ctx, conversation, event, update.at);
    const gone = (current?.members ?? []).filter((m) => !update.members.includes(m));
    for (const member of gone) this.forgetMemberKeys(tx, conversation, member);
    if (!inGroup) tx.delete(TABLES.groupKeys, conversation.id);
    // Members we know nothing of (or long ago) are looked up after this change, outside it.
    for (const member of update.members) {
      if (member === self.address) continue;
      const contact = tx.get<ContactRecord>(TABLES.contacts, normaliseAddress(member));
      if (!contact || this.ctx.now() - contact.lookedUpAt >= CONTACT_REFRESH_MS)
        tx.after(() => this.contacts.refreshLater(member));
    }
  }
}

/**
 * The lines a membership change shows (messages.md §5.3), computed from the member lists before
 * and after it: whatever `action` and `subject` the sender wrote (a `sync` that adds someone, an
 * `add` without a subject), everyone added or gone is shown. A group first seen here shows its
 * creation when it is one (a `sync` to a new device of the same person shows nothing).
 */
function changeEvents(current: ConversationRecord | undefined, update: GroupUpdate, by: string): SystemEvent[] {
  if (!current) return update.action === 'create' ? [{ type: 'group_created', by }] : [];
  const before = new Set(current.members);
  const after = new Set(update.members);
  return [
    ...update.members
      .filter((member) => !before.has(member))
      .map((member): SystemEvent => ({ type: 'member_added', by, member })),
    ...current.members
      .filter((member) => !after.has(member))
      .map((member): SystemEvent =>
        member === by ? { type: 'member_left', member } : { type: 'member_removed', by, member },
      ),
  ];
}
