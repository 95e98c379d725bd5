import type { ConversationView } from '../../messenger/api';
import { Avatar } from '../components/avatar';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

export function ConversationList({
  conversations,
  selectedId,
  onSelect,
}: {
  conversations: readonly ConversationView[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}) {
  const { t, formatListTime, formatDateTime } = useI18n();
  if (conversations.length === 0) {
    return (
      <p className="empty-list" data-testid="conversation-list" tabIndex={-1}>
        {t('main.no-conversations')}
      </p>
    );
  }
  return (
    // tabIndex -1: where the focus goes back to when the conversation that was open is gone.
    <ul
      className="conversation-list"
      data-testid="conversation-list"
      aria-label={t('main.conversations')}
      tabIndex={-1}
    >
      {conversations.map((conversation) => {
        const at = conversation.lastMessage?.at ?? conversation.updatedAt;
        return (
          <li key={conversation.id}>
            <button
              type="button"
              className="conversation-item"
              data-testid="conversation-item"
              data-conversation-id={conversation.id}
              data-unread={conversation.unread}
              data-active={conversation.active}
              data-notify={conversation.notify}
              aria-current={conversation.id === selectedId ? 'true' : undefined}
              onClick={() => onSelect(conversation.id)}
            >
              <Avatar name={conversation.title} seed={conversation.id} group={conversation.kind === 'group'} />
              <span className="conversation-text">
                {/* One line with an ellipsis; the whole title in the tooltip (and read out in full). */}
                <span className="conversation-title" title={conversation.title}>
                  {conversation.title}
                </span>
                <span className="conversation-preview">
                  {conversation.lastMessage?.preview ?? t('list.no-messages')}
                </span>
              </span>
              <span className="conversation-meta">
                <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
                  {formatListTime(at)}
                </time>
                {/* In a row under the time; empty (and hidden by settings.css) when there is nothing to flag. */}
                <span className="conversation-badges">
                  {conversation.notify === 'none' && (
                    <span className="muted-mark" data-testid="muted-mark" title={t('list.muted')}>
                      <Icon name="bell-off" />
                      <span className="visually-hidden">{t('list.muted')}</span>
                    </span>
                  )}
                  {conversation.unreadMentions > 0 && (
                    <span className="mention-badge" data-testid="mention-badge" title={t('list.mentioned')}>
                      <span aria-hidden="true">@</span>
                      <span className="visually-hidden">{t('list.mentioned')}</span>
                    </span>
                  )}
                  {conversation.unread > 0 && (
                    <span className="unread-badge" data-testid="unread-count">
                      <span aria-hidden="true">{conversation.unread > 99 ? '99+' : conversation.unread}</span>
                      <span className="visually-hidden">{t('list.unread', { count: conversation.unread })}</span>
                    </span>
                  )}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
