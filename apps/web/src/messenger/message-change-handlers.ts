import { conversationFor, findDirect } from './conversations';
import { ownSentMessage, settledStatus } from './delivery-status';
import { toHex } from './encoding';
import { applyMessageChange, holdEarlyChange } from './message-changes';
import type { ConversationRef } from './payload';
import type { HandlerDeps, Received, Sender } from './payload-handlers';
import { TABLES, type ContactRecord, type ConversationRecord, type MessageChangePayload } from './records';
import type { Transaction } from './transaction';
import type { MessengerContext } from './context';

/**
 * The receiving side of messages.md §5.8: reactions, edits, deletions for everyone, read receipts
 * and typing indicators. Each is taken only from a member of the conversation it names who may
 * post there (an announcement-only group takes them from its administrators, as texts); an
 * unapproved device's are dropped before they get here (payload-handlers.ts).
 */

/** The conversation a change names, if the sender may change anything there. */
function postingConversation(
  tx: Transaction,
  ctx: MessengerContext,
  ref: ConversationRef,
  sender: Sender,
): ConversationRecord | undefined {
  // Never a new direct conversation for a reaction or an indicator: only a text starts one.
  const self = ctx.requireSelf();
  const peer = ref.kind === 'direct' ? (sender.address === self.address ? ref.with : sender.address) : undefined;
  const conversation =
    ref.kind === 'group' || (peer !== undefined && findDirect(tx, peer))
      ? conversationFor(tx, ctx, ref, sender)
      : undefined;
  if (!conversation) return undefined;
  if (conversation.group?.announcementOnly && !conversation.group.admins.includes(sender.address)) return undefined;
  return conversation;
}

async function change(
  { ctx }: HandlerDeps,
  tx: Transaction,
  sender: Sender,
  ref: ConversationRef,
  payload: MessageChangePayload,
): Promise<void> {
  const conversation = postingConversation(tx, ctx, ref, sender);
  if (!conversation) return;
  // A change for a message not held yet (it may come later, on another queue) waits for it.
  if (!(await applyMessageChange(tx, ctx, conversation, sender, payload)))
    await holdEarlyChange(tx, ctx, conversation.id, sender, payload);
}

export const MESSAGE_CHANGE_HANDLERS = {
  reaction: (deps: HandlerDeps, { tx, sender, payload }: Received<'reaction'>) =>
    change(deps, tx, sender, payload.conversation, {
      t: 'reaction',
      target: payload.target,
      emoji: payload.emoji,
      at: payload.at,
    }),
  edit: (deps: HandlerDeps, { tx, sender, payload }: Received<'edit'>) =>
    change(deps, tx, sender, payload.conversation, {
      t: 'edit',
      target: payload.target,
      body: payload.body,
      mentions: payload.mentions,
      at: payload.at,
    }),
  delete: (deps: HandlerDeps, { tx, sender, payload }: Received<'delete'>) =>
    change(deps, tx, sender, payload.conversation, { t: 'delete', target: payload.target, at: payload.at }),

  /**
   * Like `receipt`, for our own messages only and only from a user they were sent to; kept
   * whatever our setting (the view shows them only while read receipts are on: they are reciprocal).
   */
  read: async ({ ctx }: HandlerDeps, { tx, sender, payload }: Received<'read'>) => {
    const self = ctx.requireSelf();
    const selfDevice = toHex(self.deviceId);
    for (const id of payload.ids) {
      const own = await ownSentMessage(tx, selfDevice, id);
      if (!own || own.message.deletedAt !== undefined) continue;
      const { message, members } = own;
      const recipients = (message.recipients ?? members).filter((a) => a !== self.address);
      if (!recipients.includes(sender.address) || message.readAt?.[sender.address] !== undefined) continue;
      const readAt = { ...message.readAt, [sender.address]: ctx.now() };
      const deliveredTo = { ...message.deliveredTo, [sender.address]: true };
      const contact = (a: string) => tx.get<ContactRecord>(TABLES.contacts, a);
      const settled = settledStatus({ ...message, deliveredTo }, members, self.address, contact);
      const everyoneRead = settled === 'delivered' && recipients.every((a) => readAt[a] !== undefined);
      const status = everyoneRead ? 'read' : settled === 'queued' || settled === undefined ? 'sent' : settled;
      tx.putMessage({ ...message, deliveredTo, readAt, status });
      tx.touchMessages(message.conversationId);
    }
  },

  /** Shown only while our typing indicators are on (reciprocal); never stored. */
  typing: ({ ctx }: HandlerDeps, { tx, sender, payload }: Received<'typing'>) => {
    if (!ctx.preferences().typingIndicators || sender.address === ctx.requireSelf().address) return;
    const conversation = postingConversation(tx, ctx, payload.conversation, sender);
    if (!conversation) return;
    tx.after(() => ctx.typingNow.note(conversation.id, sender.address, payload.typing, payload.at));
  },
};
