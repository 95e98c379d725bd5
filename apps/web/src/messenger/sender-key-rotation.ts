import { TABLES, type ConversationRecord, type GroupKeyRecord } from './records';
import type { Transaction } from './transaction';

/**
 * When our Sender Keys rotate (messages.md §5.3): a device that holds our current chain and fan-out
 * key and is no longer written to (a member gone, a device revoked, a device its person's user key
 * no longer approves) would read every later group message from them. So the record is marked in
 * the same change as the event: the next send rotates (delivery.ts) and distributes the new keys
 * only to the devices sent to then.
 */

/** Our Sender Key of one group rotates before its next send. */
export function rotateSenderKeyOf(tx: Transaction, groupId: string): void {
  const key = tx.get<GroupKeyRecord>(TABLES.groupKeys, groupId);
  if (key) tx.put(TABLES.groupKeys, groupId, { ...key, rotate: true, distributedTo: [] } satisfies GroupKeyRecord);
}

/** Ours in every group this person is in (for our own address: every group). */
export function rotateSenderKeysWith(tx: Transaction, address: string): void {
  for (const conversation of tx.all<ConversationRecord>(TABLES.conversations))
    if (conversation.kind === 'group' && conversation.members.includes(address)) rotateSenderKeyOf(tx, conversation.id);
}
