import type { ConversationView } from '../../src/messenger/api';

/**
 * A conversation as the snapshot shows it, for screen specs: active, nothing unread, every
 * notification; the fields a spec names replace these.
 */
export function conversationView(
  fields: Pick<ConversationView, 'id' | 'kind' | 'title' | 'members'> & Partial<ConversationView>,
): ConversationView {
  return {
    unread: 0,
    disappearAfterSeconds: null,
    active: true,
    updatedAt: 0,
    lastReadAt: 0,
    unreadMentions: 0,
    path: 'relay',
    notify: 'all',
    ...fields,
  };
}
