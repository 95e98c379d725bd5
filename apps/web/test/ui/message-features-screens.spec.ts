/**
 * Replies, the actions menu, edits and deletion for everyone, as the server renders them (no
 * effects run) and driven through the fake messenger: the quote above a reply and the reply sent
 * with `replyTo`; which actions a message offers (none on others' for edit and delete, none after
 * the window, none on a deleted message or a system line); "edited" and the earlier versions; the
 * delete confirmation and the placeholder left.
 */
import { createElement } from 'react';
import type { ConversationView, MemberView, MessageView } from '../../src/messenger/api';
import { DELETE_WINDOW_MS } from '../../src/messenger/api';
import { Composer } from '../../src/ui/main/composer';
import { sendOptions } from '../../src/ui/main/composer-mode';
import { DeleteMessageDialog } from '../../src/ui/main/delete-message-dialog';
import { EditHistoryDialog } from '../../src/ui/main/edit-history-dialog';
import type { MessageHandlers } from '../../src/ui/main/message-item';
import { MessageList } from '../../src/ui/main/message-list';
import { lastEditableMessage, messageActionsFor, snippet } from '../../src/ui/main/message-rules';
import { FakeMessenger } from './fake-messenger';
import { renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

const NOW = Date.UTC(2027, 2, 1, 9, 0);
const self: MemberView = { address: 'me@example.org', displayName: 'Dominique Roy', devices: [], isSelf: true };
const alex: MemberView = { address: 'alex@example.org', displayName: 'Alex Martin', devices: [], isSelf: false };
const direct: ConversationView = conversationView({
  id: 'c1',
  kind: 'direct',
  title: 'Alex Martin',
  members: [self, alex],
});
const handlers: MessageHandlers = { reply: () => undefined, edit: () => undefined, openQuote: () => undefined };

function message(fields: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    conversationId: 'c1',
    sender: { address: alex.address, displayName: alex.displayName, deviceId: 'd1' },
    mine: false,
    text: 'Lunch at noon?',
    sentAt: Date.now() - 60_000,
    receivedAt: Date.now() - 60_000,
    ...fields,
  };
}

const mine = (fields: Partial<MessageView> = {}) =>
  message({
    id: 'm2',
    mine: true,
    sender: { address: self.address, displayName: self.displayName, deviceId: 'd0' },
    ...fields,
  });

const list = (messages: MessageView[], conversation: ConversationView = direct) =>
  renderScreen(createElement(MessageList, { conversation, messages, selfAddress: self.address, handlers }));

/** The data-testid="action-…" items in the rendered menus. */
const offered = (html: string) => [...html.matchAll(/data-testid="action-([a-z]+)"/g)].map((match) => match[1]);

/** A seeded fake messenger, its 1:1 with Alex, and the messages of it as the list gets them. */
async function fakeWorld() {
  const api = new FakeMessenger(() => undefined, { seeded: true });
  const conversation = (await api.snapshot()).conversations.find((candidate) => candidate.title === 'Alex Martin');
  if (!conversation) throw new Error('no conversation');
  const render = async () =>
    renderScreen(
      createElement(MessageList, {
        conversation,
        messages: await api.messages(conversation.id),
        selfAddress: self.address,
        handlers,
      }),
    );
  return { api, conversation, render };
}

describe('replies', () => {
  it('shows the quote above the reply: author, words, and a button to the original', () => {
    const html = list([
      mine({ text: 'Yes!', replyTo: { messageId: 'm1', address: alex.address, text: 'Lunch at noon?' } }),
    ]);
    expect(html).toMatch(
      /<button type="button" class="message-quote"[^>]*data-quote-id="m1"[^>]*title="Show the original message"/,
    );
    expect(html).toContain('In reply to');
    expect(html).toContain('<span class="quote-author">Alex Martin</span>');
    expect(html).toContain('<span class="quote-text">Lunch at noon?</span>');
  });

  it('says when the original was deleted or is not on this device, and offers no button then', () => {
    const deleted = list([mine({ replyTo: { messageId: 'm1', address: alex.address, deleted: true } })]);
    expect(deleted).toContain('Original message deleted');
    expect(deleted).toMatch(/<p class="message-quote"[^>]*data-quote-state="deleted"/);
    const missing = list([mine({ replyTo: { address: alex.address, missing: true } })]);
    expect(missing).toContain('Original message not available');
    expect(missing).not.toContain('data-quote-id');
  });

  it('names this user “You” in a quote of their own message, and a file by its name', () => {
    const html = list([message({ replyTo: { messageId: 'm0', address: self.address, attachmentName: 'plan.pdf' } })]);
    expect(html).toContain('<span class="quote-author">You</span>');
    expect(html).toContain('File: plan.pdf');
  });

  it('sends the reply with replyTo, and the list shows it quoting the original', async () => {
    const { api, conversation, render } = await fakeWorld();
    const original = api.receive(conversation.id, alex.address, 'Can you send me the visitor list?');
    const answered = (await api.messages(conversation.id)).find((candidate) => candidate.id === original);
    if (!answered) throw new Error('not received');
    const mode = { kind: 'reply', message: answered } as const;
    const options = sendOptions(mode, 'Here it is', []);
    expect(options).toEqual({ replyTo: original });
    await api.send(conversation.id, 'Here it is', options);
    const html = await render();
    expect(html).toMatch(new RegExp(`data-quote-id="${original}"`));
    expect(html).toContain('<span class="quote-text">Can you send me the visitor list?</span>');
  });

  it('sends a plain message with no options at all', () => {
    expect(sendOptions(undefined, 'hello', [])).toBeUndefined();
  });

  it('shows “Replying to” with the start of the message and a cancel in the composer', () => {
    const html = renderScreen(
      createElement(Composer, { conversation: direct, mode: { kind: 'reply', message: message() } }),
    );
    expect(html).toContain('data-testid="composer-reply"');
    expect(html).toContain('<strong>Replying to Alex Martin</strong>');
    expect(html).toContain('Lunch at noon?');
    expect(html).toMatch(/data-testid="cancel-reply"[^>]*aria-label="Cancel reply"/);
    expect(html).toContain('Escape to cancel.');
  });

  it('cuts a long snippet on one line with an ellipsis', () => {
    expect(snippet('a\nb  c')).toBe('a b c');
    expect(snippet('x'.repeat(150))).toBe(`${'x'.repeat(99)}…`);
  });
});

describe('the actions of a message', () => {
  it('offers reply, react, edit and delete on our recent message', () => {
    expect(offered(list([mine()]))).toEqual(['reply', 'react', 'edit', 'delete']);
  });

  it('offers only reply and react on someone else’s message', () => {
    expect(offered(list([message()]))).toEqual(['reply', 'react']);
  });

  it('offers no edit or delete once the window has passed', () => {
    const old = mine({ sentAt: Date.now() - DELETE_WINDOW_MS - 1000 });
    expect(offered(list([old]))).toEqual(['reply', 'react']);
  });

  it('names the button after the message’s author, and makes it a menu button', () => {
    const html = list([message()]);
    // Not a tab stop of its own: the log is one, and Enter on a message opens its actions (message-keys.ts).
    expect(html).toMatch(
      /data-testid="message-actions" tabindex="-1" aria-label="Actions for the message from Alex Martin"/,
    );
    expect(html).toMatch(/role="log" aria-label="Messages" aria-describedby="([^"]+)" tabindex="0"/);
    expect(html).toContain('Up and Down arrows move between messages; Enter opens the actions');
    expect(html).toMatch(/aria-haspopup="menu" aria-expanded="false"/);
    expect(html).toMatch(/<ul id="[^"]+" class="message-menu" role="menu"[^>]*hidden=""/);
  });

  it('offers nothing on a system line, in a conversation left, or where this user may not post but react', () => {
    const system = message({ id: 's1', system: { type: 'member_left', member: alex.address } });
    expect(messageActionsFor(system, direct, NOW)).toBeUndefined();
    expect(messageActionsFor(message(), { ...direct, active: false }, NOW)).toBeUndefined();
    const announcement: ConversationView = {
      ...direct,
      kind: 'group',
      group: { announcementOnly: true, addBy: 'admins', mayPost: false, mayAdd: false, isAdmin: false },
    };
    expect(messageActionsFor(message(), announcement, NOW)).toEqual({
      reply: false,
      react: true,
      edit: false,
      delete: false,
    });
  });

  it('has no actions in a list shown without handlers (reading only)', () => {
    const html = renderScreen(createElement(MessageList, { conversation: direct, messages: [mine()] }));
    expect(html).not.toContain('data-testid="message-actions"');
  });

  it('picks our newest message still editable for Up in an empty composer', () => {
    const older = mine({ id: 'a', text: 'first', sentAt: NOW - 5000 });
    const file = mine({
      id: 'b',
      text: undefined,
      sentAt: NOW - 3000,
      attachment: { name: 'f', type: '', size: 1, state: 'sent' },
    });
    const theirs = message({ id: 'c', sentAt: NOW - 1000 });
    expect(lastEditableMessage([older, file, theirs], NOW)?.id).toBe('a');
    expect(lastEditableMessage([theirs], NOW)).toBeUndefined();
  });
});

describe('edits', () => {
  it('marks an edited message with an “edited” button that opens the earlier versions', async () => {
    const { api, conversation, render } = await fakeWorld();
    const id = await api.send(conversation.id, 'See you at 10');
    await api.editMessage(conversation.id, id, 'See you at 11');
    const html = await render();
    expect(html).toContain('See you at 11');
    expect(html).toMatch(/data-testid="message-edited" aria-label="Edited [^"]+: show earlier versions"[^>]*>edited</);
    const edited = (await api.messages(conversation.id)).find((candidate) => candidate.id === id);
    if (!edited) throw new Error('gone');
    const dialog = renderScreen(createElement(EditHistoryDialog, { message: edited, onClose: () => undefined }));
    expect(dialog).toContain('Earlier versions');
    expect(dialog).toContain('See you at 10');
    expect(dialog).toMatch(/data-testid="edit-current"[\s\S]*See you at 11/);
  });

  it('puts the composer in edit mode: “Editing message”, a cancel, and Save', () => {
    const html = renderScreen(
      createElement(Composer, { conversation: direct, mode: { kind: 'edit', message: mine() } }),
    );
    expect(html).toContain('<strong>Editing message</strong>');
    expect(html).toMatch(/data-testid="cancel-edit"[^>]*aria-label="Cancel editing"/);
    expect(html).toMatch(/data-testid="composer-send" aria-label="Save"/);
  });
});

describe('deletion for everyone', () => {
  it('asks first, saying it cannot be undone and what offline devices do', () => {
    const html = renderScreen(
      createElement(DeleteMessageDialog, {
        conversationId: 'c1',
        messageId: 'm2',
        onClose: () => undefined,
        onDeleted: () => undefined,
      }),
    );
    expect(html).toContain('Delete this message for everyone?');
    expect(html).toContain('This cannot be undone.');
    expect(html).toContain('Devices that are offline now will delete it when they come back online.');
    expect(html).toMatch(/data-testid="confirm-delete"[^>]*>Delete for everyone</);
    // The focus starts on Cancel: Enter by habit does not delete.
    expect(html).toContain('data-autofocus="true" data-testid="cancel-delete"');
  });

  it('leaves “This message was deleted” in italics, without words, reactions or actions', async () => {
    const { api, conversation, render } = await fakeWorld();
    const id = await api.send(conversation.id, 'wrong conversation');
    await api.react(conversation.id, id, '😮');
    await api.deleteForEveryone(conversation.id, id);
    const html = await render();
    const item = new RegExp(`<li class="message mine deleted"[^>]*data-message-id="${id}"[\\s\\S]*?</li>`).exec(
      html,
    )?.[0];
    expect(item).toContain('<p class="message-deleted" data-testid="message-deleted">This message was deleted</p>');
    expect(item).not.toContain('wrong conversation');
    expect(item).not.toContain('data-testid="message-actions"');
    expect(item).not.toContain('reaction-chip');
  });

  it('shows the placeholder for someone else’s message deleted by its author too', async () => {
    const { api, conversation, render } = await fakeWorld();
    const id = api.receive(conversation.id, alex.address, 'oops');
    api.deleteAsAuthor(conversation.id, id);
    expect(await render()).toMatch(new RegExp(`data-message-id="${id}"[^>]*data-deleted="true"`));
  });
});
