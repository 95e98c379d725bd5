import type { SearchResultView } from '../../src/messenger/api';
import type { FakeConversation } from './fake-messenger-conversations';

/**
 * The fake's search: a case- and accent-folded substring match over its texts. The real index
 * (apps/web/src/messenger/search) is tested in the worker's own specs.
 */
export function fakeSearch(
  conversations: readonly FakeConversation[],
  query: string,
  conversationId?: string,
): SearchResultView[] {
  const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const wanted = fold(query.trim());
  if (wanted.length === 0) return [];
  return conversations
    .filter((c) => conversationId === undefined || c.id === conversationId)
    .flatMap((c) => c.messages)
    .filter((m) => m.text !== undefined && fold(m.text).includes(wanted))
    .map((m) => ({
      conversationId: m.conversationId,
      messageId: m.id,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
      ...(m.sender ? { senderName: m.sender.displayName } : {}),
      mine: m.mine,
      snippet: m.text ?? '',
      matches: [wanted],
    }));
}
