import { sha256 } from '@opendescent/crypto';
import { GroupChain } from '@opendescent/protocol';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { systemLine } from './conversations';
import { toB64 } from './encoding';
import { chainRecordOf, loadChain } from './group-chain-store';
import { GROUP_WELCOME_PART_BYTES, type AppPayload } from './payload';
import type { Peers } from './peers';
import {
  TABLES,
  type ContactDeviceRecord,
  type ContactRecord,
  type ConversationRecord,
  type GroupChainRecord,
} from './records';
import type { Transaction } from './transaction';

/** How often devices a group change could not reach are tried again (with the whole branch). */
export const GROUP_RETRY_MS = 30_000;

/**
 * How group changes travel (messages.md §5.3): each signed change pairwise to every member device
 * of the new state and to those it removed; the chain, in parts, to a new member or one of our new
 * devices. A device that cannot be reached now is owed the chain: the conversation says so, and it
 * is sent the whole branch (which holds every change it missed) until it can be reached.
 */
export class GroupDelivery {
  /** Groups with devices owed their branch; undefined until the first retry looked at every group. */
  private owing: Set<string> | undefined;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    /** Sends what a change queued outside a command (the outbox's flushSoon). */
    private readonly flushSoon: () => void,
  ) {}

  /** The change to every device of `addresses` (members of the new state, and those it removed). */
  async sendChange(tx: Transaction, groupId: string, change: Uint8Array, addresses: readonly string[]): Promise<void> {
    this.welcomeUnknownLater(tx, groupId, addresses);
    const payload: AppPayload = { t: 'group_change', groupId, change: toB64(change) };
    const missed: string[] = [];
    for (const { address, device } of this.contacts.recipientDevices(tx, addresses)) {
      if (!(await this.peers.sendEnsured(tx, address, device, payload))) missed.push(`${address} ${device.deviceId}`);
    }
    await this.owe(tx, groupId, missed);
  }

  /**
   * Devices of removed members still owed the branch (never reached since the change they missed):
   * handed the branch as it stood before the removal, which takes them in, so the removal sent next
   * reads as one. The branch after it would not take them in (they are not in its head).
   * `before`: the chain as serialised before the change, read only when a removed device is owed.
   */
  async welcomeRemoved(tx: Transaction, groupId: string, before: Uint8Array, gone: readonly string[]): Promise<void> {
    if (gone.length === 0) return;
    const record = await chainRecordOf(tx, groupId);
    const owed = record?.owed ?? [];
    if (!record || owed.length === 0) return;
    const payloads = welcomePayloads(groupId, GroupChain.deserialise(before));
    const reached = new Set<string>();
    for (const { address, device } of this.contacts.recipientDevices(tx, gone)) {
      const entry = `${address} ${device.deviceId}`;
      if (owed.includes(entry) && (await this.sendParts(tx, payloads, address, device))) reached.add(entry);
    }
    if (reached.size > 0)
      tx.put(TABLES.groupChains, groupId, {
        ...record,
        owed: owed.filter((entry) => !reached.has(entry)),
      } satisfies GroupChainRecord);
  }

  /** The chain handed over (groups.md §5.4) to every device of `addresses`. */
  async sendWelcome(tx: Transaction, groupId: string, chain: GroupChain, addresses: readonly string[]): Promise<void> {
    this.welcomeUnknownLater(tx, groupId, addresses);
    const payloads = welcomePayloads(groupId, chain);
    const missed: string[] = [];
    for (const { address, device } of this.contacts.recipientDevices(tx, addresses)) {
      if (!(await this.sendParts(tx, payloads, address, device))) missed.push(`${address} ${device.deviceId}`);
    }
    await this.owe(tx, groupId, missed);
  }

  /** The branch to one device (one of our new devices, messages.md §5.4); false when it cannot be reached now. */
  welcomeDevice(
    tx: Transaction,
    groupId: string,
    chain: GroupChain,
    address: string,
    device: ContactDeviceRecord,
  ): Promise<boolean> {
    return this.sendParts(tx, welcomePayloads(groupId, chain), address, device);
  }

  private async sendParts(
    tx: Transaction,
    payloads: readonly AppPayload[],
    address: string,
    device: ContactDeviceRecord,
  ): Promise<boolean> {
    for (const payload of payloads) if (!(await this.peers.sendEnsured(tx, address, device, payload))) return false;
    return true;
  }

  /** Nothing is owed to any device: the retry has nothing to do. */
  get idle(): boolean {
    return this.owing !== undefined && this.owing.size === 0;
  }

  /**
   * Members this device never looked up (added by another member): they have no device here to
   * send to. Each is looked up after this change, then handed the branch, which holds this change.
   */
  private welcomeUnknownLater(tx: Transaction, groupId: string, addresses: readonly string[]): void {
    const self = this.ctx.requireSelf().address;
    for (const address of new Set(addresses)) {
      if (address === self || tx.get<ContactRecord>(TABLES.contacts, address)) continue;
      tx.after(() => this.contacts.refreshLater(address, (later) => this.welcomeMember(later, groupId, address)));
    }
  }

  private async welcomeMember(tx: Transaction, groupId: string, address: string): Promise<void> {
    const chain = await loadChain(tx, groupId);
    if (!chain || !chain.head.state.members.some((member) => member.address === address)) return;
    if (!tx.get<ContactRecord>(TABLES.contacts, address)) return; // not found: nothing more to do
    await this.sendWelcome(tx, groupId, chain, [address]);
    tx.after(this.flushSoon);
  }

  /** Devices owed the chain; the conversation shows, once per member, that a change waits for them. */
  private async owe(tx: Transaction, groupId: string, missed: readonly string[]): Promise<void> {
    if (missed.length === 0) return;
    const record = await chainRecordOf(tx, groupId);
    if (!record) return;
    const owed = new Set(record.owed ?? []);
    const conversation = tx.get<ConversationRecord>(TABLES.conversations, groupId);
    const newlyOwed = new Set<string>();
    for (const entry of missed) {
      if (!owed.has(entry)) newlyOwed.add(entry.split(' ')[0] as string);
      owed.add(entry);
    }
    tx.put(TABLES.groupChains, groupId, { ...record, owed: [...owed] } satisfies GroupChainRecord);
    tx.after(() => void this.owing?.add(groupId));
    if (conversation)
      for (const member of newlyOwed) systemLine(tx, this.ctx, conversation, { type: 'group_change_pending', member });
  }

  /** Sends the branch to every device still owed it that can be reached now (every GROUP_RETRY_MS). */
  async retryOwed(tx: Transaction): Promise<void> {
    const groupIds =
      this.owing ??
      tx
        .all<ConversationRecord>(TABLES.conversations)
        .filter((conversation) => conversation.kind === 'group')
        .map((conversation) => conversation.id);
    const settled = new Map<string, boolean>();
    for (const groupId of groupIds) {
      const conversation = tx.get<ConversationRecord>(TABLES.conversations, groupId);
      const record = await chainRecordOf(tx, groupId);
      if (!conversation?.active || !record?.chain || !record.owed?.length) {
        settled.set(groupId, true);
        continue;
      }
      const payloads = welcomePayloads(groupId, GroupChain.deserialise(record.chain));
      const still: string[] = [];
      for (const entry of record.owed) {
        const [address, deviceId] = entry.split(' ') as [string, string];
        const device = this.contacts
          .recipientDevices(tx, [address])
          .find((candidate) => candidate.device.deviceId === deviceId)?.device;
        // Gone from the group (the branch would show them who is in it now), revoked or
        // unapproved since: owed nothing more.
        if (!device || !conversation.members.includes(address)) continue;
        if (!(await this.sendParts(tx, payloads, address, device))) still.push(entry);
      }
      tx.put(TABLES.groupChains, groupId, { ...record, owed: still } satisfies GroupChainRecord);
      settled.set(groupId, still.length === 0);
    }
    tx.after(() => {
      const owing = this.owing ?? new Set<string>();
      for (const [groupId, done] of settled)
        if (done) owing.delete(groupId);
        else owing.add(groupId);
      this.owing = owing;
    });
  }
}

/** The branch as `group_welcome` parts (messages.md §4): serialised and digested once per handover, not per device. */
function welcomePayloads(groupId: string, chain: GroupChain): AppPayload[] {
  const record = chain.serialise({ pending: false });
  const digest = toB64(sha256(record));
  const parts = Math.ceil(record.length / GROUP_WELCOME_PART_BYTES);
  return Array.from({ length: parts }, (_, part) => ({
    t: 'group_welcome' as const,
    groupId,
    digest,
    part,
    parts,
    data: toB64(record.subarray(part * GROUP_WELCOME_PART_BYTES, (part + 1) * GROUP_WELCOME_PART_BYTES)),
  }));
}
