/**
 * The fake messenger keeps the contract's rules for replies, reactions, edits, deletion for
 * everyone, mentions, read status, typing and the conversation settings (api-commands.ts), so
 * that the UI specs driving it meet the same refusals as with the worker.
 */
import type { ConversationView, MessageView, MessengerEvent } from '../../src/messenger/api';
import { EDIT_WINDOW_MS } from '../../src/messenger/api';
import { FakeMessenger } from './fake-messenger';

const START = Date.UTC(2027, 2, 1, 9, 0);

async function world() {
  let now = START;
  const events: MessengerEvent[] = [];
  const api = new FakeMessenger((event) => events.push(event), { seeded: true, now: () => now });
  const conversations = (await api.snapshot()).conversations;
  const find = (title: string): ConversationView => {
    const found = conversations.find((conversation) => conversation.title === title);
    if (!found) throw new Error(title);
    return found;
  };
  const message = async (conversationId: string, id: string): Promise<MessageView> => {
    const found = (await api.messages(conversationId)).find((candidate) => candidate.id === id);
    if (!found) throw new Error(id);
    return found;
  };
  return {
    api,
    events,
    direct: find('Alex Martin'),
    group: find('Front office'),
    message,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('send with a reply and mentions', () => {
  it('quotes the message answered, by its id, author and words', async () => {
    const { api, direct, message } = await world();
    const original = api.receive(direct.id, 'alex@example.org', 'Lunch at noon?');
    const id = await api.send(direct.id, 'Yes!', { replyTo: original });
    expect((await message(direct.id, id)).replyTo).toEqual({
      messageId: original,
      address: 'alex@example.org',
      text: 'Lunch at noon?',
    });
  });

  it('refuses a reply to a message that is not in the conversation', async () => {
    const { api, direct } = await world();
    await expect(api.send(direct.id, 'Yes!', { replyTo: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps only mentions of members of the group', async () => {
    const { api, group, message } = await world();
    const id = await api.send(group.id, '@Sam Dubois @Alex Martin', {
      mentions: ['sam@example.org', 'alex@example.org'],
    });
    expect((await message(group.id, id)).mentions).toEqual(['sam@example.org']);
  });

  it('marks a received message that mentions this user, and counts it unread', async () => {
    const { api, group, message } = await world();
    const id = api.receive(group.id, 'sam@example.org', '@Dominique Roy look', { mentions: ['me@example.org'] });
    expect((await message(group.id, id)).mentionsMe).toBe(true);
    const view = (await api.snapshot()).conversations.find((conversation) => conversation.id === group.id);
    expect(view?.unreadMentions).toBe(1);
  });
});

describe('reactions', () => {
  it('adds, replaces (one per person) and removes this user’s reaction', async () => {
    const { api, direct, message } = await world();
    const id = api.receive(direct.id, 'alex@example.org', 'Done');
    await api.react(direct.id, id, '👍');
    expect((await message(direct.id, id)).reactions).toEqual([
      { emoji: '👍', addresses: ['me@example.org'], mine: true },
    ]);
    await api.react(direct.id, id, '❤️');
    expect((await message(direct.id, id)).reactions).toEqual([
      { emoji: '❤️', addresses: ['me@example.org'], mine: true },
    ]);
    await api.react(direct.id, id, null);
    expect((await message(direct.id, id)).reactions).toBeUndefined();
  });

  it('counts others’ reactions with this user’s under one emoji', async () => {
    const { api, group, message } = await world();
    const id = api.receive(group.id, 'sam@example.org', 'Fire drill at 11');
    api.reactAs('kim@example.org', group.id, id, '👍');
    await api.react(group.id, id, '👍');
    expect((await message(group.id, id)).reactions).toEqual([
      { emoji: '👍', addresses: ['kim@example.org', 'me@example.org'], mine: true },
    ]);
  });

  it('refuses a reaction to a deleted message and to a system line', async () => {
    const { api, direct, group } = await world();
    const id = api.receive(direct.id, 'alex@example.org', 'oops');
    api.deleteAsAuthor(direct.id, id);
    await expect(api.react(direct.id, id, '👍')).rejects.toMatchObject({ code: 'not_allowed' });
    const system = (await api.messages(group.id)).find((candidate) => candidate.system);
    if (!system) throw new Error('no system line');
    await expect(api.react(group.id, system.id, '👍')).rejects.toMatchObject({ code: 'not_allowed' });
  });
});

describe('edits', () => {
  it('replaces the text of our message and keeps the earlier version', async () => {
    const { api, direct, message, advance } = await world();
    const id = await api.send(direct.id, 'See you at 10');
    advance(60_000);
    await api.editMessage(direct.id, id, 'See you at 11');
    const edited = await message(direct.id, id);
    expect(edited.text).toBe('See you at 11');
    expect(edited.editedAt).toBe(START + 60_000);
    expect(edited.edits).toEqual([{ text: 'See you at 10', at: START }]);
  });

  it('refuses to edit someone else’s message', async () => {
    const { api, direct } = await world();
    const id = api.receive(direct.id, 'alex@example.org', 'mine, not yours');
    await expect(api.editMessage(direct.id, id, 'changed')).rejects.toMatchObject({ code: 'not_allowed' });
  });

  it('refuses an edit once the window has passed', async () => {
    const { api, direct, advance } = await world();
    const id = await api.send(direct.id, 'old');
    advance(EDIT_WINDOW_MS);
    await expect(api.editMessage(direct.id, id, 'new')).rejects.toMatchObject({ code: 'not_allowed' });
  });

  it('shows the new words in the quotes of replies to it', async () => {
    const { api, direct, message } = await world();
    const id = await api.send(direct.id, 'at 10');
    const reply = api.receive(direct.id, 'alex@example.org', 'ok', { replyTo: id });
    await api.editMessage(direct.id, id, 'at 11');
    expect((await message(direct.id, reply)).replyTo?.text).toBe('at 11');
  });
});

describe('deletion for everyone', () => {
  it('leaves only the place of our message, and says so in quotes of it', async () => {
    const { api, direct, message } = await world();
    const id = await api.send(direct.id, 'wrong chat');
    await api.react(direct.id, id, '😮');
    const reply = api.receive(direct.id, 'alex@example.org', '?', { replyTo: id });
    await api.deleteForEveryone(direct.id, id);
    const deleted = await message(direct.id, id);
    expect(deleted.deletedAt).toBe(START);
    expect(deleted.text).toBeUndefined();
    expect(deleted.reactions).toBeUndefined();
    expect((await message(direct.id, reply)).replyTo).toEqual({
      messageId: id,
      address: 'me@example.org',
      deleted: true,
    });
  });

  it('refuses someone else’s message, and ours after the window', async () => {
    const { api, direct, advance } = await world();
    const theirs = api.receive(direct.id, 'alex@example.org', 'hi');
    await expect(api.deleteForEveryone(direct.id, theirs)).rejects.toMatchObject({ code: 'not_allowed' });
    const ours = await api.send(direct.id, 'hello');
    advance(EDIT_WINDOW_MS + 1);
    await expect(api.deleteForEveryone(direct.id, ours)).rejects.toMatchObject({ code: 'not_allowed' });
  });
});

describe('read status, typing and settings', () => {
  it('turns our message `read` once every other member read it, with who did', async () => {
    const { api, group, message } = await world();
    const id = await api.send(group.id, 'All read this?');
    api.readBy(group.id, id, ['sam@example.org']);
    expect(await message(group.id, id)).toMatchObject({ status: 'delivered', readBy: ['sam@example.org'] });
    api.readBy(group.id, id, ['kim@example.org', 'noor@example.org']);
    expect((await message(group.id, id)).status).toBe('read');
  });

  it('records setTyping calls and announces who types as an event', async () => {
    const { api, events, direct } = await world();
    await api.setTyping(direct.id, true);
    await api.setTyping(direct.id, false);
    expect(api.typingCalls).toEqual([
      { conversationId: direct.id, typing: true },
      { conversationId: direct.id, typing: false },
    ]);
    api.typingIn(direct.id, ['alex@example.org']);
    expect(events.at(-1)).toEqual({ type: 'typing', conversationId: direct.id, addresses: ['alex@example.org'] });
  });

  it('keeps the preferences and the notification level in the snapshot', async () => {
    const { api, group } = await world();
    expect((await api.snapshot()).preferences).toEqual({
      readReceipts: true,
      typingIndicators: true,
      directChannels: 'direct',
    });
    await api.setPreferences({ typingIndicators: false, directChannels: 'turn_only' });
    await api.setNotify(group.id, 'mentions');
    const snapshot = await api.snapshot();
    expect(snapshot.preferences).toEqual({ readReceipts: true, typingIndicators: false, directChannels: 'turn_only' });
    expect(snapshot.conversations.find((conversation) => conversation.id === group.id)?.notify).toBe('mentions');
  });

  it('moves lastReadAt when the conversation is marked read', async () => {
    const { api, group, advance } = await world();
    expect(group.lastReadAt).toBe(0);
    advance(5_000);
    await api.markRead(group.id);
    const view = (await api.snapshot()).conversations.find((conversation) => conversation.id === group.id);
    expect(view).toMatchObject({ unread: 0, lastReadAt: START + 5_000 });
  });
});
