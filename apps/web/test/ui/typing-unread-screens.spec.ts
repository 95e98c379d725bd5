/**
 * Who is typing, and where the unread messages start: the composer's typing notices (at most one
 * every 3 s, `false` once when emptied, sent or left), the indicator's words fed by the worker's
 * `typing` event, the "N new messages" divider placed from `lastReadAt` as it was at opening, and
 * the steps of "Jump to first unread" through older pages.
 */
import { createElement } from 'react';
import type { ConversationView, MemberView, MessageView, MessengerEvent } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import { ConversationStore } from '../../src/ui/conversation-store';
import { MessageList } from '../../src/ui/main/message-list';
import { TYPING_NOTICE_EVERY_MS, TypingNotice } from '../../src/ui/main/typing-notice';
import { TypingStore, typingNames, typingText } from '../../src/ui/main/typing-store';
import {
  firstUnreadId,
  unreadCount,
  unreadJumpStep,
  unreadMarkAtOpening,
  type UnreadMark,
} from '../../src/ui/main/unread-marker';
import { MAX_REVEAL_PAGES } from '../../src/ui/main/search-reveal';
import { FakeMessenger } from './fake-messenger';
import { renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

const member = (address: string, displayName: string, isSelf = false): MemberView => ({
  address,
  displayName,
  devices: [],
  isSelf,
});
const self = member('me@example.org', 'Dominique Roy', true);
const group: ConversationView = conversationView({
  id: 'g1',
  kind: 'group',
  title: 'Front office',
  members: [self, member('sam@example.org', 'Sam Dubois'), member('kim@example.org', 'Kim Laurent')],
});

describe('the typing notices this composer sends', () => {
  function notice() {
    let now = 1_000_000;
    const sent: boolean[] = [];
    const typing = new TypingNotice(
      (value) => sent.push(value),
      () => now,
    );
    return { typing, sent, advance: (ms: number) => (now += ms) };
  }

  it('says `true` at the first change, then at most once every 3 seconds while the text changes', () => {
    const { typing, sent, advance } = notice();
    typing.changed('H');
    typing.changed('He');
    advance(TYPING_NOTICE_EVERY_MS - 1);
    typing.changed('Hel');
    expect(sent).toEqual([true]);
    advance(1);
    typing.changed('Hell');
    expect(sent).toEqual([true, true]);
  });

  it('says `false` once when the text is emptied (spaces count as empty), then nothing more', () => {
    const { typing, sent } = notice();
    typing.changed('Hi');
    typing.changed('  ');
    typing.changed('');
    expect(sent).toEqual([true, false]);
  });

  it('says `false` on send or on leaving, only after a `true`', () => {
    const { typing, sent } = notice();
    typing.stopped();
    expect(sent).toEqual([]);
    typing.changed('Hi');
    typing.stopped();
    typing.stopped();
    expect(sent).toEqual([true, false]);
  });

  it('says `true` again at once after a stop, when typing starts over', () => {
    const { typing, sent } = notice();
    typing.changed('a');
    typing.stopped();
    typing.changed('b');
    expect(sent).toEqual([true, false, true]);
  });
});

describe('the typing indicator', () => {
  const en = translatorFor('en');
  const words = (addresses: readonly string[]) => {
    const text = typingText(typingNames(addresses, group, self.address));
    return text ? en.unchecked(text.key, text.params) : '';
  };

  it('says who types from the worker’s event, through the store', async () => {
    const store = new TypingStore();
    const api = new FakeMessenger((event: MessengerEvent) => store.onEvent(event), { seeded: true });
    const conversation = (await api.snapshot()).conversations.find((candidate) => candidate.title === 'Front office');
    if (!conversation) throw new Error('no group');
    let changes = 0;
    store.subscribe(() => changes++);
    api.typingIn(conversation.id, ['sam@example.org']);
    const text = typingText(typingNames(store.get(conversation.id), conversation, self.address));
    expect(text && en.unchecked(text.key, text.params)).toBe('Sam Dubois is typing…');
    api.typingIn(conversation.id, []);
    expect(store.get(conversation.id)).toEqual([]);
    expect(changes).toBe(2);
  });

  it('names two people, then says “several” for more', () => {
    expect(words(['sam@example.org', 'kim@example.org'])).toBe('Sam Dubois and Kim Laurent are typing…');
    expect(words(['sam@example.org', 'kim@example.org', 'x@example.org'])).toBe('Several people are typing…');
  });

  it('says nothing for nobody, and leaves this user’s other devices out', () => {
    expect(words([])).toBe('');
    expect(words([self.address])).toBe('');
  });

  it('shows the address of someone who is not a member any more', () => {
    expect(words(['gone@example.org'])).toBe('gone@example.org is typing…');
  });

  it('keeps other conversations apart', () => {
    const store = new TypingStore();
    store.onEvent({ type: 'typing', conversationId: 'a', addresses: ['sam@example.org'] });
    expect(store.get('b')).toEqual([]);
    expect(store.get('a')).toBe(store.get('a'));
  });

  it('is said in French too', () => {
    const fr = translatorFor('fr');
    expect(fr('typing.one', { name: 'Sam' })).toBe('Sam est en train d’écrire…');
    expect(fr('typing.several')).toBe('Plusieurs personnes sont en train d’écrire…');
  });
});

describe('the unread divider', () => {
  const at = (id: string, receivedAt: number, fields: Partial<MessageView> = {}): MessageView => ({
    id,
    conversationId: 'g1',
    sender: { address: 'sam@example.org', displayName: 'Sam Dubois', deviceId: 'd1' },
    mine: false,
    text: `text ${id}`,
    sentAt: receivedAt,
    receivedAt,
    ...fields,
  });
  const BASE = Date.UTC(2027, 2, 1, 9, 0);
  const mark: UnreadMark = { lastReadAt: BASE + 10, count: 2 };
  const messages = [
    at('a', BASE),
    at('b', BASE + 10),
    at('mine', BASE + 20, { mine: true }),
    at('line', BASE + 25, { system: { type: 'member_left', member: 'kim@example.org' } }),
    at('c', BASE + 30),
    at('d', BASE + 40),
  ];

  it('takes the read position as the conversation opens, only when something is unread', () => {
    expect(unreadMarkAtOpening({ ...group, unread: 2, lastReadAt: 55 })).toEqual({ lastReadAt: 55, count: 2 });
    expect(unreadMarkAtOpening({ ...group, unread: 0, lastReadAt: 55 })).toBeUndefined();
  });

  it('goes before the first message from someone else received after it (not ours, not a system line)', () => {
    expect(firstUnreadId(messages, mark)).toBe('c');
    expect(unreadCount(messages, mark)).toBe(2);
  });

  it('is drawn in the list with its count, before that message', () => {
    const html = renderScreen(
      createElement(MessageList, {
        conversation: group,
        messages,
        unread: { mark, dividerRef: { current: null }, jump: () => undefined, jumping: false },
      }),
    );
    expect(html).toMatch(
      /<li class="unread-divider" data-testid="unread-divider" tabindex="-1"><span>2 new messages<\/span><\/li><li class="message theirs"[^>]*data-message-id="c"/,
    );
  });

  it('is not drawn when the conversation opened with nothing unread', () => {
    const html = renderScreen(createElement(MessageList, { conversation: group, messages }));
    expect(html).not.toContain('unread-divider');
  });

  it('counts messages that arrived since opening too', () => {
    expect(unreadCount([...messages, at('e', BASE + 50), at('f', BASE + 60)], mark)).toBe(4);
  });
});

describe('jumping to the first unread', () => {
  const m = (id: string, receivedAt: number): MessageView => ({
    id,
    conversationId: 'g1',
    mine: false,
    text: id,
    sentAt: receivedAt,
    receivedAt,
  });
  const mark: UnreadMark = { lastReadAt: 100, count: 60 };
  const step = (messages: MessageView[], fields: Partial<Parameters<typeof unreadJumpStep>[0]> = {}) =>
    unreadJumpStep({ mark, messages, hasMore: true, loading: false, failed: false, pagesRead: 0, ...fields });

  it('scrolls at once when a read message comes before the first unread', () => {
    expect(step([m('old', 50), m('new', 150)])).toBe('show');
  });

  it('reads older pages while every message held is unread', () => {
    expect(step([m('new', 150), m('newer', 160)])).toBe('read-older');
    expect(step([m('new', 150)], { loading: true })).toBe('wait');
  });

  it('scrolls to the oldest unread once nothing older is left', () => {
    expect(step([m('new', 150)], { hasMore: false })).toBe('show');
  });

  it('stops after MAX_REVEAL_PAGES pages, or on an error, at the oldest unread held', () => {
    expect(step([m('new', 150)], { pagesRead: MAX_REVEAL_PAGES })).toBe('show');
    expect(step([m('new', 150)], { failed: true })).toBe('show');
  });

  it('gives up when no unread message is held and nothing more can be read (they expired)', () => {
    expect(step([m('old', 50)], { hasMore: false })).toBe('missing');
  });

  it('reads older pages of a real conversation until the divider can be shown', async () => {
    let now = Date.UTC(2027, 2, 1, 9, 0);
    const api = new FakeMessenger(() => undefined, { seeded: true, now: () => now });
    const opened = (await api.snapshot()).conversations.find((candidate) => candidate.title === 'Front office');
    if (!opened) throw new Error('no group');
    await api.markRead(opened.id);
    for (let index = 0; index < 70; index++) {
      now += 1000;
      api.receive(opened.id, 'sam@example.org', `news ${index}`);
    }
    const view = (await api.snapshot()).conversations.find((candidate) => candidate.id === opened.id);
    const unread = view && unreadMarkAtOpening(view);
    if (!unread) throw new Error('nothing unread');
    const store = new ConversationStore(api);
    await store.open(opened.id);
    let pages = 0;
    for (;;) {
      const state = store.get(opened.id);
      const next = unreadJumpStep({ mark: unread, ...state, failed: false, pagesRead: pages });
      if (next !== 'read-older') {
        expect(next).toBe('show');
        break;
      }
      pages++;
      await store.loadOlder(opened.id);
    }
    expect(pages).toBe(1);
    const held = store.get(opened.id).messages;
    const first = held.find((candidate) => candidate.id === firstUnreadId(held, unread));
    expect(first?.text).toBe('news 0');
    expect(unreadCount(held, unread)).toBe(70);
  });
});
