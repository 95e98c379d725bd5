import { useEffect, useId, useLayoutEffect, useRef, type RefObject } from 'react';
import type { ConversationView, MessageView } from '../../messenger/api';
import { useI18n } from '../i18n-context';
import { useAttachmentProgressStore } from './attachment-progress';
import { MessageItem, type MessageHandlers } from './message-item';
import type { RevealHighlight } from './search-reveal';
import { describeSystemEvent } from './system-line';
import { UnreadDivider, UnreadJumpButton, useInView } from './unread-divider';
import { firstUnreadId, unreadCount, type UnreadMark } from './unread-marker';
import { onMessageLogKeyDown } from './message-keys';

/** Pixels from the bottom within which new messages keep the list scrolled to the end. */
const STICKY_BOTTOM = 80;

/** Pixels from the top within which older messages are read (the page before). */
const LOAD_OLDER_WITHIN = 240;

/** The unread divider of a conversation just opened, and the jump to it (unread-marker.ts). */
export interface UnreadProps {
  readonly mark: UnreadMark;
  readonly dividerRef: RefObject<HTMLLIElement | null>;
  readonly jump: () => void;
  readonly jumping: boolean;
}

export function MessageList({
  conversation,
  messages,
  selfAddress,
  onReachTop,
  highlight,
  focusHighlight = false,
  handlers,
  unread,
}: {
  conversation: ConversationView;
  messages: readonly MessageView[] | undefined;
  /** This user's address: a line about them says "you" even once they are no longer a member. */
  selfAddress?: string;
  /** Scrolled near the top while older messages exist: read the page before. */
  onReachTop?: () => void;
  /** A message opened from search or a quote (search-reveal.ts): scrolled into view and marked for a moment. */
  highlight?: RevealHighlight | undefined;
  /** The highlighted message also takes the focus (a quote was followed: the reader goes there). */
  focusHighlight?: boolean;
  /** What the messages' actions do; absent, messages have none. */
  handlers?: MessageHandlers;
  unread?: UnreadProps | undefined;
}) {
  const i18n = useI18n();
  const { t, formatDay } = i18n;
  const scroller = useRef<HTMLDivElement>(null);
  const keysHint = useId();
  const atBottom = useRef(true);
  const progress = useAttachmentProgressStore(conversation.id);
  const firstUnread = unread && messages ? firstUnreadId(messages, unread.mark) : undefined;
  const fallbackDivider = useRef<HTMLLIElement>(null);
  const dividerRef = unread?.dividerRef ?? fallbackDivider;
  const dividerInView = useInView(dividerRef, scroller, firstUnread);

  useLayoutEffect(() => {
    const element = scroller.current;
    const last = messages?.[messages.length - 1];
    if (element && (atBottom.current || last?.mine)) element.scrollTop = element.scrollHeight;
  }, [messages]);

  useEffect(() => {
    if (!highlight) return;
    const selector = `[data-message-id="${CSS.escape(highlight.messageId)}"]`;
    const element = scroller.current?.querySelector<HTMLElement>(selector);
    element?.scrollIntoView({ block: 'center' });
    if (focusHighlight) element?.focus({ preventScroll: true });
  }, [highlight, focusHighlight]);

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
    <div className="message-area">
      {unread && !dividerInView && <UnreadJumpButton onJump={unread.jump} busy={unread.jumping} />}
      {/* The scroller is the log (live, named, reachable by keyboard to scroll); the <ol> inside keeps its list meaning. */}
      <div
        className="message-scroller"
        ref={scroller}
        role="log"
        aria-label={t('conversation.messages')}
        aria-describedby={keysHint}
        tabIndex={0}
        data-testid="message-log"
        onKeyDown={onMessageLogKeyDown}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICKY_BOTTOM;
          if (element.scrollTop < LOAD_OLDER_WITHIN) onReachTop?.();
        }}
      >
        <p id={keysHint} className="visually-hidden">
          {t('conversation.keys-hint')}
        </p>
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
            if (unread && message.id === firstUnread) {
              previousSender = undefined;
              items.push(
                <UnreadDivider key="unread-divider" count={unreadCount(messages, unread.mark)} ref={dividerRef} />,
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
              <MessageItem
                key={message.id}
                message={message}
                conversation={conversation}
                selfAddress={selfAddress}
                showSender={showSender}
                highlighted={message.id === highlight?.messageId}
                progress={progress}
                handlers={handlers}
                now={now}
              />,
            );
            return items;
          })}
        </ol>
      </div>
    </div>
  );
}
