import { useEffect, useLayoutEffect, useRef } from 'react';
import type { ConversationView, MessageStatus, MessageView } from '../../messenger/api';
import { Icon, type IconName } from '../components/icon';
import { useI18n } from '../i18n-context';
import { AttachmentCard } from './attachment-card';
import { useAttachmentProgressStore } from './attachment-progress';
import type { RevealHighlight } from './search-reveal';
import { describeSystemEvent } from './system-line';

const STATUS_ICONS: { readonly [status in MessageStatus]: IconName } = {
  queued: 'clock',
  sent: 'check',
  delivered: 'checks',
  failed: 'alert',
};

/** A member's display name in this conversation, else the address. */
const memberName = (conversation: ConversationView, address: string) =>
  conversation.members.find((m) => m.address === address)?.displayName || address;

/** The author of someone else's message; in a 1:1 without a sender on record, the other person. */
const senderName = (message: MessageView, conversation: ConversationView) =>
  message.sender?.displayName || message.sender?.address || (conversation.kind === 'direct' ? conversation.title : '');

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

/** Pixels from the bottom within which new messages keep the list scrolled to the end. */
const STICKY_BOTTOM = 80;

/** Pixels from the top within which older messages are read (the page before). */
const LOAD_OLDER_WITHIN = 240;

export function MessageList({
  conversation,
  messages,
  selfAddress,
  onReachTop,
  highlight,
}: {
  conversation: ConversationView;
  messages: readonly MessageView[] | undefined;
  /** This user's address: a line about them says "you" even once they are no longer a member. */
  selfAddress?: string;
  /** Scrolled near the top while older messages exist: read the page before. */
  onReachTop?: () => void;
  /** A message opened from search (search-reveal.ts): scrolled into view and marked for a moment. */
  highlight?: RevealHighlight | undefined;
}) {
  const i18n = useI18n();
  const { t, formatTime, formatDay, formatDateTime, formatRelative } = i18n;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const progress = useAttachmentProgressStore(conversation.id);

  useLayoutEffect(() => {
    const element = scroller.current;
    const last = messages?.[messages.length - 1];
    if (element && (atBottom.current || last?.mine)) element.scrollTop = element.scrollHeight;
  }, [messages]);

  useEffect(() => {
    if (!highlight) return;
    const selector = `[data-message-id="${CSS.escape(highlight.messageId)}"]`;
    scroller.current?.querySelector<HTMLElement>(selector)?.scrollIntoView({ block: 'center' });
  }, [highlight]);

  if (!messages) {
    return (
      <div className="message-scroller">
        <p className="pane-hint" role="status">
          {t('conversation.loading')}
        </p>
      </div>
    );
  }

  const now = Date.now();
  const visible = messages.filter((message) => message.expiresAt === undefined || message.expiresAt > now);
  let previousDay = '';
  let previousSender: string | undefined;

  return (
    // The scroller is the log (live, named, reachable by keyboard to scroll); the <ol> inside keeps its list meaning.
    <div
      className="message-scroller"
      ref={scroller}
      role="log"
      aria-label={t('conversation.messages')}
      tabIndex={0}
      data-testid="message-log"
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICKY_BOTTOM;
        if (element.scrollTop < LOAD_OLDER_WITHIN) onReachTop?.();
      }}
    >
      {visible.length === 0 && <p className="pane-hint">{t('conversation.empty')}</p>}
      <ol className="message-list" data-testid="message-list">
        {visible.flatMap((message) => {
          const items = [];
          const day = new Date(message.sentAt).toDateString();
          if (day !== previousDay) {
            previousDay = day;
            previousSender = undefined;
            items.push(
              <li key={`day-${day}`} className="day-separator" aria-hidden="true">
                <span>{formatDay(message.sentAt)}</span>
              </li>,
            );
          }
          if (message.system) {
            previousSender = undefined;
            items.push(
              <li
                key={message.id}
                className="system-line"
                data-testid="system-line"
                data-system-type={message.system.type}
              >
                <span>{describeSystemEvent(message.system, conversation, i18n, selfAddress)}</span>
              </li>,
            );
            return items;
          }
          const senderKey = message.mine ? 'me' : message.sender?.address;
          const showSender =
            conversation.kind === 'group' &&
            !message.mine &&
            message.sender !== undefined &&
            senderKey !== previousSender;
          previousSender = senderKey;
          items.push(
            <li
              key={message.id}
              className={`message ${message.mine ? 'mine' : 'theirs'}${message.id === highlight?.messageId ? ' search-hit' : ''}`}
              data-testid="message"
              data-message-id={message.id}
              data-mine={String(message.mine)}
              data-status={message.status}
              data-search-hit={message.id === highlight?.messageId ? 'true' : undefined}
              data-unapproved-device={message.unapprovedDevice ? 'true' : undefined}
            >
              {showSender ? (
                <span className="message-sender">{senderName(message, conversation)}</span>
              ) : (
                // Who wrote it, for screen readers: the bubble's side and colour say it only to the eye.
                <span className="visually-hidden">
                  {message.mine
                    ? t('message.from-you')
                    : t('message.from', { name: senderName(message, conversation) })}
                </span>
              )}
              <div className="bubble">
                {message.unapprovedDevice && (
                  <UnapprovedDeviceWarning name={message.mine ? undefined : senderName(message, conversation)} />
                )}
                {message.attachment && (
                  <AttachmentCard message={message} attachment={message.attachment} progress={progress} />
                )}
                {/* A file sent without a caption has no text: no empty paragraph under its card. */}
                {(message.text || !message.attachment) && <p className="message-text">{message.text}</p>}
                {message.sharedBy !== undefined && (
                  <span className="message-shared" data-testid="message-shared-by">
                    {t('message.shared-by', { name: memberName(conversation, message.sharedBy) })}
                  </span>
                )}
                <span className="message-meta">
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
                  {message.mine && message.status && (
                    <span
                      className={`message-status status-${message.status}`}
                      title={t(`message.status.${message.status}`)}
                    >
                      <Icon name={STATUS_ICONS[message.status]} />
                      <span className="visually-hidden">{t(`message.status.${message.status}`)}</span>
                    </span>
                  )}
                </span>
              </div>
            </li>,
          );
          return items;
        })}
      </ol>
    </div>
  );
}
