import { rotateSenderKeyOf } from './sender-key-rotation';
import { TABLES, type ConversationRecord, type PeerRecord } from './records';
import type { Transaction } from './transaction';

/**
 * A member is gone from a group (removed, left, or one of their devices revoked): our Sender Key
 * rotates before the next send, so nothing we compose after this change opens with a key they
 * hold (messages.md §5.3), and the keys they gave us for the group are dropped.
 */
export function forgetMemberKeys(tx: Transaction, conversation: ConversationRecord, member: string): void {
  rotateSenderKeyOf(tx, conversation.id);
  for (const peer of tx.all<PeerRecord>(TABLES.peers)) {
    if (peer.address !== member) continue;
    tx.put(TABLES.peers, peer.deviceId, {
      ...peer,
      groupKeys: peer.groupKeys.filter((k) => k.groupId !== conversation.id),
    });
  }
}
