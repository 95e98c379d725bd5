/**
 * The notifier end to end against a fake Notification class: what it constructs for the worker's
 * deltas, one notification per conversation, what a click does, when a notification is closed, and
 * how each conversation's notify level (from the snapshot) filters them.
 */
import type { ConversationView, MessageView, MessengerEvent, NotifyLevel } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import { LIVE_WINDOW_MS } from '../../src/ui/notifications';
import {
  MessageNotifier,
  type NotificationConstructor,
  type NotifierEnvironment,
} from '../../src/ui/notifications-notifier';
import type { MessageNotificationOptions } from '../../src/ui/notifications';

const NOW = Date.UTC(2027, 0, 4, 9);

/** Records every notification constructed; `permission` is what the browser would report. */
function fakeNotificationClass(permission: NotificationPermission = 'granted') {
  const made: FakeNotification[] = [];
  class FakeNotification {
    static readonly permission = permission;
    onclick: ((event: Event) => unknown) | null = null;
    onclose: ((event: Event) => unknown) | null = null;
    closed = false;

    constructor(
      readonly title: string,
      readonly options: MessageNotificationOptions,
    ) {
      made.push(this);
    }

    close(): void {
      this.closed = true;
    }

    click(): void {
      this.onclick?.(new Event('click'));
    }
  }
  return { NotificationClass: FakeNotification satisfies NotificationConstructor, made };
}

interface Harness {
  readonly notifier: MessageNotifier;
  readonly made: ReturnType<typeof fakeNotificationClass>['made'];
  readonly opened: string[];
  readonly env: { inView: boolean; focused: number; now: number; showSender: boolean };
}

function harness(
  options: { permission?: NotificationPermission; unsupported?: boolean; throwing?: boolean } = {},
): Harness {
  const { NotificationClass, made } = fakeNotificationClass(options.permission);
  const state = { inView: false, focused: 0, now: NOW, showSender: false };
  let tags = 0;
  const Throwing = class {
    static readonly permission = 'granted';
    constructor() {
      throw new TypeError('Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead.');
    }
  } as unknown as NotificationConstructor;
  const env: NotifierEnvironment = {
    notificationClass: () => (options.unsupported ? undefined : options.throwing ? Throwing : NotificationClass),
    now: () => state.now,
    pageInView: () => state.inView,
    focusWindow: () => {
      state.focused += 1;
    },
    randomTag: () => `opaque-${(tags += 1)}`,
  };
  const opened: string[] = [];
  const notifier = new MessageNotifier(env, {
    wording: () => ({ t: translatorFor('en'), language: 'en', showSender: state.showSender }),
    openConversation: (id) => opened.push(id),
  });
  return { notifier, made, opened, env: state };
}

function incoming(id: string, conversationId: string, fields: Partial<MessageView> = {}): MessageView {
  return {
    id,
    conversationId,
    mine: false,
    sender: { address: 'ann@example.org', displayName: 'Ann', deviceId: 'd1' },
    text: `secret text of ${id}`,
    sentAt: NOW - 500,
    receivedAt: NOW - 100,
    ...fields,
  };
}

function delta(conversationId: string, ...upserted: MessageView[]): MessengerEvent {
  return { type: 'messages_changed', conversationId, upserted, removed: [] };
}

function conversation(id: string, unread: number, notify: NotifyLevel = 'all'): ConversationView {
  return {
    id,
    kind: 'group',
    title: 'Board of directors',
    members: [],
    unread,
    disappearAfterSeconds: null,
    active: true,
    updatedAt: NOW,
    lastReadAt: 0,
    unreadMentions: 0,
    path: 'relay',
    notify,
  };
}

describe('the notifier', () => {
  it('constructs one content-free notification for a live message while the page is out of view', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    expect(made).toHaveLength(1);
    expect(made[0]?.title).toBe('OpenDescent');
    expect(made[0]?.options).toEqual({
      body: 'New message',
      tag: 'opaque-1',
      renotify: true,
      silent: false,
      lang: 'en',
    });
  });

  it('names the sender once the setting is on, read when the notification is made', () => {
    const { notifier, made, env } = harness();
    env.showSender = true;
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    expect(made[0]?.options.body).toBe('New message from Ann');
  });

  it('gives each conversation its own opaque tag, and keeps it for that conversation’s later messages', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.onEvent(delta('d1', incoming('m2', 'd1')));
    notifier.onEvent(delta('g1', incoming('m3', 'g1')));
    expect(made.map((n) => n.options.tag)).toEqual(['opaque-1', 'opaque-2', 'opaque-1']);
    expect(made.map((n) => n.options.tag)).not.toContain('g1');
  });

  it('makes one notification for a delta of several messages: the newest', () => {
    const { notifier, made, env } = harness();
    env.showSender = true;
    notifier.onEvent(
      delta(
        'g1',
        incoming('m1', 'g1', { receivedAt: NOW - 300 }),
        incoming('m3', 'g1', {
          receivedAt: NOW - 100,
          sender: { address: 'b@x.org', displayName: 'Bob', deviceId: 'd' },
        }),
        incoming('m2', 'g1', { receivedAt: NOW - 200 }),
      ),
    );
    expect(made).toHaveLength(1);
    expect(made[0]?.options.body).toBe('New message from Bob');
  });

  it('does not notify a message again when a status change upserts it a second time', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.onEvent(delta('g1', incoming('m1', 'g1', { status: 'delivered' })));
    expect(made).toHaveLength(1);
  });

  it('never announces later a message the person saw arrive with the page in view', () => {
    const { notifier, made, env } = harness();
    env.inView = true;
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    env.inView = false;
    notifier.onEvent(delta('g1', incoming('m1', 'g1', { status: 'delivered' })));
    expect(made).toHaveLength(0);
  });

  it('ignores our own messages, system lines, expired deltas and other events', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1', { mine: true })));
    notifier.onEvent(
      delta('g1', incoming('m2', 'g1', { sender: undefined, system: { type: 'member_left', member: 'A' } })),
    );
    notifier.onEvent(delta('g1', incoming('m3', 'g1', { receivedAt: NOW - LIVE_WINDOW_MS - 1 })));
    notifier.onEvent({ type: 'messages', conversationId: 'g1' });
    notifier.onEvent({ type: 'attachment_progress', conversationId: 'g1', messageId: 'm4', done: 1, total: 2 });
    expect(made).toHaveLength(0);
  });

  it.each(['default', 'denied'] as const)('constructs nothing when the permission is %s', (permission) => {
    const { notifier, made } = harness({ permission });
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    expect(made).toHaveLength(0);
  });

  it('does nothing where the browser has no Notification class', () => {
    const { notifier, made } = harness({ unsupported: true });
    expect(() => notifier.onEvent(delta('g1', incoming('m1', 'g1')))).not.toThrow();
    expect(made).toHaveLength(0);
  });

  it('survives a browser whose Notification constructor throws (Chrome on Android)', () => {
    const { notifier } = harness({ throwing: true });
    expect(() => notifier.onEvent(delta('g1', incoming('m1', 'g1')))).not.toThrow();
  });

  it('on click, focuses the window, opens that conversation and closes the notification', () => {
    const { notifier, made, opened, env } = harness();
    notifier.onEvent(delta('d1', incoming('m1', 'd1')));
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    made[0]?.click();
    expect(env.focused).toBe(1);
    expect(opened).toEqual(['d1']);
    expect(made.map((n) => n.closed)).toEqual([true, false]);
  });

  it('closes a conversation’s notification when that conversation is opened, and only that one', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('d1', incoming('m1', 'd1')));
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    notifier.dismiss('g1');
    expect(made.map((n) => n.closed)).toEqual([false, true]);
  });

  it('closes a conversation’s notification once it is read with the page in view', () => {
    const { notifier, made, env } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 1)]);
    expect(made[0]?.closed).toBe(false);
    env.inView = true;
    notifier.settle([conversation('g1', 0)]);
    expect(made[0]?.closed).toBe(true);
  });

  it('keeps the notification while read out of view (a visible window without focus marks it read at once)', () => {
    const { notifier, made, env } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 0)]);
    expect(made[0]?.closed).toBe(false);
    env.inView = true;
    notifier.recheck();
    expect(made[0]?.closed).toBe(true);
  });

  it('closes the notification of a conversation that is gone (left, removed)', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([]);
    expect(made[0]?.closed).toBe(true);
  });

  it('closes every notification when the messenger is locked or left', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('d1', incoming('m1', 'd1')));
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    notifier.dismissAll();
    expect(made.map((n) => n.closed)).toEqual([true, true]);
  });

  it('forgets a notification the person closed, but a late close of a replaced one keeps its replacement', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    const first = made[0];
    first?.onclose?.(new Event('close'));
    notifier.dismiss('g1');
    expect(first?.closed).toBe(false); // already gone from the screen: not closed a second time
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    first?.onclose?.(new Event('close'));
    notifier.dismiss('g1');
    expect(made[1]?.closed).toBe(true);
  });
});

describe('the notifier at each conversation’s notify level', () => {
  const mention = (id: string) => incoming(id, 'g1', { mentions: ['me@example.org'], mentionsMe: true });

  it.each([
    ['all', false, 1],
    ['all', true, 1],
    ['mentions', false, 0],
    ['mentions', true, 1],
    ['none', false, 0],
    ['none', true, 0],
  ] as const)('at level %s, a message with mentionsMe %s makes %i notification(s)', (level, mentionsMe, count) => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, level)]);
    notifier.onEvent(delta('g1', mentionsMe ? mention('m1') : incoming('m1', 'g1')));
    expect(made).toHaveLength(count);
  });

  it('says who mentioned this user at level mentions once the sender setting is on, and only "New message" before', () => {
    const { notifier, made, env } = harness();
    notifier.settle([conversation('g1', 0, 'mentions')]);
    notifier.onEvent(delta('g1', mention('m1')));
    env.showSender = true;
    notifier.onEvent(delta('g1', mention('m2')));
    expect(made.map((n) => n.options.body)).toEqual(['New message', 'Ann mentioned you']);
  });

  it('follows the level of each conversation separately', () => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, 'none'), conversation('d1', 0, 'all')]);
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.onEvent(delta('d1', incoming('m2', 'd1')));
    expect(made).toHaveLength(1);
    expect(made[0]?.options.tag).toBe('opaque-1');
  });

  it('applies a level changed in the snapshot to the next message', () => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, 'none')]);
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 1, 'all')]);
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    expect(made).toHaveLength(1);
  });

  it('notifies a conversation the snapshot does not hold yet (its first message just created it) as at level all', () => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, 'none')]);
    notifier.onEvent(delta('new', incoming('m1', 'new')));
    expect(made).toHaveLength(1);
  });

  it('never announces later a message muted on arrival, when an upsert brings it again after notifications were turned on', () => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, 'none')]);
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 1, 'all')]);
    notifier.onEvent(
      delta('g1', incoming('m1', 'g1', { reactions: [{ emoji: '👍', addresses: ['b@x.org'], mine: false }] })),
    );
    expect(made).toHaveLength(0);
  });

  it('never announces later a message without a mention at level mentions, even once the level is all', () => {
    const { notifier, made } = harness();
    notifier.settle([conversation('g1', 0, 'mentions')]);
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 1, 'all')]);
    notifier.onEvent(delta('g1', incoming('m1', 'g1', { editedAt: NOW })));
    expect(made).toHaveLength(0);
  });

  it('closes a conversation’s notification once its notifications are turned off, even out of view', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('d1', incoming('m1', 'd1')));
    notifier.onEvent(delta('g1', incoming('m2', 'g1')));
    notifier.settle([conversation('d1', 1, 'all'), conversation('g1', 1, 'none')]);
    expect(made.map((n) => n.closed)).toEqual([false, true]);
  });

  it('keeps a conversation’s notification when its level becomes mentions (what was announced stays announced)', () => {
    const { notifier, made } = harness();
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    notifier.settle([conversation('g1', 1, 'mentions')]);
    expect(made[0]?.closed).toBe(false);
  });
});

describe('the notifier and typing', () => {
  it.each(['all', 'mentions'] as const)(
    'never notifies a typing event, at level %s, with the page out of view and permission granted',
    (level) => {
      const { notifier, made } = harness();
      notifier.settle([conversation('g1', 0, level)]);
      notifier.onEvent({ type: 'typing', conversationId: 'g1', addresses: ['ann@example.org'] });
      notifier.onEvent({ type: 'typing', conversationId: 'g1', addresses: [] });
      expect(made).toHaveLength(0);
    },
  );

  it('still notifies the message that follows the typing', () => {
    const { notifier, made } = harness();
    notifier.onEvent({ type: 'typing', conversationId: 'g1', addresses: ['ann@example.org'] });
    notifier.onEvent(delta('g1', incoming('m1', 'g1')));
    expect(made).toHaveLength(1);
  });
});
