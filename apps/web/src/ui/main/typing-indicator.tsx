/**
 * "Alex is typing…" under the messages: a polite live region, always in the document so that
 * screen readers announce it as it changes, and empty while nobody types.
 */
import type { ConversationView } from '../../messenger/api';
import { useI18n } from '../i18n-context';
import { typingNames, typingText, useTyping } from './typing-store';

export function TypingIndicator({
  conversation,
  selfAddress,
}: {
  conversation: ConversationView;
  selfAddress: string | undefined;
}) {
  const { t } = useI18n();
  const addresses = useTyping(conversation.id);
  const words = typingText(typingNames(addresses, conversation, selfAddress));
  return (
    <p
      className="typing-indicator"
      role="status"
      aria-live="polite"
      data-testid="typing-indicator"
      data-typing={words !== undefined}
    >
      {words ? t.unchecked(words.key, words.params) : ''}
    </p>
  );
}
