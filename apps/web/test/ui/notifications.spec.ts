/**
 * Which arriving message becomes a notification, and what one may say: by default only that a
 * message arrived; with the setting on, who sent it and whether they mentioned this user; never its
 * text, a file's name or a group's title (the system keeps notifications outside the encrypted
 * store). The conversation's level decides which messages notify at all.
 */
import type { MessageView, NotifyLevel } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import {
  LIVE_WINDOW_MS,
  MAX_REMEMBERED_MESSAGES,
  MAX_SENDER_CHARACTERS,
  messageNotification,
  notificationDecision,
  NotifiedMessages,
  senderLabel,
  type NotificationConditions,
} from '../../src/ui/notifications';

const NOW = Date.UTC(2027, 0, 4, 9);

function message(fields: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    conversationId: 'c1',
    mine: false,
    sender: { address: 'ann@example.org', displayName: 'Ann Dupont', deviceId: 'd1' },
    text: 'The merger closes on Friday',
    sentAt: NOW - 2_000,
    receivedAt: NOW - 1_000,
    ...fields,
  };
}

/** The conditions under which a notification is due: tab hidden, permission granted, nothing announced yet, level `all`. */
function conditions(fields: Partial<NotificationConditions> = {}): NotificationConditions {
  return {
    now: NOW,
    pageInView: false,
    permission: 'granted',
    notified: new NotifiedMessages(),
    level: 'all',
    ...fields,
  };
}

const english = { t: translatorFor('en'), language: 'en' };
const french = { t: translatorFor('fr'), language: 'fr' };

describe('the notification decision', () => {
  it('notifies a message from someone else, arrived just now, with the page out of view and permission granted', () => {
    expect(notificationDecision(message(), conditions())).toBe('notify');
  });

  it('never notifies one of our own messages (sent here or from another of our devices)', () => {
    expect(notificationDecision(message({ mine: true }), conditions())).toBe('mine');
  });

  it('never notifies a system line (membership, keys, retention)', () => {
    const line = message({ sender: undefined, text: undefined, system: { type: 'member_left', member: 'Ann' } });
    expect(notificationDecision(line, conditions())).toBe('system');
  });

  it('never notifies a message without a sender, even without a system event', () => {
    expect(notificationDecision(message({ sender: undefined }), conditions())).toBe('system');
  });

  it('never notifies earlier messages shared into a group: they arrive now but are not new', () => {
    expect(notificationDecision(message({ sharedBy: 'Bob' }), conditions())).toBe('shared-history');
  });

  it('never notifies a message received before the live window (history read or re-upserted later)', () => {
    expect(notificationDecision(message({ receivedAt: NOW - LIVE_WINDOW_MS - 1 }), conditions())).toBe('stale');
    expect(notificationDecision(message({ receivedAt: NOW - LIVE_WINDOW_MS }), conditions())).toBe('notify');
  });

  it('treats a receivedAt far in the future as stale, not live', () => {
    expect(notificationDecision(message({ receivedAt: NOW + LIVE_WINDOW_MS + 1 }), conditions())).toBe('stale');
  });

  it('never notifies a message already notified (a status change upserts it again)', () => {
    const notified = new NotifiedMessages();
    notified.add('m1');
    expect(notificationDecision(message(), conditions({ notified }))).toBe('already-notified');
  });

  it('never notifies while the page is in view: the person sees the message arrive', () => {
    expect(notificationDecision(message(), conditions({ pageInView: true }))).toBe('page-in-view');
  });

  it.each(['default', 'denied', 'unsupported'] as const)('never notifies when the permission is %s', (permission) => {
    expect(notificationDecision(message(), conditions({ permission }))).toBe('not-permitted');
  });
});

describe('the notification decision at each notify level', () => {
  const cases: readonly [NotifyLevel, boolean, string][] = [
    ['all', false, 'notify'],
    ['all', true, 'notify'],
    ['mentions', false, 'not-mentioned'],
    ['mentions', true, 'notify'],
    ['none', false, 'muted'],
    ['none', true, 'muted'],
  ];

  it.each(cases)('at level %s, a message with mentionsMe %s is decided %s', (level, mentionsMe, decision) => {
    const arrived = message(mentionsMe ? { mentionsMe: true, mentions: ['me@example.org'] } : {});
    expect(notificationDecision(arrived, conditions({ level }))).toBe(decision);
  });

  it('at level mentions, a message mentioning only others does not notify', () => {
    const others = message({ mentions: ['bob@example.org'] });
    expect(notificationDecision(others, conditions({ level: 'mentions' }))).toBe('not-mentioned');
  });

  it('keeps the earlier refusals first: our own message, a stale mention, a message already notified', () => {
    expect(notificationDecision(message({ mine: true }), conditions({ level: 'none' }))).toBe('mine');
    const staleMention = message({ mentionsMe: true, receivedAt: NOW - LIVE_WINDOW_MS - 1 });
    expect(notificationDecision(staleMention, conditions({ level: 'mentions' }))).toBe('stale');
    const notified = new NotifiedMessages();
    notified.add('m1');
    expect(notificationDecision(message(), conditions({ level: 'none', notified }))).toBe('already-notified');
  });

  it('still needs the permission and the page out of view for a mention at level mentions', () => {
    const mention = message({ mentionsMe: true });
    expect(notificationDecision(mention, conditions({ level: 'mentions', permission: 'denied' }))).toBe(
      'not-permitted',
    );
    expect(notificationDecision(mention, conditions({ level: 'mentions', pageInView: true }))).toBe('page-in-view');
  });
});

describe('the notified-message set', () => {
  it('remembers the ids it was given', () => {
    const notified = new NotifiedMessages();
    notified.add('a');
    expect(notified.has('a')).toBe(true);
    expect(notified.has('b')).toBe(false);
  });

  it('is bounded: past its limit it forgets the oldest ids first', () => {
    const notified = new NotifiedMessages(3);
    for (const id of ['a', 'b', 'c', 'd']) notified.add(id);
    expect(notified.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => notified.has(id))).toEqual([false, true, true, true]);
  });

  it('counts an id added again as recent, so it is not the next forgotten', () => {
    const notified = new NotifiedMessages(2);
    notified.add('a');
    notified.add('b');
    notified.add('a');
    notified.add('c');
    expect([notified.has('a'), notified.has('b'), notified.has('c')]).toEqual([true, false, true]);
  });

  it('holds at most MAX_REMEMBERED_MESSAGES by default, however many messages arrive', () => {
    const notified = new NotifiedMessages();
    for (let i = 0; i < MAX_REMEMBERED_MESSAGES * 3; i += 1) notified.add(`m${i}`);
    expect(notified.size).toBe(MAX_REMEMBERED_MESSAGES);
    expect(notified.has(`m${MAX_REMEMBERED_MESSAGES * 3 - 1}`)).toBe(true);
    expect(notified.has('m0')).toBe(false);
  });
});

describe('the notification content', () => {
  const group = message({
    conversationId: 'g1',
    text: 'Layoffs list attached',
    attachment: { name: 'layoffs-2027.xlsx', type: 'application/vnd.ms-excel', size: 10, state: 'stored' },
  });

  it('says only "New message" by default, under the app’s name', () => {
    const { title, options } = messageNotification(group, 'tag-1', { ...english, showSender: false });
    expect(title).toBe('OpenDescent');
    expect(options.body).toBe('New message');
  });

  it('names the sender when the setting is on, and nothing more', () => {
    const { title, options } = messageNotification(group, 'tag-1', { ...english, showSender: true });
    expect(title).toBe('OpenDescent');
    expect(options.body).toBe('New message from Ann Dupont');
  });

  it('speaks the chosen language', () => {
    expect(messageNotification(group, 't', { ...french, showSender: false }).options).toMatchObject({
      body: 'Nouveau message',
      lang: 'fr',
    });
    expect(messageNotification(group, 't', { ...french, showSender: true }).options.body).toBe(
      'Nouveau message de Ann Dupont',
    );
  });

  it.each([false, true])(
    'never carries the text, the file’s name or the conversation (showSender %s)',
    (showSender) => {
      const shown = JSON.stringify(messageNotification(group, 'tag-1', { ...english, showSender }));
      for (const secret of ['Layoffs', 'layoffs-2027', 'xlsx', 'g1', 'ann@example.org', 'd1'])
        expect(shown).not.toContain(secret);
    },
  );

  it('is tagged with the tag given for its conversation, replaces the previous one and alerts again', () => {
    const { options } = messageNotification(group, 'opaque-tag', { ...english, showSender: false });
    expect(options).toMatchObject({ tag: 'opaque-tag', renotify: true, silent: false });
  });

  it('falls back to "New message" when the sender’s name is empty after cleaning', () => {
    const blank = message({ sender: { address: 'x@example.org', displayName: ' \u202e\u0007 ', deviceId: 'd' } });
    expect(messageNotification(blank, 't', { ...english, showSender: true }).options.body).toBe('New message');
  });
});

describe('the notification of a mention', () => {
  const mention = message({
    conversationId: 'g1',
    text: '@Dominique the layoffs list is final',
    mentions: ['me@example.org'],
    mentionsMe: true,
  });

  it('says "New message" and nothing of the mention while the sender setting is off', () => {
    expect(messageNotification(mention, 't', { ...english, showSender: false }).options.body).toBe('New message');
    expect(messageNotification(mention, 't', { ...french, showSender: false }).options.body).toBe('Nouveau message');
  });

  it('says who mentioned this user once the sender setting is on', () => {
    expect(messageNotification(mention, 't', { ...english, showSender: true }).options.body).toBe(
      'Ann Dupont mentioned you',
    );
    expect(messageNotification(mention, 't', { ...french, showSender: true }).options.body).toBe(
      'Ann Dupont vous mentionne',
    );
  });

  it('never says "mentioned" without a name: a name empty after cleaning gives "New message"', () => {
    const blank = message({ mentionsMe: true, sender: { address: 'x@example.org', displayName: '‮', deviceId: 'd' } });
    expect(messageNotification(blank, 't', { ...english, showSender: true }).options.body).toBe('New message');
  });

  it('does not call a message that mentions only others a mention', () => {
    const others = message({ mentions: ['bob@example.org'] });
    expect(messageNotification(others, 't', { ...english, showSender: true }).options.body).toBe(
      'New message from Ann Dupont',
    );
  });

  it.each([false, true])('never carries the text or the addresses mentioned (showSender %s)', (showSender) => {
    const shown = JSON.stringify(messageNotification(mention, 'tag-1', { ...english, showSender }));
    for (const secret of ['layoffs', 'Dominique', 'me@example.org', 'g1']) expect(shown).not.toContain(secret);
  });
});

describe('the sender’s label', () => {
  it('keeps an ordinary name as it is', () => {
    expect(senderLabel('Zoë Ångström')).toBe('Zoë Ångström');
  });

  it('removes control and bidi-override characters from a malformed name', () => {
    expect(senderLabel('Ann\u202eevil\u202c\nDupont\u0000')).toBe('AnnevilDupont');
  });

  it('collapses runs of white space', () => {
    expect(senderLabel('  Ann \t  Dupont ')).toBe('Ann Dupont');
  });

  it('cuts an oversized name to MAX_SENDER_CHARACTERS, ending with an ellipsis, without splitting a character', () => {
    const label = senderLabel('😀'.repeat(MAX_SENDER_CHARACTERS * 2));
    expect(Array.from(label)).toHaveLength(MAX_SENDER_CHARACTERS);
    expect(label.endsWith('😀…')).toBe(true);
  });
});
