import { MAX_HISTORY_BUNDLE_CHARACTERS, signHistoryBundle, verifyHistoryBundle } from '@opendescent/protocol';
import { MAX_SHARED_HISTORY } from './api';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { conversationFor, conversationRef, requireConversation, systemLine } from './conversations';
import type { Delivery } from './delivery';
import { fromB64, toB64 } from './encoding';
import { MessengerError } from './errors';
import { heldFromAddress, sharedKey, wireIdOf } from './message-identity';
import { historyBundleSchema, type HistoryBundle } from './payload';
import type { Peers } from './peers';
import { TABLES, type ContactDeviceRecord, type ContactRecord } from './records';
import type { Transaction } from './transaction';
import { listMessageRecords } from './views';

/**
 * History sharing (messages.md §5.7): a member hands a bounded, signed bundle of the messages it
 * holds to another member's devices, and the group is told; received bundles are checked and
 * their messages added under the sharer's name, each keeping the identity of its original sender.
 */
export class History {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    private readonly delivery: Delivery,
  ) {}

  async share(tx: Transaction, conversationId: string, address: string, count: number): Promise<number> {
    const self = this.ctx.requireSelf();
    const conversation = requireConversation(tx, conversationId);
    if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this conversation');
    // A member (or, for a direct conversation, the contact), or this user for its other devices.
    const member = address.trim().toLowerCase();
    const members = conversation.kind === 'group' ? conversation.members : [self.address, conversation.peer as string];
    if (!members.includes(member)) throw new MessengerError('not_found', `${member} is not in this conversation`);
    const ref = conversationRef(conversation);
    const bundle = await this.bundle(tx, conversationId, member, count);
    const signature = toB64(await signHistoryBundle(bundle.text, this.ctx.requireIdentity().signing.privateKey));
    await this.contacts.lookUp(tx, member);
    for (const { address: owner, device } of this.contacts.recipientDevices(tx, [member])) {
      // A device that cannot be reached now does not get the bundle; the others do.
      if (owner === member)
        await this.peers.sendEnsured(tx, owner, device, { t: 'history', bundle: bundle.text, signature });
    }
    const at = this.ctx.now();
    systemLine(tx, this.ctx, conversation, {
      type: 'history_shared',
      by: self.address,
      count: bundle.count,
      with: member,
    });
    await this.delivery.deliver(tx, conversation, {
      t: 'history_shared',
      conversation: ref,
      with: member,
      count: bundle.count,
      at,
    });
    return bundle.count;
  }

  /** Bounded by count and by size: the oldest go first until the bundle fits one payload. */
  private async bundle(
    tx: Transaction,
    conversationId: string,
    member: string,
    count: number,
  ): Promise<{ text: string; count: number }> {
    const self = this.ctx.requireSelf();
    const conversation = requireConversation(tx, conversationId);
    const wanted = Math.max(1, Math.min(MAX_SHARED_HISTORY, Math.floor(count)));
    const contacts = new Map(tx.all<ContactRecord>(TABLES.contacts).map((c) => [c.address, c]));
    let messages = (await listMessageRecords(this.ctx.vault, conversationId, this.ctx.now()))
      .filter((m) => m.text !== undefined && m.sender && m.sharedBy === undefined)
      .slice(-wanted)
      .map((m) => ({
        // As its sender sent it: with `from`, the receiver's key for it (message-identity.ts).
        id: wireIdOf(m),
        from: m.sender?.address as string,
        name: (m.mine
          ? self.displayName
          : (contacts.get(m.sender?.address as string)?.displayName ?? m.sender?.displayName ?? '')
        ).slice(0, 120),
        sentAt: m.sentAt,
        body: m.text as string,
      }));
    if (messages.length === 0) throw new MessengerError('not_found', 'there is nothing to share yet');
    const ref = conversationRef(conversation);
    for (;;) {
      const text = JSON.stringify({
        v: 1,
        conversation: ref,
        sharedWith: member,
        sharedAt: this.ctx.now(),
        messages,
      } satisfies HistoryBundle);
      if (text.length <= MAX_HISTORY_BUNDLE_CHARACTERS) return { text, count: messages.length };
      messages = messages.slice(1);
      if (messages.length === 0) throw new MessengerError('message_too_long', 'the messages are too long to share');
    }
  }

  /** A bundle for us: checked, then its messages added under the sharer's name (messages.md §5.7). */
  async receive(
    tx: Transaction,
    device: ContactDeviceRecord,
    sender: { address: string },
    bundleText: string,
    signature: string,
  ): Promise<void> {
    const self = this.ctx.requireSelf();
    await verifyHistoryBundle(bundleText, fromB64(signature), device.signingKey);
    const bundle = historyBundleSchema.parse(JSON.parse(bundleText));
    if (bundle.sharedWith !== self.address) return;
    const conversation = conversationFor(tx, this.ctx, bundle.conversation, sender);
    if (!conversation || !conversation.members.includes(self.address)) return;
    let added = 0;
    for (const entry of bundle.messages) {
      // The message of `from` with this id (messages.md §5.7): one of another sender is another message.
      if (await heldFromAddress(tx, conversation.id, entry.from, entry.id)) continue;
      tx.putMessage({
        v: 1,
        id: sharedKey(entry.from, entry.id),
        wireId: entry.id,
        conversationId: conversation.id,
        sender: { address: entry.from, displayName: entry.name, deviceId: '' },
        mine: entry.from === self.address,
        text: entry.body,
        sentAt: Math.min(entry.sentAt, bundle.sharedAt),
        receivedAt: this.ctx.now(),
        sharedBy: sender.address,
      });
      added += 1;
    }
    if (added > 0)
      systemLine(
        tx,
        this.ctx,
        conversation,
        { type: 'history_shared', by: sender.address, count: added, with: self.address },
        bundle.sharedAt,
      );
  }
}
