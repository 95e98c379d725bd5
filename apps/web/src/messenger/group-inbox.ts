import { concatBytes, constantTimeEqual, sha256 } from '@opendescent/crypto';
import {
  GroupChain,
  ProtocolError,
  decodeGroupChange,
  groupChangeHash,
  groupMember,
  type GroupChainUpdate,
  type GroupOp,
} from '@opendescent/protocol';
import type { SystemEvent } from './api';
import { CONTACT_REFRESH_MS, normaliseAddress, type Contacts } from './contacts';
import type { MessengerContext } from './context';
import { systemLine } from './conversations';
import { fromB64, toB64, toHex } from './encoding';
import {
  MAX_UNRESOLVED_GROUP_CHANGES,
  authorResolver,
  chainRecordOf,
  conversationAtHead,
  emptyChainRecord,
  saveChain,
} from './group-chain-store';
import { arrivalSettled, noteArrival } from './group-arrivals';
import { linesOfUpdate } from './group-lines';
import { forgetMemberKeys } from './group-member-keys';
import type { Groups } from './groups';
import type { AppPayload } from './payload';
import type { Sender } from './payload-handlers';
import { ownUserKey } from './person-keys';
import { TABLES, type ContactRecord, type ConversationRecord, type GroupChainRecord } from './records';
import type { Transaction } from './transaction';

type Welcome = Extract<AppPayload, { t: 'group_welcome' }>;

/** A handover whose parts stop arriving is dropped after this long (a new one starts over). */
export const GROUP_WELCOME_TIMEOUT_MS = 10 * 60_000;

/**
 * Group changes and handovers as a member receives them (groups.md §5): every change goes through
 * this member's own chain (signature, the author's right, one successor per state), the
 * conversation is rewritten from the head, and the lines come from the states, one change at a
 * time. A refused change changes nothing.
 */
export class GroupInbox {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly groups: Groups,
  ) {}

  async receiveChange(tx: Transaction, groupId: string, change: Uint8Array): Promise<void> {
    const record = (await chainRecordOf(tx, groupId)) ?? emptyChainRecord(groupId);
    if (!record.chain) {
      // Not a member here yet: the member who adds us hands the branch over, and a change made on
      // it by another member may arrive first (another sender, another queue). Held until then.
      const held = [...record.unresolved, change].slice(-MAX_UNRESOLVED_GROUP_CHANGES);
      tx.put(TABLES.groupChains, groupId, { ...record, unresolved: held } satisfies GroupChainRecord);
      await noteArrival(tx, groupId);
      return;
    }
    await this.apply(tx, record, GroupChain.deserialise(record.chain), [change, ...record.unresolved]);
  }

  async receiveWelcome(tx: Transaction, sender: Sender, payload: Welcome): Promise<void> {
    const record = (await chainRecordOf(tx, payload.groupId)) ?? emptyChainRecord(payload.groupId);
    const held = record.incoming;
    const fresh =
      held === undefined ||
      held.digest !== payload.digest ||
      held.from !== sender.address ||
      held.parts.length !== payload.parts ||
      this.ctx.now() - held.at > GROUP_WELCOME_TIMEOUT_MS;
    const parts = fresh ? new Array<string | null>(payload.parts).fill(null) : [...held.parts];
    parts[payload.part] = payload.data;
    if (parts.some((part) => part === null)) {
      const incoming = { from: sender.address, digest: payload.digest, parts, at: fresh ? this.ctx.now() : held.at };
      tx.put(TABLES.groupChains, payload.groupId, { ...record, incoming } satisfies GroupChainRecord);
      if (!record.chain) await noteArrival(tx, payload.groupId);
      return;
    }
    const { incoming: _done, ...rest } = record;
    tx.put(TABLES.groupChains, payload.groupId, rest satisfies GroupChainRecord);
    const bytes = concatBytes(...parts.map((part) => fromB64(part as string)));
    if (toB64(sha256(bytes)) !== payload.digest) return;
    try {
      await this.handover(tx, sender, rest, bytes);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error; // a handover that does not read or verify: dropped
    }
  }

  /**
   * A member handing us their branch. Already a member: each change goes through our chain like
   * any other. Not one: we join from it (groups.md §5.4), on the word of the member who sent it.
   */
  private async handover(tx: Transaction, sender: Sender, record: GroupChainRecord, bytes: Uint8Array): Promise<void> {
    const self = this.ctx.requireSelf();
    if (record.chain) {
      const chain = GroupChain.deserialise(record.chain);
      if (groupMember(chain.head.state, self.address)) {
        await this.apply(tx, record, chain, GroupChain.deserialise(bytes).branch());
        return;
      }
    }
    const { chain } = await GroupChain.join(bytes, authorResolver(tx, this.ctx));
    const head = chain.head.state;
    if (toHex(head.groupId) !== record.groupId) return;
    const me = groupMember(head, self.address);
    const ownKey = ownUserKey(self);
    // Recorded under our own user key, by a member recorded under theirs: anything else is not our group.
    if (!me || !ownKey || !constantTimeEqual(me.userKey, ownKey)) return;
    if (sender.address !== self.address) {
      const from = groupMember(head, sender.address);
      const pinned = tx.get<ContactRecord>(TABLES.contacts, sender.address)?.userKey;
      if (!from || !pinned || !constantTimeEqual(from.userKey, pinned)) return;
    }
    saveChain(tx, { ...record, unresolved: [] }, chain);
    await arrivalSettled(tx, record.groupId);
    const current = tx.get<ConversationRecord>(TABLES.conversations, record.groupId);
    const conversation = conversationAtHead(current, record.groupId, head, self.address, this.ctx.now());
    tx.put(TABLES.conversations, conversation.id, conversation);
    const line = joinLine(chain, self.address, sender.address);
    if (line) systemLine(tx, this.ctx, conversation, line);
    this.lookUpMembers(tx, conversation.members);
    // Changes that arrived before the handover go through the chain now.
    if (record.unresolved.length > 0) {
      const joined = (await chainRecordOf(tx, record.groupId)) as GroupChainRecord;
      await this.apply(tx, joined, chain, record.unresolved);
    }
  }

  /** Applies `changes` in order; those by authors not known yet wait for the next change. */
  private async apply(
    tx: Transaction,
    record: GroupChainRecord,
    chain: GroupChain,
    changes: readonly Uint8Array[],
  ): Promise<void> {
    const self = this.ctx.requireSelf();
    const before = chain.head.state;
    const resolve = authorResolver(tx, this.ctx);
    const unresolved: Uint8Array[] = [];
    const updates: GroupChainUpdate[] = [];
    for (const change of changes) {
      try {
        updates.push(await chain.receive(change, resolve));
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        if (error.code !== 'unknown_author') continue; // refused: a hostile or broken member's, dropped
        unresolved.push(change);
        const author = decodeGroupChange(change).change.author.address;
        tx.after(() => this.contacts.refreshLater(author, (later) => this.retryUnresolved(later, record.groupId)));
      }
    }
    saveChain(tx, record, chain, { unresolved });
    if (updates.every((update) => update.steps.length === 0 && update.undone === undefined)) return;

    const current = tx.get<ConversationRecord>(TABLES.conversations, record.groupId);
    const conversation = conversationAtHead(current, record.groupId, chain.head.state, self.address, this.ctx.now());
    tx.put(TABLES.conversations, conversation.id, conversation);
    for (const update of updates)
      for (const { event, at } of linesOfUpdate(update))
        systemLine(tx, this.ctx, conversation, event, at === undefined ? undefined : Math.min(at, this.ctx.now()));
    // Gone, or back under another user key: our Sender Key rotates, theirs is dropped.
    for (const old of before.members) {
      const now = groupMember(chain.head.state, old.address);
      if (!now || !constantTimeEqual(now.userKey, old.userKey)) forgetMemberKeys(tx, conversation, old.address);
    }
    if (!conversation.active) tx.delete(TABLES.groupKeys, conversation.id);
    this.lookUpMembers(tx, conversation.members);
    if (conversation.active) await this.reissueDropped(tx, record, conversation, updates);
  }

  /** After the author of a held change was looked up: the changes held for the group are tried again. */
  private async retryUnresolved(tx: Transaction, groupId: string): Promise<void> {
    const record = await chainRecordOf(tx, groupId);
    if (!record?.chain || record.unresolved.length === 0) return;
    const resolve = authorResolver(tx, this.ctx);
    // Only when one of them is known now: otherwise each retry would ask the directory again.
    const known = record.unresolved.some((change) => {
      const { author } = decodeGroupChange(change).change;
      return resolve(author.address, author.deviceId) !== undefined;
    });
    if (!known) return;
    await this.apply(tx, record, GroupChain.deserialise(record.chain), record.unresolved);
  }

  /** Our own changes a concurrent one beat are signed again on the new head (groups.md §5.1). */
  private async reissueDropped(
    tx: Transaction,
    record: GroupChainRecord,
    conversation: ConversationRecord,
    updates: readonly GroupChainUpdate[],
  ): Promise<void> {
    const dropped = new Set(updates.flatMap((update) => update.dropped.map(toHex)));
    const ours: GroupOp[][] = record.mine
      .filter((change) => dropped.has(toHex(groupChangeHash(change))))
      .map((change) => [...decodeGroupChange(change).change.ops]);
    for (const ops of ours) {
      const latest = tx.get<ConversationRecord>(TABLES.conversations, conversation.id) ?? conversation;
      if (latest.active) await this.groups.reissue(tx, latest, ops);
    }
  }

  /** Members we know nothing of (or long ago) are looked up after this change, outside it. */
  private lookUpMembers(tx: Transaction, members: readonly string[]): void {
    const self = this.ctx.requireSelf();
    for (const member of members) {
      if (member === self.address) continue;
      const contact = tx.get<ContactRecord>(TABLES.contacts, normaliseAddress(member));
      if (!contact || this.ctx.now() - contact.lookedUpAt >= CONTACT_REFRESH_MS)
        tx.after(() => this.contacts.refreshLater(member));
    }
  }
}

/**
 * What joining shows: nothing on one of our own new devices; the creation for a group first seen
 * at its creation; otherwise who added us (the author of the last change that did).
 */
function joinLine(chain: GroupChain, self: string, sender: string): SystemEvent | undefined {
  if (sender === self) return undefined;
  const changes = chain.branch().map((bytes) => decodeGroupChange(bytes).change);
  if (chain.head.state.epoch === 1)
    return { type: 'group_created', by: (changes[0] as (typeof changes)[0]).author.address };
  const adding = changes.filter((change) => change.ops.some((op) => op.op === 'add' && op.address === self)).pop();
  return { type: 'member_added', by: adding?.author.address ?? sender, member: self };
}
