import type { MessageStatus } from './api';
import { TABLES, type ContactRecord, type ConversationRecord, type MessageRecord } from './records';
import type { Transaction, VaultLike } from './transaction';

/**
 * Where one of our messages stands once receipts and revocations are counted (messages.md §5.5):
 * `delivered` when every recipient that can still answer has answered; `failed` when nobody can
 * any more (every device it was encrypted for was revoked since) and nobody did. A recipient
 * whose every device that could have received it is revoked is not waited for: a revoked device
 * is wiped and never sends a receipt, so waiting for it would leave the message "sent" forever.
 */
export function settledStatus(
  message: MessageRecord,
  conversationMembers: readonly string[],
  selfAddress: string,
  contact: (address: string) => ContactRecord | undefined,
): MessageStatus | undefined {
  const delivered = message.deliveredTo ?? {};
  // Messages stored before `recipients` existed: every other member, as before.
  const recipients = (message.recipients ?? conversationMembers).filter((address) => address !== selfAddress);
  const awaited = recipients.filter((address) => canAnswer(contact(address), message.sentAt));
  const anyDelivered = recipients.some((address) => delivered[address]);
  if (awaited.length === 0) return anyDelivered ? 'delivered' : 'failed';
  if (awaited.every((address) => delivered[address])) return 'delivered';
  return message.status;
}

/**
 * One of this device's own messages, by the id it sent, with the users of its conversation (a
 * direct one: the peer): what a `receipt` or a `read` may confirm (messages.md §5.2, §5.8). The
 * `sent` index holds nothing else; messages of our other devices are never found here.
 */
export async function ownSentMessage(
  tx: Transaction,
  selfDeviceId: string,
  id: string,
): Promise<{ message: MessageRecord; members: readonly string[] } | undefined> {
  const sent = await tx.getStored<{ conversationId: string }>(TABLES.sent, id);
  if (!sent) return undefined;
  const message = await tx.message(sent.conversationId, id);
  if (!message || !message.mine || message.sender?.deviceId !== selfDeviceId) return undefined;
  const conversation = tx.get<ConversationRecord>(TABLES.conversations, sent.conversationId);
  const members = conversation?.kind === 'direct' ? [conversation.peer as string] : (conversation?.members ?? []);
  return { message, members };
}

/**
 * A device of theirs that existed when the message was sent, is not revoked and is not proven
 * absent from the transparency log (nothing is sent to it then). Unknown contact: assume so.
 */
function canAnswer(contact: ContactRecord | undefined, sentAt: number): boolean {
  if (contact === undefined) return true;
  return Object.values(contact.devices).some(
    (device) => device.trust !== 'revoked' && !device.notLogged && device.addedAt <= sentAt,
  );
}

/**
 * After a device of `address` was revoked or proven absent from the log (in `tx`): our messages in its conversations that were
 * still queued or sent are settled again, in the same change.
 */
export async function settleMessagesTo(
  tx: Transaction,
  vault: VaultLike,
  selfAddress: string,
  address: string,
): Promise<void> {
  const contact = (a: string) => tx.get<ContactRecord>(TABLES.contacts, a);
  for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
    if (conversation.peer !== address && !conversation.members.includes(address)) continue;
    const members = conversation.kind === 'direct' ? [conversation.peer as string] : conversation.members;
    for (const stored of await vault.list<MessageRecord>(TABLES.messages, conversation.id)) {
      if (!stored.mine || (stored.status !== 'sent' && stored.status !== 'queued')) continue;
      const message = (await tx.message(conversation.id, stored.id)) ?? stored;
      const status = settledStatus(message, members, selfAddress, contact);
      if (status === undefined || status === message.status) continue;
      tx.putMessage({ ...message, status });
      tx.touchMessages(conversation.id);
    }
  }
}
