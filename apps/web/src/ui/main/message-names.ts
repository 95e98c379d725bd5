/** Who a message or a member is, in words, within one conversation. */
import type { ConversationView, MessageView } from '../../messenger/api';

/** A member's display name in this conversation, else the address. */
export const memberName = (conversation: ConversationView, address: string) =>
  conversation.members.find((m) => m.address === address)?.displayName || address;

/** The author of someone else's message; in a 1:1 without a sender on record, the other person. */
export const senderName = (message: MessageView, conversation: ConversationView) =>
  message.sender?.displayName || message.sender?.address || (conversation.kind === 'direct' ? conversation.title : '');
