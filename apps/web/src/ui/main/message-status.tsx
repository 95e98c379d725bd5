/**
 * The status of one of our messages, beside its time: an icon for the eye, words for screen
 * readers and a tooltip. `read` has its own filled icon; in a group its words say how many of the
 * others have read it ("Read by 2 of 5"), from `readBy`.
 */
import type { ConversationView, MessageStatus, MessageView } from '../../messenger/api';
import type { MessageKey, MessageParams } from '../../i18n';
import { Icon, type IconName } from '../components/icon';
import { useI18n } from '../i18n-context';

const STATUS_ICONS: { readonly [status in MessageStatus]: IconName } = {
  queued: 'clock',
  sent: 'check',
  delivered: 'checks',
  read: 'checks-filled',
  failed: 'alert',
};

/** The words for a message's status; in a group once someone has read it, "Read by N of M". */
export function statusWords(
  message: Pick<MessageView, 'status' | 'readBy'>,
  conversation: Pick<ConversationView, 'kind' | 'members'>,
): { key: MessageKey; params?: MessageParams } | undefined {
  if (!message.status) return undefined;
  const readers = message.readBy?.length ?? 0;
  const sentOn = message.status === 'delivered' || message.status === 'read' || message.status === 'sent';
  if (conversation.kind === 'group' && readers > 0 && sentOn) {
    const total = conversation.members.filter((member) => !member.isSelf).length;
    return { key: 'message.read-by', params: { count: readers, total: Math.max(total, readers) } };
  }
  return { key: `message.status.${message.status}` };
}

export function MessageStatusMark({ message, conversation }: { message: MessageView; conversation: ConversationView }) {
  const { t } = useI18n();
  const words = statusWords(message, conversation);
  if (!message.status || !words) return null;
  const text = t.unchecked(words.key, words.params);
  return (
    <span className={`message-status status-${message.status}`} title={text} data-testid="message-status">
      <Icon name={STATUS_ICONS[message.status]} />
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
