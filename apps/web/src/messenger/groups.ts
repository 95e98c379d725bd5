import { randomBytes } from '@opendescent/crypto';
import {
  GroupChain,
  MAX_GROUP_CHANGE_OPS,
  ProtocolError,
  groupTitleProblem,
  signGroupChange,
  type GroupChange,
  type GroupOp,
  type GroupSettings,
  type GroupState,
} from '@opendescent/protocol';
import type { GroupRoleView, GroupSettingsInput } from './api';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { requireActiveGroup, systemLine } from './conversations';
import { fromHex, toHex } from './encoding';
import { MessengerError } from './errors';
import type { GroupDelivery } from './group-delivery';
import {
  authorResolver,
  chainRecordOf,
  conversationAtHead,
  emptyChainRecord,
  loadChain,
  ownAuthorKeys,
  saveChain,
} from './group-chain-store';
import { linesOfUpdate } from './group-lines';
import { forgetMemberKeys } from './group-member-keys';
import { TABLES, type ContactDeviceRecord, type ContactRecord, type ConversationRecord } from './records';
import type { Transaction } from './transaction';

/** A group’s title: 1 to 100 characters (groups.md §2, the UI’s limit too). */
export const MAX_GROUP_TITLE = 100;

/** ProtocolError codes of a refused change, as the person making it is told. */
const REFUSAL: Readonly<Record<string, MessengerError['code']>> = {
  not_allowed: 'not_allowed',
  last_admin: 'last_admin',
  not_a_member: 'not_a_member',
  unknown_member: 'not_found',
};

/**
 * Groups as a signed chain of changes (groups.md): every command here signs one change on the
 * head of the group's chain, applies it to our own chain first (so a change the rules refuse is
 * refused here, loudly, and sent to nobody), then sends it to every member device
 * (group-delivery.ts). Commands run inside `exclusive`, after their look-ups were fetched.
 */
export class Groups {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly delivery: GroupDelivery,
  ) {}

  async create(
    tx: Transaction,
    title: string,
    addresses: readonly string[],
    settings: GroupSettingsInput = {},
  ): Promise<string> {
    const self = this.ctx.requireSelf();
    const name = checkedTitle(title);
    const adds: GroupOp[] = [];
    for (const address of addresses) {
      const contact = await this.contacts.lookUp(tx, address, true);
      if (contact.address === self.address || adds.some((op) => op.op === 'add' && op.address === contact.address))
        continue;
      adds.push({ op: 'add', address: contact.address, userKey: memberKey(contact), role: 'member' });
    }
    await this.contacts.lookUp(tx, self.address);
    const id = toHex(randomBytes(16));
    const groupSettings: GroupSettings = {
      announcementOnly: settings.announcementOnly ?? false,
      addBy: settings.addBy ?? 'admins',
      disappearAfter: null,
    };
    // The creation holds the first members; a larger group is built by further changes of 64 adds.
    const first = [
      { op: 'create', title: name, settings: groupSettings } as const,
      ...adds.slice(0, MAX_GROUP_CHANGE_OPS - 1),
    ];
    const creation = await this.sign(id, undefined, first);
    const chain = await GroupChain.create(creation, this.ownKeys());
    const changes = [creation];
    for (let at = MAX_GROUP_CHANGE_OPS - 1; at < adds.length; at += MAX_GROUP_CHANGE_OPS) {
      const next = await this.sign(id, chain.head, adds.slice(at, at + MAX_GROUP_CHANGE_OPS));
      await chain.receive(next, authorResolver(tx, this.ctx));
      changes.push(next);
    }
    saveChain(tx, emptyChainRecord(id), chain, { mine: changes });
    const conversation = conversationAtHead(undefined, id, chain.head.state, self.address, this.ctx.now());
    tx.put(TABLES.conversations, id, conversation);
    systemLine(tx, this.ctx, conversation, { type: 'group_created', by: self.address });
    await this.delivery.sendWelcome(tx, id, chain, conversation.members);
    return id;
  }

  async add(tx: Transaction, conversationId: string, address: string): Promise<void> {
    const conversation = requireActiveGroup(tx, conversationId);
    const contact = await this.contacts.lookUp(tx, address, true);
    if (conversation.members.includes(contact.address)) return;
    await this.issue(tx, conversation, [
      { op: 'add', address: contact.address, userKey: memberKey(contact), role: 'member' },
    ]);
  }

  async remove(tx: Transaction, conversationId: string, address: string): Promise<void> {
    const self = this.ctx.requireSelf();
    const conversation = requireActiveGroup(tx, conversationId);
    const member = address.trim().toLowerCase();
    if (!conversation.members.includes(member)) throw new MessengerError('not_found', `${member} is not in this group`);
    if (member === self.address) throw new MessengerError('invalid_address', 'use “leave” to leave a group');
    await this.issue(tx, conversation, [{ op: 'remove', address: member }]);
  }

  async leave(tx: Transaction, conversationId: string): Promise<void> {
    const conversation = requireActiveGroup(tx, conversationId);
    await this.issue(tx, conversation, [{ op: 'leave' }]);
  }

  async setRole(tx: Transaction, conversationId: string, address: string, role: GroupRoleView): Promise<void> {
    const conversation = requireActiveGroup(tx, conversationId);
    const member = address.trim().toLowerCase();
    if (!conversation.members.includes(member)) throw new MessengerError('not_found', `${member} is not in this group`);
    await this.issue(tx, conversation, [{ op: 'role', address: member, role }]);
  }

  async setTitle(tx: Transaction, conversationId: string, title: string): Promise<void> {
    const conversation = requireActiveGroup(tx, conversationId);
    await this.issue(tx, conversation, [{ op: 'title', title: checkedTitle(title) }]);
  }

  /** Who posts, who adds, and the disappearing time: one `settings` change. */
  async setSettings(
    tx: Transaction,
    conversationId: string,
    change: GroupSettingsInput & { readonly disappearAfter?: number | null },
  ): Promise<void> {
    const conversation = requireActiveGroup(tx, conversationId);
    // The conversation holds the head's settings (conversationAtHead): no need to read the chain for them.
    const next: GroupSettings = {
      announcementOnly: change.announcementOnly ?? conversation.group?.announcementOnly ?? false,
      addBy: change.addBy ?? conversation.group?.addBy ?? 'admins',
      disappearAfter: change.disappearAfter === undefined ? conversation.disappearAfterSeconds : change.disappearAfter,
    };
    await this.issue(tx, conversation, [{ op: 'settings', settings: next }]);
  }

  /**
   * Our change lost to a concurrent one (groups.md §5.1): its operations are signed again on the
   * new head, when they still apply there (two administrators removing the same member: the
   * second is simply dropped).
   */
  async reissue(tx: Transaction, conversation: ConversationRecord, ops: readonly GroupOp[]): Promise<void> {
    try {
      await this.issue(tx, conversation, ops);
    } catch (error) {
      if (!(error instanceof MessengerError)) throw error;
    }
  }

  /** Our groups for one of our new devices (messages.md §5.4): each chain handed over, never history. */
  async syncTo(tx: Transaction, device: ContactDeviceRecord): Promise<void> {
    const self = this.ctx.requireSelf();
    for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
      if (conversation.kind !== 'group' || !conversation.active) continue;
      const chain = await loadChain(tx, conversation.id);
      if (chain) await this.delivery.welcomeDevice(tx, conversation.id, chain, self.address, device);
    }
  }

  /** Signs `ops` on the head, applies them to our chain, shows the lines, sends the change. */
  private async issue(tx: Transaction, conversation: ConversationRecord, ops: readonly GroupOp[]): Promise<void> {
    const self = this.ctx.requireSelf();
    const record = await chainRecordOf(tx, conversation.id);
    if (!record?.chain) throw new MessengerError('not_a_member', 'this device holds no state of this group');
    const chain = GroupChain.deserialise(record.chain);
    const before = chain.head.state;
    const change = await this.sign(conversation.id, chain.head, ops);
    let update;
    try {
      update = await chain.receive(change, authorResolver(tx, this.ctx));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Tests only: a hostile member's client sends what its own rules refuse (ports.ts Tamper).
      if (this.ctx.env.tamper?.sendRefusedGroupChanges) {
        await this.delivery.sendChange(tx, conversation.id, change, conversation.members);
        return;
      }
      throw new MessengerError(REFUSAL[error.code] ?? 'not_allowed', `this change is refused: ${error.message}`);
    }
    saveChain(tx, record, chain, { mine: [change] });
    const updated = conversationAtHead(conversation, conversation.id, chain.head.state, self.address, this.ctx.now());
    tx.put(TABLES.conversations, conversation.id, updated);
    for (const { event } of linesOfUpdate(update)) systemLine(tx, this.ctx, updated, event);
    const gone = before.members.filter((m) => !updated.members.includes(m.address)).map((m) => m.address);
    for (const member of gone) forgetMemberKeys(tx, updated, member);
    if (!updated.active) tx.delete(TABLES.groupKeys, conversation.id);
    // Members of the new state, and those it removed: they learn they are out (one never reached
    // before is first handed the branch it missed, which the removal then applies to).
    await this.delivery.welcomeRemoved(tx, conversation.id, record.chain, gone);
    await this.delivery.sendChange(tx, conversation.id, change, [...updated.members, ...gone]);
    const added = update.diff.added.map((member) => member.address);
    if (added.length > 0) await this.delivery.sendWelcome(tx, conversation.id, chain, added);
  }

  private ownKeys() {
    const keys = ownAuthorKeys(this.ctx);
    if (!keys) throw new MessengerError('not_approved', 'this device holds no user key yet');
    return keys;
  }

  private async sign(
    groupId: string,
    head: { readonly state: GroupState; readonly hash: Uint8Array } | undefined,
    ops: readonly GroupOp[],
  ): Promise<Uint8Array> {
    const self = this.ctx.requireSelf();
    const change: GroupChange = {
      groupId: fromHex(groupId),
      epoch: head ? head.state.epoch + 1 : 1,
      parentHash: head ? head.hash : new Uint8Array(32),
      author: { address: self.address, deviceId: self.deviceId },
      issuedAt: this.ctx.nowSeconds(),
      ops,
    };
    const tampered = this.ctx.env.tamper?.groupChange?.(change) ?? change;
    try {
      return await signGroupChange(tampered, this.ctx.requireIdentity().signing.privateKey);
    } catch (error) {
      if (error instanceof ProtocolError) throw new MessengerError('invalid_address', error.message);
      throw error;
    }
  }
}

function checkedTitle(title: string): string {
  const name = title.trim().normalize('NFC');
  const problem = groupTitleProblem(name);
  if (problem !== undefined) throw new MessengerError('invalid_address', `a group title ${problem}`);
  return name;
}

/** A member is recorded under their pinned user key (user-keys.md §2.5): one with no approved device has none. */
function memberKey(contact: ContactRecord): Uint8Array {
  if (Object.keys(contact.devices).length === 0)
    throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
  if (!contact.userKey) throw new MessengerError('no_devices', `${contact.address} has no approved device yet`);
  return contact.userKey;
}
