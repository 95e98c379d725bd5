/**
 * Shows the Web Notifications for arriving messages (notifications.ts decides and words them):
 * one per conversation, replaced by its newer messages, closed once the conversation is opened or
 * read, and opening that conversation when clicked. The browser is reached only through
 * NotifierEnvironment, so the whole flow runs in tests with a fake Notification class.
 */
import type { ConversationView, MessengerEvent, NotifyLevel } from '../messenger/api';
import {
  messageNotification,
  notificationDecision,
  NotifiedMessages,
  type MessageNotificationOptions,
  type NotificationDecision,
  type NotificationPermissionState,
  type NotificationWording,
} from './notifications';

/** Decisions remembered for the message: whatever happens to it later, it is not news any more. */
const JUDGED_ON_ARRIVAL: ReadonlySet<NotificationDecision> = new Set(['page-in-view', 'muted', 'not-mentioned']);

/** What the notifier uses of a shown Notification. */
export interface NotificationHandle {
  onclick: ((this: never, event: Event) => unknown) | null;
  onclose: ((this: never, event: Event) => unknown) | null;
  close(): void;
}

/** What the notifier uses of the Notification class. */
export interface NotificationConstructor {
  new (title: string, options: MessageNotificationOptions): NotificationHandle;
  readonly permission: NotificationPermission;
}

export interface NotifierEnvironment {
  /** The Notification class, or undefined where the browser has none. */
  notificationClass(): NotificationConstructor | undefined;
  now(): number;
  /** The tab is visible and its window focused. */
  pageInView(): boolean;
  focusWindow(): void;
  /** A fresh opaque id, used as a conversation's notification tag. */
  randomTag(): string;
}

export interface NotifierCallbacks {
  /** The language and the sender setting, read when a notification is made. */
  wording(): NotificationWording;
  /** Opens the conversation in the UI (a notification was clicked). */
  openConversation(conversationId: string): void;
}

export class MessageNotifier {
  private readonly notified = new NotifiedMessages();
  /** The notification shown per conversation, to close it when the conversation is read. */
  private readonly shown = new Map<string, NotificationHandle>();
  /** Per conversation, the opaque tag of its notifications, for the page's lifetime. */
  private readonly tags = new Map<string, string>();
  private conversations: readonly ConversationView[] = [];

  constructor(
    private readonly env: NotifierEnvironment,
    private readonly callbacks: NotifierCallbacks,
  ) {}

  /** The worker's events: a delta may bring messages worth a notification (typing and the rest never do). */
  onEvent(event: MessengerEvent): void {
    if (event.type !== 'messages_changed') return;
    const conditions = {
      now: this.env.now(),
      pageInView: this.env.pageInView(),
      permission: this.permission(),
      notified: this.notified,
      level: this.levelOf(event.conversationId),
    };
    // A delta belongs to one conversation: one notification for its newest message is enough.
    let newest: (typeof event.upserted)[number] | undefined;
    for (const message of event.upserted) {
      const decision = notificationDecision(message, conditions);
      // Judged as it arrived: seen arriving, or not wanted at the conversation's level then, it is
      // never announced later (when an edit or a reaction upserts it again after the level changed).
      if (JUDGED_ON_ARRIVAL.has(decision)) this.notified.add(message.id);
      if (decision !== 'notify') continue;
      this.notified.add(message.id);
      if (!newest || message.receivedAt >= newest.receivedAt) newest = message;
    }
    if (newest) this.show(event.conversationId, newest);
  }

  /**
   * The snapshot's conversations: a notification of a conversation that is gone is closed, and of
   * one read while the page is in view too. A conversation is marked read as soon as it is visible
   * (conversation-pane.tsx), even in a window without focus, so while out of view the notification
   * stays: the person has not looked yet. Turning a conversation's notifications off closes its own.
   */
  settle(conversations: readonly ConversationView[]): void {
    this.conversations = conversations;
    const inView = this.env.pageInView();
    for (const conversationId of [...this.shown.keys()]) {
      const conversation = conversations.find((candidate) => candidate.id === conversationId);
      const muted = conversation?.notify === 'none';
      if (!conversation || muted || (inView && conversation.unread === 0)) this.dismiss(conversationId);
    }
  }

  /** The page came into view: closes what was read meanwhile. */
  recheck(): void {
    this.settle(this.conversations);
  }

  /** The conversation was opened: its notification has done its job. */
  dismiss(conversationId: string): void {
    const notification = this.shown.get(conversationId);
    if (!notification) return;
    this.shown.delete(conversationId);
    notification.close();
  }

  /** Closes every notification (the messenger was locked or left). */
  dismissAll(): void {
    for (const conversationId of [...this.shown.keys()]) this.dismiss(conversationId);
  }

  /**
   * The conversation's level as the last snapshot has it. One the snapshot does not hold yet is new
   * (a first message just created it): the worker's default for most conversations, `all`, applies,
   * so a new chat's first message is not missed.
   */
  private levelOf(conversationId: string): NotifyLevel {
    return this.conversations.find((candidate) => candidate.id === conversationId)?.notify ?? 'all';
  }

  private permission(): NotificationPermissionState {
    return this.env.notificationClass()?.permission ?? 'unsupported';
  }

  private tagOf(conversationId: string): string {
    let tag = this.tags.get(conversationId);
    if (tag === undefined) {
      tag = this.env.randomTag();
      this.tags.set(conversationId, tag);
    }
    return tag;
  }

  private show(conversationId: string, message: Parameters<typeof messageNotification>[0]): void {
    const NotificationClass = this.env.notificationClass();
    if (!NotificationClass) return;
    const { title, options } = messageNotification(message, this.tagOf(conversationId), this.callbacks.wording());
    let notification: NotificationHandle;
    try {
      notification = new NotificationClass(title, options);
    } catch {
      return; // Chrome on Android allows only service-worker notifications: the tab title still counts
    }
    // The same tag replaces the older notification on screen; the old handle only needs forgetting.
    this.shown.set(conversationId, notification);
    notification.onclick = () => {
      this.env.focusWindow();
      this.callbacks.openConversation(conversationId);
      this.dismiss(conversationId);
    };
    notification.onclose = () => {
      if (this.shown.get(conversationId) === notification) this.shown.delete(conversationId);
    };
  }
}
