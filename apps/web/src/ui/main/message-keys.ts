import type { KeyboardEvent } from 'react';

/**
 * Moving through a conversation by keyboard without a tab stop per message (the message log is
 * one tab stop, as in Slack or Signal Desktop): with the focus on the log or on a message, Up and
 * Down move to the message before or after, Home and End to the first and last held; Enter,
 * Shift+F10 or the context-menu key opens the focused message's actions; Escape goes back to the
 * log. Keys pressed inside a message's own controls (its menu, a reaction, a link) are theirs.
 */
const MESSAGE = '[data-testid="message"]';

export function onMessageLogKeyDown(event: KeyboardEvent<HTMLElement>): void {
  const log = event.currentTarget;
  const target = event.target as HTMLElement;
  const onLog = target === log;
  const onMessage = target.matches(MESSAGE);
  if (!onLog && !onMessage) return;
  const messages = [...log.querySelectorAll<HTMLElement>(MESSAGE)];
  if (messages.length === 0) return;
  const index = onMessage ? messages.indexOf(target) : -1;
  const move = (next: number) => {
    const message = messages[Math.max(0, Math.min(messages.length - 1, next))];
    message?.focus();
    message?.scrollIntoView({ block: 'nearest' });
  };
  switch (event.key) {
    case 'ArrowUp':
      move(onLog ? messages.length - 1 : index - 1);
      break;
    case 'ArrowDown':
      if (onLog) return; // from the log itself, Down scrolls as before
      move(index + 1);
      break;
    case 'Home':
      if (onLog) return;
      move(0);
      break;
    case 'End':
      if (onLog) return;
      move(messages.length - 1);
      break;
    case 'Enter':
    case 'ContextMenu':
    case 'F10':
      if (!onMessage || (event.key === 'F10' && !event.shiftKey)) return;
      target.querySelector<HTMLElement>('[data-testid="message-actions"]')?.click();
      break;
    case 'Escape':
      if (!onMessage) return;
      log.focus();
      break;
    default:
      return;
  }
  event.preventDefault();
}
