/**
 * Opening a conversation at a message found by search: older pages are read (decision 0012's
 * `before` cursor, through the conversation store) until the message is held, then it is shown
 * highlighted for a moment. Bounded: a message that has expired or was deleted since it was
 * indexed leaves the conversation simply open.
 */
import { useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../messenger/api';

/** Pages read at most while looking for the message (PAGE_SIZE each): about a thousand messages. */
export const MAX_REVEAL_PAGES = 20;

/** How long the found message keeps its highlight. */
export const REVEAL_HIGHLIGHT_MS = 2000;

/** A message to bring into view; `request` tells two choices of the same result apart. */
export interface RevealTarget {
  readonly conversationId: string;
  readonly messageId: string;
  readonly request: number;
}

export interface RevealInput {
  readonly messageId: string;
  /** The messages held, oldest first. */
  readonly messages: readonly MessageView[];
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly failed: boolean;
  readonly pagesRead: number;
  readonly now: number;
}

/** What to do next: show it, read the page before, wait for the page being read, or give up. */
export type RevealStep = 'show' | 'read-older' | 'wait' | 'missing';

export function revealStep(input: RevealInput): RevealStep {
  const message = input.messages.find((m) => m.id === input.messageId);
  // The list hides an expired message, so it cannot be shown even when held.
  if (message) return message.expiresAt === undefined || message.expiresAt > input.now ? 'show' : 'missing';
  if (input.loading) return 'wait';
  if (input.failed || !input.hasMore || input.pagesRead >= MAX_REVEAL_PAGES) return 'missing';
  return 'read-older';
}

/** The open conversation's loaded pages, as a reveal or a jump reads older ones (conversation-pane.tsx useMessages). */
export interface PagedConversation {
  readonly messages: readonly MessageView[] | undefined;
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly failed: boolean;
  readonly loadOlder: () => void;
}

/** The message to highlight; a new object for every reveal, so choosing it again scrolls again. */
export interface RevealHighlight {
  readonly messageId: string;
}

/**
 * Drives revealStep for the open conversation; returns the message to highlight (for
 * REVEAL_HIGHLIGHT_MS), which the message list scrolls into view.
 */
export function useRevealMessage(
  target: RevealTarget | undefined,
  conversation: PagedConversation,
): RevealHighlight | undefined {
  const [highlighted, setHighlighted] = useState<RevealHighlight | undefined>();
  const progress = useRef<{ request: number; pagesRead: number; done: boolean } | undefined>(undefined);
  const { messages, hasMore, loading, failed, loadOlder } = conversation;

  useEffect(() => {
    if (!target) return;
    if (progress.current?.request !== target.request)
      progress.current = { request: target.request, pagesRead: 0, done: false };
    const current = progress.current;
    if (current.done || messages === undefined) return;
    const step = revealStep({
      messageId: target.messageId,
      messages,
      hasMore,
      loading,
      failed,
      pagesRead: current.pagesRead,
      now: Date.now(),
    });
    if (step === 'read-older') {
      current.pagesRead += 1;
      loadOlder();
    } else if (step === 'show') {
      current.done = true;
      setHighlighted({ messageId: target.messageId });
    } else if (step === 'missing') {
      current.done = true;
    }
  }, [target, messages, hasMore, loading, failed, loadOlder]);

  useEffect(() => {
    if (highlighted === undefined) return;
    const timer = setTimeout(() => setHighlighted(undefined), REVEAL_HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  return highlighted;
}
