/**
 * What may be done to one message from its actions menu (messages.md §5.8), and the short text
 * that stands for a message in a reply. The worker enforces the same rules (api-commands.ts):
 * these only keep the menu from offering what it would refuse.
 */
import {
  DELETE_WINDOW_MS,
  EDIT_WINDOW_MS,
  type ConversationView,
  type MessageView,
  type ReplyView,
} from '../../messenger/api';

export interface MessageActionSet {
  readonly reply: boolean;
  readonly react: boolean;
  readonly edit: boolean;
  readonly delete: boolean;
}

/** A line that is a message someone wrote, still there: not a system line, not deleted for everyone. */
export function isLiveMessage(message: MessageView): boolean {
  return message.system === undefined && message.deletedAt === undefined;
}

/** One of ours that the worker may still edit at `now`: within the window, with words to edit, sent or on its way. */
export function mayEdit(message: MessageView, now: number): boolean {
  return (
    message.mine &&
    isLiveMessage(message) &&
    message.text !== undefined &&
    message.status !== 'failed' &&
    now - message.sentAt < EDIT_WINDOW_MS
  );
}

export function mayDeleteForEveryone(message: MessageView, now: number): boolean {
  return message.mine && isLiveMessage(message) && now - message.sentAt < DELETE_WINDOW_MS;
}

/**
 * The actions of a message at `now`; undefined when it has none (a system line, a deleted
 * message, a conversation this user left). Replying needs the right to post.
 */
export function messageActionsFor(
  message: MessageView,
  conversation: ConversationView,
  now: number,
): MessageActionSet | undefined {
  if (!isLiveMessage(message) || !conversation.active) return undefined;
  const mayPost = conversation.group?.mayPost !== false;
  return {
    reply: mayPost,
    react: true,
    edit: mayPost && mayEdit(message, now),
    delete: mayDeleteForEveryone(message, now),
  };
}

/** Our newest message that may still be edited (Arrow-Up in an empty composer edits it). */
export function lastEditableMessage(messages: readonly MessageView[], now: number): MessageView | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message && mayEdit(message, now)) return message;
  }
  return undefined;
}

/** Longest snippet shown for a quoted message. */
export const SNIPPET_LENGTH = 100;

/** `text` on one line, cut at SNIPPET_LENGTH characters (never inside a surrogate pair) with an ellipsis. */
export function snippet(text: string, length: number = SNIPPET_LENGTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const characters = [...line];
  return characters.length <= length ? line : `${characters.slice(0, length - 1).join('')}…`;
}

/** What stands for a message in a quote: its words, else its file's name. */
export function messageSnippet(message: Pick<MessageView, 'text' | 'attachment'>): string {
  return snippet(message.text || message.attachment?.name || '');
}

/** The same for a quote the worker gave (ReplyView): empty when deleted or missing. */
export function replySnippet(reply: ReplyView): string {
  if (reply.deleted || reply.missing) return '';
  return snippet(reply.text || reply.attachmentName || '');
}
