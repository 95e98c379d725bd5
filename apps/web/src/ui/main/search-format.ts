import type { ConversationView, SearchResultView } from '../../messenger/api';

/** What a result's line says above its snippet: where, and who wrote it. */
export interface ResultHeading {
  /** The conversation's title from the snapshot; undefined when it is no longer listed. */
  readonly title: string | undefined;
  /** This user's own message ("You"). */
  readonly mine: boolean;
  /** Someone else's message: their name, when known. */
  readonly sender: string | undefined;
}

/**
 * A result's heading. The worker gives no sender name in a 1:1 without one on record; the other
 * person is then the conversation's title, as in the message list.
 */
export function resultHeading(result: SearchResultView, conversations: readonly ConversationView[]): ResultHeading {
  const conversation = conversations.find((c) => c.id === result.conversationId);
  const sender = result.mine
    ? undefined
    : result.senderName || (conversation?.kind === 'direct' ? conversation.title : undefined);
  return { title: conversation?.title, mine: result.mine, sender };
}
