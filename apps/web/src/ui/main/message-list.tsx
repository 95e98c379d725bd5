import { useLayoutEffect, useRef } from 'react';
import type { ConversationView, MessageStatus, MessageView } from '../../messenger/api';
import { Icon, type IconName } from '../components/icon';
import { useI18n } from '../i18n-context';
import { describeSystemEvent } from './system-line';

const STATUS_ICONS: { readonly [status in MessageStatus]: IconName } = {
  queued: 'clock',
  sent: 'check',
  delivered: 'checks',
  failed: 'alert',
};

/** A member's display name in this conversation, else the address. */
const memberName = (conversation: ConversationView, address: string) => conversation.members.find((m) => m.address === address)?.displayName || address;

const senderName = (message: MessageView) => message.sender?.displayName || message.sender?.address || '';

/** Pixels from the bottom within which new messages keep the list scrolled to the end. */
const STICKY_BOTTOM = 80;

export function MessageList({ conversation, messages }: { conversation: ConversationView; messages: readonly MessageView[] | undefined }) {
  const i18n = useI18n();
  const { t, formatTime, formatDay, formatDateTime, formatRelative } = i18n;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const element = scroller.current;
    const last = messages?.[messages.length - 1];
    if (element && (atBottom.current || last?.mine)) element.scrollTop = element.scrollHeight;
  }, [messages]);

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
    <div
      className="message-scroller"
      ref={scroller}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICKY_BOTTOM;
      }}
    >
      {visible.length === 0 && <p className="pane-hint">{t('conversation.empty')}</p>}
      <ol className="message-list" data-testid="message-list" role="log" aria-live="polite" aria-label={t('conversation.messages')}>
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
              <li key={message.id} className="system-line" data-testid="system-line" data-system-type={message.system.type}>
                <span>{describeSystemEvent(message.system, conversation, i18n)}</span>
              </li>,
            );
            return items;
          }
          const senderKey = message.mine ? 'me' : message.sender?.address;
          const showSender = conversation.kind === 'group' && !message.mine && senderKey !== previousSender;
          previousSender = senderKey;
          items.push(
            <li
              key={message.id}
              className={`message ${message.mine ? 'mine' : 'theirs'}`}
              data-testid="message"
              data-message-id={message.id}
              data-mine={String(message.mine)}
              data-status={message.status}
            >
              {conversation.kind === 'group' && !message.mine && message.sender && (
                <span className={showSender ? 'message-sender' : 'visually-hidden'}>
                  {showSender ? senderName(message) : t('message.from', { name: senderName(message) })}
                </span>
              )}
              <div className="bubble">
                <p className="message-text">{message.text}</p>
                {message.sharedBy !== undefined && (
                  <span className="message-shared" data-testid="message-shared-by">
                    {t('message.shared-by', { name: memberName(conversation, message.sharedBy) })}
                  </span>
                )}
                <span className="message-meta">
                  {message.expiresAt !== undefined && (
                    <span className="message-timer" title={t('message.disappears', { when: formatRelative(message.expiresAt) })}>
                      <Icon name="timer" />
                      <span className="visually-hidden">{t('message.disappears', { when: formatRelative(message.expiresAt) })}</span>
                    </span>
                  )}
                  <time dateTime={new Date(message.sentAt).toISOString()} title={formatDateTime(message.sentAt)}>
                    {formatTime(message.sentAt)}
                  </time>
                  {message.mine && message.status && (
                    <span className={`message-status status-${message.status}`} title={t(`message.status.${message.status}`)}>
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
