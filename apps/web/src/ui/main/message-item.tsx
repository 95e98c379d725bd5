/**
 * One message in the list: who wrote it, the message it answers, its words (mentions marked) or
 * file, its reactions, its time and status; and its actions (reply, react, edit, delete for
 * everyone) behind one button. A message deleted for everyone keeps only its place and time.
 */
import { useRef, useState } from 'react';
import type { ConversationView, MessageView, ReactionView } from '../../messenger/api';
import { Icon } from '../components/icon';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { AttachmentCard } from './attachment-card';
import type { AttachmentProgressStore } from './attachment-progress';
import { DeleteMessageDialog } from './delete-message-dialog';
import { EditHistoryDialog } from './edit-history-dialog';
import { MessageActionsMenu, type MessageAction } from './message-actions-menu';
import { MessageReactions } from './message-reactions';
import { memberName, senderName } from './message-names';
import { MessageReplyQuote } from './message-reply-quote';
import { messageActionsFor } from './message-rules';
import { MessageStatusMark } from './message-status';
import { MessageText } from './message-text';
import { ReactionPicker } from './reaction-picker';

/** What the pane does for a message: the composer answers or edits it; a quote brings its original into view. */
export interface MessageHandlers {
  readonly reply: (message: MessageView) => void;
  readonly edit: (message: MessageView) => void;
  readonly openQuote: (messageId: string) => void;
}

/**
 * Above the text of a message sent by a device its sender's user key did not approve
 * (user-keys.md §2.5): whoever wrote it may not be the person named. `name` absent: one of this
 * user's own devices. Read first by screen readers too, with "Warning:" said before it.
 */
function UnapprovedDeviceWarning({ name }: { name: string | undefined }) {
  const { t } = useI18n();
  return (
    <p className="message-unapproved" data-testid="message-unapproved-device">
      <Icon name="alert" />
      <span>
        <span className="visually-hidden">{t('message.warning')} </span>
        {name === undefined ? t('message.unapproved-device-you') : t('message.unapproved-device', { name })}
      </span>
    </p>
  );
}

function messageClass(message: MessageView, highlighted: boolean): string {
  return [
    'message',
    message.mine ? 'mine' : 'theirs',
    highlighted ? 'search-hit' : '',
    message.mentionsMe ? 'mentions-me' : '',
    message.deletedAt !== undefined ? 'deleted' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function MessageItem({
  message,
  conversation,
  selfAddress,
  showSender,
  highlighted,
  progress,
  handlers,
  now,
}: {
  message: MessageView;
  conversation: ConversationView;
  selfAddress: string | undefined;
  /** The first of a run by the same person in a group: their name shows above it. */
  showSender: boolean;
  highlighted: boolean;
  progress: AttachmentProgressStore;
  /** Absent: no actions (a list shown for reading only). */
  handlers: MessageHandlers | undefined;
  /** The time the edit and delete windows are judged at. */
  now: number;
}) {
  const { t, formatTime, formatDateTime, formatRelative } = useI18n();
  const { api } = useMessenger();
  const [picker, setPicker] = useState(false);
  const [dialog, setDialog] = useState<'delete' | 'history' | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const trigger = useRef<HTMLButtonElement>(null);
  const item = useRef<HTMLLIElement>(null);
  const deleted = message.deletedAt !== undefined;
  const actions = handlers ? messageActionsFor(message, conversation, now) : undefined;
  const name = senderName(message, conversation);
  const mine = message.reactions?.find((reaction) => reaction.mine)?.emoji;

  const react = (emoji: string | null) => {
    setError(undefined);
    api.react(conversation.id, message.id, emoji).catch((caught: unknown) => setError(uiErrorFrom(caught)));
  };
  const toggle = (reaction: ReactionView) => react(reaction.mine ? null : reaction.emoji);
  const closePicker = (returnFocus: boolean) => {
    setPicker(false);
    if (returnFocus) trigger.current?.focus();
  };
  const onAction = (action: MessageAction) => {
    if (action === 'reply') handlers?.reply(message);
    else if (action === 'edit') handlers?.edit(message);
    else if (action === 'react') setPicker(true);
    else setDialog('delete');
  };

  return (
    <li
      className={messageClass(message, highlighted)}
      data-testid="message"
      data-message-id={message.id}
      data-mine={String(message.mine)}
      data-status={message.status}
      data-search-hit={highlighted ? 'true' : undefined}
      data-unapproved-device={message.unapprovedDevice ? 'true' : undefined}
      data-deleted={deleted ? 'true' : undefined}
      data-mentions-me={message.mentionsMe ? 'true' : undefined}
      tabIndex={-1}
      ref={item}
    >
      {showSender ? (
        <span className="message-sender">{name}</span>
      ) : (
        // Who wrote it, for screen readers: the bubble's side and colour say it only to the eye.
        <span className="visually-hidden">{message.mine ? t('message.from-you') : t('message.from', { name })}</span>
      )}
      <div className="message-row">
        <div className="bubble">
          {message.mentionsMe && <span className="visually-hidden">{t('message.mentions-you')} </span>}
          {deleted ? (
            <p className="message-deleted" data-testid="message-deleted">
              {t('message.deleted')}
            </p>
          ) : (
            <>
              {message.unapprovedDevice && <UnapprovedDeviceWarning name={message.mine ? undefined : name} />}
              {message.replyTo && (
                <MessageReplyQuote
                  reply={message.replyTo}
                  conversation={conversation}
                  selfAddress={selfAddress}
                  onOpen={handlers?.openQuote}
                />
              )}
              {message.attachment && (
                <AttachmentCard message={message} attachment={message.attachment} progress={progress} />
              )}
              {/* A file sent without a caption has no text: no empty paragraph under its card. */}
              {(message.text || !message.attachment) && <MessageText message={message} conversation={conversation} />}
              {message.sharedBy !== undefined && (
                <span className="message-shared" data-testid="message-shared-by">
                  {t('message.shared-by', { name: memberName(conversation, message.sharedBy) })}
                </span>
              )}
            </>
          )}
          <span className="message-meta">
            {message.editedAt !== undefined && !deleted && (
              <button
                type="button"
                className="message-edited"
                data-testid="message-edited"
                aria-label={t('message.edited-title', { when: formatRelative(message.editedAt) })}
                title={t('message.edited-title', { when: formatRelative(message.editedAt) })}
                onClick={() => setDialog('history')}
              >
                {t('message.edited')}
              </button>
            )}
            {message.expiresAt !== undefined && (
              <span
                className="message-timer"
                title={t('message.disappears', { when: formatRelative(message.expiresAt) })}
              >
                <Icon name="timer" />
                <span className="visually-hidden">
                  {t('message.disappears', { when: formatRelative(message.expiresAt) })}
                </span>
              </span>
            )}
            <time dateTime={new Date(message.sentAt).toISOString()} title={formatDateTime(message.sentAt)}>
              {formatTime(message.sentAt)}
            </time>
            {message.mine && <MessageStatusMark message={message} conversation={conversation} />}
          </span>
        </div>
        {actions && (
          <MessageActionsMenu
            actions={actions}
            label={message.mine ? t('message.actions-own') : t('message.actions-named', { name })}
            triggerRef={trigger}
            onAction={onAction}
          />
        )}
      </div>
      {!deleted && message.reactions && (
        <MessageReactions
          reactions={message.reactions}
          conversation={conversation}
          selfAddress={selfAddress}
          onToggle={actions?.react ? toggle : undefined}
        />
      )}
      {picker && (
        <ReactionPicker
          mine={mine}
          onPick={(emoji) => {
            closePicker(true);
            react(emoji);
          }}
          onClose={closePicker}
        />
      )}
      <ErrorMessage error={error} />
      {dialog === 'delete' && (
        <DeleteMessageDialog
          conversationId={conversation.id}
          messageId={message.id}
          onClose={() => setDialog(undefined)}
          onDeleted={() => {
            setDialog(undefined);
            // Its menu button is gone with its actions: the focus stays on the message.
            requestAnimationFrame(() => item.current?.focus());
          }}
        />
      )}
      {dialog === 'history' && <EditHistoryDialog message={message} onClose={() => setDialog(undefined)} />}
    </li>
  );
}
