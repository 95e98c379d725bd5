/**
 * The message a reply answers, above the reply's text: its author and its start, as this device
 * holds it now (edited: the new words; deleted for everyone, or never here: said so). When the
 * original is on this device, the quote is a button that brings it into view.
 */
import type { ConversationView, ReplyView } from '../../messenger/api';
import { useI18n } from '../i18n-context';
import { replySnippet } from './message-rules';

/** The quoted author's name: "You" for this user, else their name in this conversation, else the address. */
export function quotedAuthor(
  reply: ReplyView,
  conversation: ConversationView,
  selfAddress: string | undefined,
  you: string,
): string {
  const member = conversation.members.find((candidate) => candidate.address === reply.address);
  if (reply.address === selfAddress || member?.isSelf) return you;
  return member?.displayName || reply.address;
}

export function MessageReplyQuote({
  reply,
  conversation,
  selfAddress,
  onOpen,
}: {
  reply: ReplyView;
  conversation: ConversationView;
  selfAddress: string | undefined;
  /** Brings the original into view (given only when it is on this device). */
  onOpen: ((messageId: string) => void) | undefined;
}) {
  const { t } = useI18n();
  const author = quotedAuthor(reply, conversation, selfAddress, t('quote.you'));
  const state = reply.deleted ? 'deleted' : reply.missing ? 'missing' : 'shown';
  const body =
    state === 'deleted'
      ? t('quote.deleted')
      : state === 'missing'
        ? t('quote.missing')
        : !reply.text && reply.attachmentName
          ? t('quote.file', { name: replySnippet(reply) })
          : replySnippet(reply);
  const content = (
    <>
      <span className="visually-hidden">{t('quote.in-reply-to')} </span>
      <span className="quote-author">{author}</span>
      <span className="visually-hidden">: </span>
      <span className="quote-text">{body}</span>
    </>
  );
  const messageId = reply.messageId;
  if (state !== 'shown' || messageId === undefined || !onOpen) {
    return (
      <p className="message-quote" data-testid="message-quote" data-quote-state={state}>
        {content}
      </p>
    );
  }
  return (
    <button
      type="button"
      className="message-quote"
      data-testid="message-quote"
      data-quote-state={state}
      data-quote-id={messageId}
      title={t('quote.show')}
      onClick={() => onOpen(messageId)}
    >
      {content}
    </button>
  );
}
