import type { ConversationView } from '../../src/messenger/api';
import { translatorFor, type Language } from '../../src/i18n';
import { describeSystemEvent } from '../../src/ui/main/system-line';

/** System lines read as sentences in both languages, "you" included (no "You was removed"). */
const conversation: ConversationView = {
  id: 'g',
  kind: 'group',
  title: 'Budget',
  members: [
    { address: 'me@example.org', displayName: 'Me', devices: [], isSelf: true },
    { address: 'ann@example.org', displayName: 'Ann', devices: [], isSelf: false },
  ],
  unread: 0,
  disappearAfterSeconds: null,
  active: true,
  updatedAt: 0,
};

const i18n = (language: Language) => ({
  t: translatorFor(language),
  formatDuration: (seconds: number) => `${seconds} s`,
});

describe('system lines', () => {
  it.each([
    [
      { type: 'member_removed', by: 'ann@example.org', member: 'me@example.org' },
      'You were removed by Ann',
      'Vous avez été retiré par Ann',
    ],
    [
      { type: 'member_added', by: 'ann@example.org', member: 'me@example.org' },
      'You were added by Ann',
      'Vous avez été ajouté par Ann',
    ],
    [
      { type: 'member_removed', by: 'me@example.org', member: 'ann@example.org' },
      'Ann was removed by you',
      'Retrait de Ann par vous',
    ],
    [
      { type: 'device_revoked', member: 'me@example.org', deviceId: 'x' },
      'One of your devices was revoked by the administrator',
      'Un de vos appareils a été révoqué par l’administrateur',
    ],
    [
      { type: 'history_shared', by: 'ann@example.org', count: 2, with: 'ann@example.org' },
      'Ann shared 2 earlier messages with their other devices',
      'Ann a partagé 2 messages antérieurs avec ses autres appareils',
    ],
    [
      { type: 'history_shared', by: 'me@example.org', count: 1, with: 'ann@example.org' },
      'You shared 1 earlier message with Ann',
      'Vous avez partagé 1 message antérieur avec Ann',
    ],
    [
      { type: 'history_shared', by: 'me@example.org', count: 3, with: 'me@example.org' },
      'You shared 3 earlier messages with your other devices',
      'Vous avez partagé 3 messages antérieurs avec vos autres appareils',
    ],
  ] as const)('%j', (event, english, french) => {
    expect(describeSystemEvent(event, conversation, i18n('en'))).toBe(english);
    expect(describeSystemEvent(event, conversation, i18n('fr'))).toBe(french);
  });
});
