/**
 * Telling the others that this user is typing (messages.md §5.8): `setTyping(id, true)` at most
 * every TYPING_NOTICE_EVERY_MS while the draft changes, `setTyping(id, false)` once when it is
 * emptied, sent, or the conversation is left. The worker sends nothing when typing indicators are
 * off; the page does not even ask then.
 */
import { useEffect, useMemo } from 'react';
import { useMessenger } from '../messenger-context';

/** The contract's pace (api-commands.ts `setTyping`): the receiving worker expires an indicator not repeated. */
export const TYPING_NOTICE_EVERY_MS = 3_000;

export class TypingNotice {
  /** When `true` was last sent; undefined while the others believe this user is not typing. */
  private lastSent: number | undefined;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly now: () => number,
  ) {}

  /** The draft is now `text`. */
  changed(text: string): void {
    if (text.trim() === '') return this.stopped();
    const now = this.now();
    if (this.lastSent !== undefined && now - this.lastSent < TYPING_NOTICE_EVERY_MS) return;
    this.lastSent = now;
    this.send(true);
  }

  /** Sent, emptied, or the conversation closed: `false`, once, if `true` was said. */
  stopped(): void {
    if (this.lastSent === undefined) return;
    this.lastSent = undefined;
    this.send(false);
  }
}

/** The notice for one conversation; stopped when the conversation is left (the pane unmounts or changes). */
export function useTypingNotice(conversationId: string): TypingNotice {
  const { api, snapshot } = useMessenger();
  const enabled = snapshot.preferences?.typingIndicators !== false;
  const notice = useMemo(
    () =>
      new TypingNotice((typing) => {
        if (enabled || !typing) api.setTyping(conversationId, typing).catch(() => undefined);
      }, Date.now),
    [api, conversationId, enabled],
  );
  useEffect(() => () => notice.stopped(), [notice]);
  return notice;
}
