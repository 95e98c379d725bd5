/**
 * Replies, reactions, edits, deletions for everyone, read receipts, typing indicators, mentions
 * and unread state (messages.md §5.8), between real messengers over the real relay. Mallory is a
 * member whose client writes what she likes into what she sends (support.ts `tamper`): she aims
 * her edits, deletions and reactions at other members' messages and replays old ones. None of it
 * changes what anyone else wrote.
 */
import { randomBytes } from 'node:crypto';
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, type MessageView } from '../../src/messenger/api';
import type { AppPayload } from '../../src/messenger/payload';
import type { Tamper } from '../../src/messenger/ports';
import { PASSPHRASE, conversationWith, enrolDevice, eventually, useSpecWorld, type TestMessenger } from './support';

const ALICE = 'alice@agency.example';
const BOB = 'bob@agency.example';
const MALLORY = 'mallory@agency.example';

interface Forgery {
  rewrite?: ((payload: AppPayload) => AppPayload) | undefined;
  /** The id of the device's next message. */
  nextId?: string | undefined;
}

const world = useSpecWorld();
const forgeMallory: Forgery = {};
const forgeAlice: Forgery = {};
let alice: TestMessenger;
let bob: TestMessenger;
let mallory: TestMessenger;

async function device(name: string, address: string, forgery?: Forgery): Promise<TestMessenger> {
  const tamper: Tamper | undefined = forgery
    ? {
        payload: (payload) => forgery.rewrite?.(payload) ?? payload,
        messageId: () => {
          const id = forgery.nextId;
          forgery.nextId = undefined;
          return id;
        },
      }
    : undefined;
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(tamper ? { tamper } : {}),
  });
  world.devices.push(entry);
  return entry;
}

beforeAll(async () => {
  alice = await device('alice', ALICE, forgeAlice);
  bob = await device('bob', BOB);
  mallory = await device('mallory', MALLORY, forgeMallory);
}, 60_000);

afterEach(() => {
  forgeMallory.rewrite = undefined;
  forgeAlice.rewrite = undefined;
});

async function find(member: TestMessenger, conversationId: string, text: string): Promise<MessageView> {
  return eventually(
    async () => (await member.api.messages(conversationId)).find((m) => m.text === text),
    `"${text}" at ${member.name}`,
  );
}

async function byId(member: TestMessenger, conversationId: string, id: string): Promise<MessageView | undefined> {
  return (await member.api.messages(conversationId)).find((m) => m.id === id);
}

/** A direct conversation between Alice and Bob, on both sides, with one message from each. */
async function direct(): Promise<{ atAlice: string; atBob: string }> {
  const atAliceId = await alice.api.startDirect(BOB);
  const hello = `hello bob ${Math.random()}`;
  await alice.api.send(atAliceId, hello);
  const atBobId = await conversationWith(bob.api, (t) => t === 'ALICE');
  // The conversation is the same in every test: wait for this test's first message.
  await find(bob, atBobId, hello);
  return { atAlice: atAliceId, atBob: atBobId };
}

async function group(title: string): Promise<{ atAlice: string; atBob: string; atMallory: string }> {
  const id = await alice.api.createGroup(title, [BOB, MALLORY]);
  return {
    atAlice: id,
    atBob: await conversationWith(bob.api, (t) => t === title),
    atMallory: await conversationWith(mallory.api, (t) => t === title),
  };
}

describe('replies', () => {
  test('a reply quotes the message it answers, and follows its edit and its deletion', async () => {
    const c = await direct();
    await alice.api.send(c.atAlice, 'the question');
    const question = await find(bob, c.atBob, 'the question');
    await bob.api.send(c.atBob, 'the answer', { replyTo: question.id });
    const atAlice = await find(alice, c.atAlice, 'the answer');
    const aliceQuestion = await find(alice, c.atAlice, 'the question');
    expect(atAlice.replyTo).toEqual({ messageId: aliceQuestion.id, address: ALICE, text: 'the question' });
    expect((await find(bob, c.atBob, 'the answer')).replyTo).toEqual({
      messageId: question.id,
      address: ALICE,
      text: 'the question',
    });

    await alice.api.editMessage(c.atAlice, aliceQuestion.id, 'the better question');
    await eventually(
      async () => (await find(bob, c.atBob, 'the answer')).replyTo?.text === 'the better question',
      "the quote at bob follows alice's edit",
    );
    expect((await find(alice, c.atAlice, 'the answer')).replyTo?.text).toBe('the better question');

    await alice.api.deleteForEveryone(c.atAlice, aliceQuestion.id);
    const deletedQuote = await eventually(async () => {
      const quote = (await find(bob, c.atBob, 'the answer')).replyTo;
      return quote?.deleted ? quote : undefined;
    }, 'the quote at bob shows the deletion');
    expect(deletedQuote).toEqual({ messageId: question.id, address: ALICE, deleted: true });
  }, 60_000);

  test('a reply to a message that is not in the conversation is refused and sends nothing', async () => {
    const c = await direct();
    await expect(bob.api.send(c.atBob, 'to nothing', { replyTo: 'f'.repeat(32) })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await bob.api.messages(c.atBob)).some((m) => m.text === 'to nothing')).toBe(false);
  }, 30_000);
});

describe('reactions', () => {
  test('one reaction per person: changed, taken back, shown grouped with who reacted', async () => {
    const c = await direct();
    await alice.api.send(c.atAlice, 'react to me');
    const atBob = await find(bob, c.atBob, 'react to me');
    await bob.api.react(c.atBob, atBob.id, '👍');
    const atAlice = await find(alice, c.atAlice, 'react to me');
    await eventually(
      async () => (await byId(alice, c.atAlice, atAlice.id))?.reactions?.[0]?.emoji === '👍',
      'the thumbs up at alice',
    );
    expect((await byId(alice, c.atAlice, atAlice.id))?.reactions).toEqual([
      { emoji: '👍', addresses: [BOB], mine: false },
    ]);
    expect((await byId(bob, c.atBob, atBob.id))?.reactions).toEqual([{ emoji: '👍', addresses: [BOB], mine: true }]);

    await bob.api.react(c.atBob, atBob.id, '❤️');
    await alice.api.react(c.atAlice, atAlice.id, '❤️');
    await eventually(async () => {
      const reactions = (await byId(alice, c.atAlice, atAlice.id))?.reactions;
      return reactions?.length === 1 && reactions[0]?.addresses.length === 2;
    }, 'two hearts at alice');
    expect((await byId(alice, c.atAlice, atAlice.id))?.reactions?.[0]).toMatchObject({ emoji: '❤️', mine: true });

    await bob.api.react(c.atBob, atBob.id, null);
    await eventually(
      async () => (await byId(alice, c.atAlice, atAlice.id))?.reactions?.[0]?.addresses.length === 1,
      "bob's heart taken back at alice",
    );
    expect((await byId(alice, c.atAlice, atAlice.id))?.reactions).toEqual([
      { emoji: '❤️', addresses: [ALICE], mine: true },
    ]);
  }, 60_000);

  test('a reaction that is not one emoji, or to an unknown message, is refused', async () => {
    const c = await direct();
    await alice.api.send(c.atAlice, 'only emoji here');
    const atBob = await find(bob, c.atBob, 'only emoji here');
    for (const bad of ['ok', '👍👍', 'a👍', ' '])
      await expect(bob.api.react(c.atBob, atBob.id, bad)).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(bob.api.react(c.atBob, `${'0'.repeat(32)}:${'f'.repeat(32)}`, '👍')).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await byId(bob, c.atBob, atBob.id))?.reactions).toBeUndefined();
  }, 30_000);

  test("a replayed older reaction does not undo a newer one, and a forged one is dropped (Mallory's client)", async () => {
    const g = await group(`Reactions ${Math.random()}`);
    await alice.api.send(g.atAlice, 'group words');
    const atMallory = await find(mallory, g.atMallory, 'group words');
    await mallory.api.react(g.atMallory, atMallory.id, '😮');
    const atBob = await find(bob, g.atBob, 'group words');
    await eventually(async () => (await byId(bob, g.atBob, atBob.id))?.reactions?.[0]?.emoji === '😮', 'wow at bob');
    // Her client now sends an older time with a new emoji, and then something that is not an emoji at all.
    forgeMallory.rewrite = (p) => (p.t === 'reaction' ? { ...p, at: 1 } : p);
    await mallory.api.react(g.atMallory, atMallory.id, '😢');
    forgeMallory.rewrite = (p) => (p.t === 'reaction' ? { ...p, emoji: 'send money to mallory' } : p);
    await mallory.api.react(g.atMallory, atMallory.id, '🙏');
    forgeMallory.rewrite = undefined;
    await mallory.api.send(g.atMallory, 'mallory after the reactions');
    await find(bob, g.atBob, 'mallory after the reactions');
    expect((await byId(bob, g.atBob, atBob.id))?.reactions).toEqual([
      { emoji: '😮', addresses: [MALLORY], mine: false },
    ]);
  }, 60_000);
});

describe('edits and deletions for everyone', () => {
  test('an edit replaces the text everywhere, keeps the earlier versions on each device, and is ordered by time', async () => {
    const c = await direct();
    const id = await alice.api.send(c.atAlice, 'frist draft');
    await find(bob, c.atBob, 'frist draft');
    await alice.api.editMessage(c.atAlice, id, 'first draft');
    await alice.api.editMessage(c.atAlice, id, 'first draft, final');
    const atBob = await find(bob, c.atBob, 'first draft, final');
    expect(atBob.editedAt).toBeGreaterThan(atBob.sentAt);
    expect(atBob.edits?.map((e) => e.text)).toEqual(['frist draft', 'first draft']);
    const atAlice = await byId(alice, c.atAlice, id);
    expect(atAlice?.text).toBe('first draft, final');
    expect(atAlice?.edits?.map((e) => e.text)).toEqual(['frist draft', 'first draft']);
  }, 60_000);

  test("nobody edits or deletes another member's message (Mallory aims hers at Alice's)", async () => {
    const g = await group(`Rewrites ${Math.random()}`);
    const aliceId = await alice.api.send(g.atAlice, 'what alice said');
    const atMallory = await find(mallory, g.atMallory, 'what alice said');
    await expect(mallory.api.editMessage(g.atMallory, atMallory.id, 'alice said yes')).rejects.toMatchObject({
      code: 'not_allowed',
    });
    await expect(mallory.api.deleteForEveryone(g.atMallory, atMallory.id)).rejects.toMatchObject({
      code: 'not_allowed',
    });
    // Her client rewrites the target of her own edit and deletion to Alice's message.
    const own = await mallory.api.send(g.atMallory, 'mallory own words');
    await find(bob, g.atBob, 'mallory own words');
    const aliceDevice = (await alice.api.snapshot()).device?.deviceId as string;
    const target = { from: ALICE, device: aliceDevice, id: aliceId };
    forgeMallory.rewrite = (p) => (p.t === 'edit' || p.t === 'delete' ? { ...p, target } : p);
    await mallory.api.editMessage(g.atMallory, own, 'alice said yes');
    // Or names Alice's message under her own address: that names nothing.
    forgeMallory.rewrite = (p) => (p.t === 'delete' ? { ...p, target: { ...target, from: MALLORY } } : p);
    await mallory.api.deleteForEveryone(g.atMallory, own);
    forgeMallory.rewrite = undefined;
    await mallory.api.send(g.atMallory, 'mallory is done');
    await find(bob, g.atBob, 'mallory is done');
    await find(alice, g.atAlice, 'mallory is done');
    for (const [member, conversation] of [
      [bob, g.atBob],
      [alice, g.atAlice],
    ] as const) {
      const message = await find(member, conversation, 'what alice said');
      expect(message.editedAt).toBeUndefined();
      expect(message.deletedAt).toBeUndefined();
    }
  }, 60_000);

  test('a deletion for everyone leaves only a marker on every device, out of search and of shared history', async () => {
    const c = await direct();
    const id = await alice.api.send(c.atAlice, 'zanzibar secret plans');
    const atBob = await find(bob, c.atBob, 'zanzibar secret plans');
    await bob.api.react(c.atBob, atBob.id, '👍');
    await alice.api.deleteForEveryone(c.atAlice, id);
    const gone = await eventually(async () => {
      const message = await byId(bob, c.atBob, atBob.id);
      return message?.deletedAt !== undefined ? message : undefined;
    }, 'the deletion at bob');
    expect(gone.text).toBeUndefined();
    expect(gone.reactions).toBeUndefined();
    expect(gone.sender?.address).toBe(ALICE);
    expect((await byId(alice, c.atAlice, id))?.deletedAt).toBeDefined();
    // The conversation list no longer shows its words, nor does search.
    const preview = (await bob.api.snapshot()).conversations.find((v) => v.id === c.atBob)?.lastMessage?.preview;
    expect(preview).not.toContain('zanzibar');
    await eventually(
      async () => ((await bob.api.searchMessages('zanzibar', c.atBob)).length === 0 ? true : undefined),
      'search forgets the deleted message',
    );
    // A deleted message cannot be reacted to, replied to, edited or deleted again.
    await expect(bob.api.react(c.atBob, atBob.id, '❤️')).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(bob.api.send(c.atBob, 're', { replyTo: atBob.id })).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(alice.api.editMessage(c.atAlice, id, 'again')).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(alice.api.deleteForEveryone(c.atAlice, id)).rejects.toMatchObject({ code: 'not_allowed' });
  }, 60_000);

  test('edits and deletions close with their window, at the author and at receivers', async () => {
    const c = await direct();
    const late = await alice.api.send(c.atAlice, 'said long ago');
    await find(bob, c.atBob, 'said long ago');
    alice.clockOffset = EDIT_WINDOW_MS + 60_000;
    try {
      await expect(alice.api.editMessage(c.atAlice, late, 'too late')).rejects.toMatchObject({ code: 'not_allowed' });
      expect(DELETE_WINDOW_MS).toBeLessThan(alice.clockOffset);
      await expect(alice.api.deleteForEveryone(c.atAlice, late)).rejects.toMatchObject({ code: 'not_allowed' });
    } finally {
      alice.clockOffset = 0;
    }
    // A client that claims a time past the window is not followed by receivers.
    const id = await alice.api.send(c.atAlice, 'within the window');
    await find(bob, c.atBob, 'within the window');
    forgeAlice.rewrite = (p) =>
      p.t === 'edit' || p.t === 'delete' ? { ...p, at: p.at + Math.max(EDIT_WINDOW_MS, DELETE_WINDOW_MS) } : p;
    await alice.api.editMessage(c.atAlice, id, 'rewritten a day later');
    await alice.api.deleteForEveryone(c.atAlice, late);
    forgeAlice.rewrite = undefined;
    await alice.api.send(c.atAlice, 'marker after the late changes');
    await find(bob, c.atBob, 'marker after the late changes');
    expect((await find(bob, c.atBob, 'within the window')).editedAt).toBeUndefined();
    expect((await find(bob, c.atBob, 'said long ago')).deletedAt).toBeUndefined();
  }, 60_000);
});

describe('changes that arrive before their message', () => {
  test('a reaction and a deletion that overtake the message they name apply when it arrives', async () => {
    const g = await group(`Early ${Math.random()}`);
    const aliceDevice = (await alice.api.snapshot()).device?.deviceId as string;
    const early = randomBytes(16).toString('hex');
    const doomed = randomBytes(16).toString('hex');
    // Mallory's client aims a reaction at the message Alice will send next, before she sends it.
    const own = await mallory.api.send(g.atMallory, 'mallory first');
    await find(bob, g.atBob, 'mallory first');
    forgeMallory.rewrite = (p) =>
      p.t === 'reaction' ? { ...p, target: { from: ALICE, device: aliceDevice, id: early } } : p;
    await mallory.api.react(g.atMallory, own, '🎉');
    forgeMallory.rewrite = undefined;
    // Alice's client deletes a message she has not sent yet (the deletion travels first).
    const decoy = await alice.api.send(g.atAlice, 'alice decoy');
    await find(bob, g.atBob, 'alice decoy');
    forgeAlice.rewrite = (p) => (p.t === 'delete' ? { ...p, target: { ...p.target, id: doomed } } : p);
    await alice.api.deleteForEveryone(g.atAlice, decoy);
    forgeAlice.rewrite = undefined;
    await mallory.api.send(g.atMallory, 'mallory reacted early');
    await find(bob, g.atBob, 'mallory reacted early');

    forgeAlice.nextId = early;
    await alice.api.send(g.atAlice, 'the message mallory reacted to');
    forgeAlice.nextId = doomed;
    await alice.api.send(g.atAlice, 'deleted before it arrived');
    const reacted = await find(bob, g.atBob, 'the message mallory reacted to');
    expect(reacted.reactions).toEqual([{ emoji: '🎉', addresses: [MALLORY], mine: false }]);
    const gone = await eventually(
      async () => (await bob.api.messages(g.atBob)).find((m) => m.id.endsWith(`:${doomed}`)),
      'the deleted message at bob',
    );
    expect(gone.deletedAt).toBeDefined();
    expect(gone.text).toBeUndefined();
    // Mallory's own message kept no reaction: the early one named Alice's.
    expect((await find(bob, g.atBob, 'mallory first')).reactions).toBeUndefined();
  }, 60_000);
});

describe('read receipts and typing indicators', () => {
  test('read receipts mark our message read; they are reciprocal and can be turned off', async () => {
    const c = await direct();
    const id = await alice.api.send(c.atAlice, 'please read');
    await find(bob, c.atBob, 'please read');
    await eventually(async () => (await byId(alice, c.atAlice, id))?.status === 'delivered', 'delivered');
    await bob.api.markRead(c.atBob);
    await eventually(async () => (await byId(alice, c.atAlice, id))?.status === 'read', 'read at alice');
    expect((await byId(alice, c.atAlice, id))?.readBy).toEqual([BOB]);
    const bobView = (await bob.api.snapshot()).conversations.find((v) => v.id === c.atBob);
    expect(bobView?.unread).toBe(0);
    expect(bobView?.lastReadAt).toBeGreaterThan(0);

    // Alice turns hers off: she sees no one's either (the message shows delivered).
    await alice.api.setPreferences({ readReceipts: false });
    expect((await alice.api.snapshot()).preferences).toEqual({
      readReceipts: false,
      typingIndicators: true,
      directChannels: 'direct',
    });
    expect((await byId(alice, c.atAlice, id))?.status).toBe('delivered');
    expect((await byId(alice, c.atAlice, id))?.readBy).toBeUndefined();
    await alice.api.setPreferences({ readReceipts: true });

    // Bob turns his off: reading sends nothing.
    await bob.api.setPreferences({ readReceipts: false });
    const unseen = await alice.api.send(c.atAlice, 'read silently');
    await find(bob, c.atBob, 'read silently');
    await eventually(async () => (await byId(alice, c.atAlice, unseen))?.status === 'delivered', 'delivered');
    await bob.api.markRead(c.atBob);
    await bob.api.send(c.atBob, 'bob after reading');
    await find(alice, c.atAlice, 'bob after reading');
    expect((await byId(alice, c.atAlice, unseen))?.status).toBe('delivered');
    await bob.api.setPreferences({ readReceipts: true });
  }, 60_000);

  test("a member's read receipt cannot mark another member's message read", async () => {
    const g = await group(`Reads ${Math.random()}`);
    const id = await alice.api.send(g.atAlice, 'for the group');
    await find(bob, g.atBob, 'for the group');
    const mallorysOwn = await mallory.api.send(g.atMallory, 'mallory writes too');
    await find(alice, g.atAlice, 'mallory writes too');
    // Every read receipt Mallory sends names Alice's message to Bob too, and Bob's...
    forgeMallory.rewrite = (p) => (p.t === 'read' ? { ...p, ids: [...p.ids, id] } : p);
    await bob.api.send(g.atBob, 'bob writes');
    await find(mallory, g.atMallory, 'bob writes');
    await mallory.api.markRead(g.atMallory);
    forgeMallory.rewrite = undefined;
    await mallory.api.send(g.atMallory, 'mallory read');
    await find(alice, g.atAlice, 'mallory read');
    // Alice's message was sent to Mallory: her receipt may count for herself, never make it `read` without Bob.
    expect((await byId(alice, g.atAlice, id))?.status).not.toBe('read');
    expect((await byId(alice, g.atAlice, id))?.readBy ?? []).not.toContain(BOB);
    expect(mallorysOwn).toBeDefined();
  }, 60_000);

  test('typing indicators come and go, and are not shown or sent when turned off', async () => {
    const c = await direct();
    await alice.api.setTyping(c.atAlice, true);
    await eventually(async () => bob.typing.get(c.atBob)?.includes(ALICE), 'alice typing at bob');
    await alice.api.setTyping(c.atAlice, false);
    await eventually(async () => bob.typing.get(c.atBob)?.length === 0, 'alice stopped at bob');
    // A stale indicator (it waited on a relay) is not shown.
    forgeAlice.rewrite = (p) => (p.t === 'typing' ? { ...p, at: p.at - 120_000 } : p);
    await alice.api.setTyping(c.atAlice, true);
    forgeAlice.rewrite = undefined;
    await alice.api.send(c.atAlice, 'after a stale indicator');
    await find(bob, c.atBob, 'after a stale indicator');
    expect(bob.typing.get(c.atBob)).toEqual([]);
    await alice.api.setTyping(c.atAlice, false);

    await bob.api.setPreferences({ typingIndicators: false });
    await alice.api.setTyping(c.atAlice, true);
    await alice.api.send(c.atAlice, 'typed while bob does not look');
    await find(bob, c.atBob, 'typed while bob does not look');
    expect(bob.typing.get(c.atBob)).toEqual([]);
    await bob.api.setPreferences({ typingIndicators: true });
    await alice.api.setTyping(c.atAlice, false);
  }, 60_000);
});

describe('mentions, notification levels and unread state', () => {
  test('a mention names group members only; it counts for the mentioned member until read', async () => {
    const g = await group(`Mentions ${Math.random()}`);
    await alice.api.send(g.atAlice, '@BOB can you look?', { mentions: [BOB, 'outsider@agency.example'] });
    const atBob = await find(bob, g.atBob, '@BOB can you look?');
    expect(atBob.mentions).toEqual([BOB]);
    expect(atBob.mentionsMe).toBe(true);
    const atMallory = await find(mallory, g.atMallory, '@BOB can you look?');
    expect(atMallory.mentionsMe).toBeUndefined();
    const view = async () => (await bob.api.snapshot()).conversations.find((v) => v.id === g.atBob);
    expect((await view())?.unreadMentions).toBe(1);
    expect((await view())?.notify).toBe('all');
    await bob.api.setNotify(g.atBob, 'mentions');
    expect((await view())?.notify).toBe('mentions');
    await bob.api.markRead(g.atBob);
    expect((await view())?.unreadMentions).toBe(0);
    expect((await view())?.unread).toBe(0);
  }, 60_000);

  test('unread messages are those received after the last read', async () => {
    const c = await direct();
    await bob.api.markRead(c.atBob);
    const readAt = (await bob.api.snapshot()).conversations.find((v) => v.id === c.atBob)?.lastReadAt as number;
    await bob.api.lock();
    await alice.api.send(c.atAlice, 'while bob was away 1');
    await alice.api.send(c.atAlice, 'while bob was away 2');
    await bob.api.unlock(PASSPHRASE);
    await find(bob, c.atBob, 'while bob was away 2');
    const view = (await bob.api.snapshot()).conversations.find((v) => v.id === c.atBob);
    expect(view?.unread).toBe(2);
    expect(view?.lastReadAt).toBe(readAt);
    const unread = (await bob.api.messages(c.atBob)).filter((m) => !m.mine && m.receivedAt > readAt);
    expect(unread.map((m) => m.text)).toEqual(['while bob was away 1', 'while bob was away 2']);
  }, 60_000);
});
