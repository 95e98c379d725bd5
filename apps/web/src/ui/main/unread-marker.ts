/**
 * Where the unread messages start when a conversation is opened: the conversation's `lastReadAt`
 * is taken as it was then (before markRead moves it), and the "N new messages" divider goes
 * before the first message from someone else received after it. "Jump to first unread" reads
 * older pages (the conversation store's `loadOlder`) until that message is held, then scrolls to
 * the divider, bounded as search-reveal.ts is.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConversationView, MessageView } from '../../messenger/api';
import { MAX_REVEAL_PAGES } from './search-reveal';
import type { PagedConversation } from './search-reveal';

/** The conversation's read position when it was opened, and how many were unread then. */
export interface UnreadMark {
  readonly lastReadAt: number;
  readonly count: number;
}

/** The mark for a conversation being opened; none when nothing is unread. */
export function unreadMarkAtOpening(conversation: ConversationView): UnreadMark | undefined {
  return conversation.unread > 0 ? { lastReadAt: conversation.lastReadAt, count: conversation.unread } : undefined;
}

/** Someone else's message (not a system line) received after `lastReadAt`. */
export function isUnreadSince(message: MessageView, lastReadAt: number): boolean {
  return !message.mine && message.system === undefined && message.receivedAt > lastReadAt;
}

/** The first unread message held, if any (messages oldest first). */
export function firstUnreadId(messages: readonly MessageView[], mark: UnreadMark): string | undefined {
  return messages.find((message) => isUnreadSince(message, mark.lastReadAt))?.id;
}

/** The count the divider shows: unread at opening, or more if more are held (arrived since). */
export function unreadCount(messages: readonly MessageView[], mark: UnreadMark): number {
  const held = messages.filter((message) => isUnreadSince(message, mark.lastReadAt)).length;
  return Math.max(mark.count, held);
}

export interface UnreadJumpInput {
  readonly mark: UnreadMark;
  /** The messages held, oldest first. */
  readonly messages: readonly MessageView[];
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly failed: boolean;
  readonly pagesRead: number;
}

/**
 * What to do next: scroll to the divider (the first unread is held, after a read message or with
 * nothing older left), read the page before, wait for it, or give up (nothing unread is held and
 * nothing more can be read: it expired).
 */
export function unreadJumpStep(input: UnreadJumpInput): 'show' | 'read-older' | 'wait' | 'missing' {
  const index = input.messages.findIndex((message) => isUnreadSince(message, input.mark.lastReadAt));
  if (index > 0 || (index === 0 && !input.hasMore)) return 'show';
  if (input.loading) return 'wait';
  if (!input.hasMore || input.failed || input.pagesRead >= MAX_REVEAL_PAGES) return index === 0 ? 'show' : 'missing';
  return 'read-older';
}

/**
 * Drives unreadJumpStep after `jump()`: `show` is called once the divider can be scrolled to.
 * `jumping` is true while older pages are read.
 */
export function useUnreadJump(
  mark: UnreadMark | undefined,
  conversation: PagedConversation,
  show: () => void,
): { readonly jump: () => void; readonly jumping: boolean } {
  const [request, setRequest] = useState(0);
  const pagesRead = useRef(0);
  const showRef = useRef(show);
  useEffect(() => {
    showRef.current = show;
  });
  const { messages, hasMore, loading, failed, loadOlder } = conversation;

  useEffect(() => {
    if (request === 0 || !mark || messages === undefined) return;
    const step = unreadJumpStep({ mark, messages, hasMore, loading, failed, pagesRead: pagesRead.current });
    if (step === 'read-older') {
      pagesRead.current += 1;
      loadOlder();
      return;
    }
    if (step === 'wait') return;
    setRequest(0);
    // After this render, so that the divider of a page just read is in the document.
    if (step === 'show') requestAnimationFrame(() => showRef.current());
  }, [request, mark, messages, hasMore, loading, failed, loadOlder]);

  const jump = useCallback(() => {
    pagesRead.current = 0;
    setRequest((current) => current + 1);
  }, []);
  return { jump, jumping: request !== 0 };
}
