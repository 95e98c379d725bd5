/**
 * What is shown on and under a message, as the server renders it and driven through the fake
 * messenger: reaction chips (count, pressed when ours, who reacted) and the picker with its check
 * of a typed emoji; the read mark ("Read", "Read by N of M" in groups); mentions marked, this
 * user's own more strongly; and the French words.
 */
import { createElement } from 'react';
import type { ConversationView, MemberView, MessageView } from '../../src/messenger/api';
import { QUICK_REACTIONS } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import type { MessageHandlers } from '../../src/ui/main/message-item';
import { MessageList } from '../../src/ui/main/message-list';
import { statusWords } from '../../src/ui/main/message-status';
import { ReactionPicker, typedReaction } from '../../src/ui/main/reaction-picker';
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
const sam = member('sam@example.org', 'Sam Dubois');
const kim = member('kim@example.org', 'Kim Laurent');
const noor = member('noor@example.org', 'Noor Haddad');
const group: ConversationView = conversationView({
  id: 'g1',
  kind: 'group',
  title: 'Front office',
  members: [self, sam, kim, noor],
});
const handlers: MessageHandlers = { reply: () => undefined, edit: () => undefined, openQuote: () => undefined };
const SENT = Date.now() - 60_000;

function message(fields: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    conversationId: 'g1',
    sender: { address: sam.address, displayName: sam.displayName, deviceId: 'd1' },
    mine: false,
    text: 'Fire drill at 11:00',
    sentAt: SENT,
    receivedAt: SENT,
    ...fields,
  };
}

const list = (messages: MessageView[], conversation: ConversationView = group) =>
  renderScreen(createElement(MessageList, { conversation, messages, selfAddress: self.address, handlers }));

describe('reactions under a message', () => {
  it('shows one chip per emoji with its count, pressed when this user’s reaction is among them', () => {
    const html = list([
      message({
        reactions: [
          { emoji: '👍', addresses: [kim.address, self.address], mine: true },
          { emoji: '😮', addresses: [noor.address], mine: false },
        ],
      }),
    ]);
    expect(html).toMatch(/<ul class="message-reactions" aria-label="Reactions"/);
    // The accessible name starts with what is seen (emoji and count), then says who reacted.
    expect(html).toMatch(
      /data-emoji="👍" aria-pressed="true" title="👍 from Kim Laurent and you\. Press to remove yours"><span class="reaction-emoji">👍<\/span><span class="reaction-count">2<\/span><span class="visually-hidden">, 👍 from Kim Laurent and you\. Press to remove yours<\/span>/,
    );
    expect(html).toMatch(/data-emoji="😮" aria-pressed="false" title="😮 from Noor Haddad">/);
  });

  it('follows a reaction through the fake: ours toggles on, then off', async () => {
    const api = new FakeMessenger(() => undefined, { seeded: true });
    const conversation = (await api.snapshot()).conversations.find((candidate) => candidate.title === 'Front office');
    if (!conversation) throw new Error('no group');
    const id = api.receive(conversation.id, sam.address, 'Who takes the second floor?');
    api.reactAs(kim.address, conversation.id, id, '🙏');
    const render = async () =>
      renderScreen(
        createElement(MessageList, {
          conversation,
          messages: await api.messages(conversation.id),
          selfAddress: self.address,
          handlers,
        }),
      );
    expect(await render()).toMatch(/data-emoji="🙏" aria-pressed="false"/);
    await api.react(conversation.id, id, '🙏');
    expect(await render()).toMatch(/data-emoji="🙏" aria-pressed="true"[^>]*>.*?>2</);
    await api.react(conversation.id, id, null);
    expect(await render()).toMatch(/data-emoji="🙏" aria-pressed="false"[^>]*>.*?>1</);
  });

  it('shows chips that cannot be pressed in a conversation this user left', () => {
    const html = list([message({ reactions: [{ emoji: '👍', addresses: [kim.address], mine: false }] })], {
      ...group,
      active: false,
    });
    expect(html).toMatch(/data-emoji="👍"[^>]*disabled=""/);
  });
});

describe('the reaction picker', () => {
  it('offers the quick reactions, ours pressed, and a field for any other emoji', () => {
    const html = renderScreen(
      createElement(ReactionPicker, { mine: '❤️', onPick: () => undefined, onClose: () => undefined }),
    );
    expect(html).toMatch(/role="dialog" aria-label="React to this message"/);
    expect(html.match(/data-testid="reaction-choice"/g)).toHaveLength(QUICK_REACTIONS.length);
    expect(html).toMatch(/data-emoji="❤️" aria-pressed="true"/);
    expect(html).toMatch(/<label for="[^"]+">Another emoji<\/label>/);
    expect(html).toContain('data-testid="reaction-remove"');
  });

  it('offers no “remove” without a reaction of ours', () => {
    const html = renderScreen(
      createElement(ReactionPicker, { mine: undefined, onPick: () => undefined, onClose: () => undefined }),
    );
    expect(html).not.toContain('data-testid="reaction-remove"');
  });

  it('takes exactly one emoji, with its skin tone or ZWJ sequence, trimmed', () => {
    expect(typedReaction('👍')).toBe('👍');
    expect(typedReaction(' 🎉 ')).toBe('🎉');
    expect(typedReaction('👍🏽')).toBe('👍🏽');
    expect(typedReaction('👩‍💻')).toBe('👩‍💻');
    expect(typedReaction('🇫🇷')).toBe('🇫🇷');
  });

  it('refuses letters, two emoji, or nothing', () => {
    expect(typedReaction('ok')).toBeUndefined();
    expect(typedReaction('👍👍')).toBeUndefined();
    expect(typedReaction('a👍')).toBeUndefined();
    expect(typedReaction('')).toBeUndefined();
  });
});

describe('the read mark', () => {
  it('has its own filled icon and the word “Read”', () => {
    const direct: ConversationView = { ...group, kind: 'direct', members: [self, sam] };
    const html = list([message({ mine: true, status: 'read', readBy: [sam.address] })], direct);
    expect(html).toMatch(/class="message-status status-read" title="Read"/);
    expect(html).toContain('class="icon icon-filled"');
  });

  it('says “Read by N of M” in a group, from readBy', () => {
    const html = list([message({ mine: true, status: 'delivered', readBy: [sam.address, kim.address] })]);
    expect(html).toMatch(/class="message-status status-delivered" title="Read by 2 of 3"/);
    expect(statusWords({ status: 'read', readBy: [sam.address, kim.address, noor.address] }, group)).toEqual({
      key: 'message.read-by',
      params: { count: 3, total: 3 },
    });
  });

  it('keeps the plain status while nobody has read it, and in a 1:1', () => {
    expect(statusWords({ status: 'delivered' }, group)).toEqual({ key: 'message.status.delivered' });
    expect(statusWords({ status: 'read', readBy: [sam.address] }, { kind: 'direct', members: [self, sam] })).toEqual({
      key: 'message.status.read',
    });
  });
});

describe('mentions in a message', () => {
  it('marks the @Name of each mentioned member, this user’s own more strongly, and the message', () => {
    const html = list([
      message({
        text: '@Dominique Roy and @Kim Laurent: the second floor',
        mentions: [self.address, kim.address],
        mentionsMe: true,
      }),
    ]);
    expect(html).toMatch(/<li class="message theirs mentions-me"/);
    expect(html).toContain('Mentions you.');
    expect(html).toMatch(/<span class="mention mention-me"[^>]*data-address="me@example.org">@Dominique Roy<\/span>/);
    expect(html).toMatch(/<span class="mention"[^>]*data-address="kim@example.org">@Kim Laurent<\/span>/);
  });

  it('leaves an @Name that the message does not list as a mention plain', () => {
    const html = list([message({ text: '@Kim Laurent hi' })]);
    expect(html).not.toContain('class="mention');
  });
});

describe('in French', () => {
  const t = translatorFor('fr');

  it('says the actions, the read mark and the placeholders', () => {
    expect(t('message.action.delete')).toBe('Supprimer pour tous');
    expect(t('message.status.read')).toBe('Lu');
    expect(t('message.read-by', { count: 2, total: 5 })).toBe('Lu par 2 sur 5');
    expect(t('message.deleted')).toBe('Ce message a été supprimé');
    expect(t('quote.missing')).toBe('Message d’origine indisponible');
  });

  it('counts new messages and mention choices by French plural rules', () => {
    expect(t('unread.divider', { count: 1 })).toBe('1 nouveau message');
    expect(t('unread.divider', { count: 4 })).toBe('4 nouveaux messages');
    expect(t('mentions.choices', { count: 2 })).toMatch(/^2 membres à mentionner/);
  });
});
