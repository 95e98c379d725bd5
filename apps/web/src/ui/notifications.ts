/**
 * Which arriving messages become a Web Notification, and what one says (issue 15 item 3).
 *
 * The system's notification centre keeps what it is shown outside the encrypted store (in its own
 * database, in lock-screen previews, in backups), so a notification follows the tab title's rule
 * (page-title.ts): by default it says only that a message arrived. With the person's consent it
 * may name the sender; never a message's text, a file's name or a group's title. Its tag is an
 * opaque id drawn for the page's lifetime, not the conversation's id: a group's id is shared with
 * every member and would tie the stored notification to that group.
 *
 * Which messages notify is the conversation's choice (NotifyLevel, api.ts): every message, only
 * those that mention this user, or none.
 *
 * Pure: the clock, the page's state, the permission and the conversation's level are arguments
 * (notifications-notifier.ts reads them from the browser and the snapshot).
 */
import type { MessageView, NotifyLevel } from '../messenger/api';
import type { WebTranslator } from '../i18n';

/** A message received longer ago than this is history being read or synced, not news. */
export const LIVE_WINDOW_MS = 60_000;
/** Message ids remembered as already announced: far more than arrive in a live window. */
export const MAX_REMEMBERED_MESSAGES = 1_000;
/** A sender's name is cut here: a notification is a glance, and a crafted name should not fill the screen. */
export const MAX_SENDER_CHARACTERS = 64;

export type NotificationPermissionState = NotificationPermission | 'unsupported';

/** `notify`, or why not: each is one of the conditions a notification needs. */
export type NotificationDecision =
  | 'notify'
  | 'mine'
  | 'system'
  | 'shared-history'
  | 'stale'
  | 'already-notified'
  | 'muted'
  | 'not-mentioned'
  | 'not-permitted'
  | 'page-in-view';

/** Ids of messages already announced (or seen arriving), the oldest forgotten past `limit`. */
export class NotifiedMessages {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = MAX_REMEMBERED_MESSAGES) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    // A Set iterates in insertion order: the first id is the oldest.
    for (const oldest of this.ids) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}

export interface NotificationConditions {
  readonly now: number;
  /** The tab is visible and its window has the focus: the person sees the message arrive. */
  readonly pageInView: boolean;
  readonly permission: NotificationPermissionState;
  readonly notified: NotifiedMessages;
  /** The notify level of the message's conversation. */
  readonly level: NotifyLevel;
}

/** Whether `message`, just upserted by the worker, deserves a notification. */
export function notificationDecision(message: MessageView, conditions: NotificationConditions): NotificationDecision {
  if (message.mine) return 'mine';
  if (message.system !== undefined || message.sender === undefined) return 'system';
  // Earlier messages another member shared (messages.md §5.7) arrive now but are not new.
  if (message.sharedBy !== undefined) return 'shared-history';
  const age = conditions.now - message.receivedAt;
  if (age > LIVE_WINDOW_MS || age < -LIVE_WINDOW_MS) return 'stale';
  if (conditions.notified.has(message.id)) return 'already-notified';
  if (conditions.level === 'none') return 'muted';
  if (conditions.level === 'mentions' && message.mentionsMe !== true) return 'not-mentioned';
  if (conditions.permission !== 'granted') return 'not-permitted';
  if (conditions.pageInView) return 'page-in-view';
  return 'notify';
}

/** What the Notification constructor is given; `renotify` is in the standard but not in TypeScript's DOM types. */
export interface MessageNotificationOptions extends NotificationOptions {
  readonly body: string;
  readonly tag: string;
  /** A newer message in the conversation replaces its notification and alerts again. */
  readonly renotify: true;
  readonly silent: false;
}

export interface MessageNotification {
  readonly title: string;
  readonly options: MessageNotificationOptions;
}

export interface NotificationWording {
  readonly t: WebTranslator;
  readonly language: string;
  /** The person chose to see who wrote (notifications-preference.ts); off by default. */
  readonly showSender: boolean;
}

/** A sender's display name fit for one line: no control or bidi-override characters, at most MAX_SENDER_CHARACTERS. */
export function senderLabel(displayName: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = displayName.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  const trimmed = clean.replace(/\s+/g, ' ').trim();
  const characters = Array.from(trimmed);
  return characters.length <= MAX_SENDER_CHARACTERS
    ? trimmed
    : `${characters.slice(0, MAX_SENDER_CHARACTERS - 1).join('')}…`;
}

/**
 * The notification for `message` under `tag` (its conversation's): the app's name, and "New
 * message", or who sent it and whether they mentioned this user.
 *
 * "Mentioned you" says more than that a message arrived: that the conversation is a group (only
 * groups have mentions) and something of what the text says (it names this person). So it follows
 * the sender's rule: said only when the person chose to let notifications name the sender, and
 * then always with that name ("Ann mentioned you"); by default a mention is a content-free "New
 * message" like any other, and the conversation list's "@" badge tells the rest inside the app.
 */
export function messageNotification(
  message: MessageView,
  tag: string,
  wording: NotificationWording,
): MessageNotification {
  const { t } = wording;
  const sender = wording.showSender && message.sender ? senderLabel(message.sender.displayName) : '';
  const body =
    sender === ''
      ? t('notifications.new-message')
      : message.mentionsMe === true
        ? t('notifications.mentioned-you', { name: sender })
        : t('notifications.new-message-from', { name: sender });
  return {
    title: t('app.name'),
    options: { body, tag, renotify: true, silent: false, lang: wording.language },
  };
}
