import type { ConversationView } from '../../src/messenger/api';
import { translatorFor, type Language } from '../../src/i18n';
import { describeSystemEvent } from '../../src/ui/main/system-line';
import { conversationView } from './view-fixtures';

/** System lines read as sentences in both languages, "you" included (no "You was removed"). */
const conversation: ConversationView = conversationView({
  id: 'g',
  kind: 'group',
  title: 'Budget',
  members: [
    { address: 'me@example.org', displayName: 'Me', devices: [], isSelf: true },
    { address: 'ann@example.org', displayName: 'Ann', devices: [], isSelf: false },
  ],
});

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
    [
      { type: 'device_unapproved', member: 'ann@example.org', deviceId: 'x' },
      'A device of Ann is not approved by them: nothing is sent to it',
      'Un appareil de Ann n’est pas approuvé par cette personne : rien ne lui est envoyé',
    ],
    [
      { type: 'device_unapproved', member: 'me@example.org', deviceId: 'x' },
      'A device was added to your account without your approval: nothing is sent to it. If you did not add it, tell your administrator',
      'Un appareil a été ajouté à votre compte sans votre approbation : rien ne lui est envoyé. Si vous ne l’avez pas ajouté, prévenez votre administrateur',
    ],
    [
      { type: 'user_key_accepted', member: 'ann@example.org' },
      'You accepted the new account key of Ann',
      'Vous avez accepté la nouvelle clé de compte de Ann',
    ],
    [
      { type: 'user_key_accepted', member: 'me@example.org' },
      'You accepted the new key of your account',
      'Vous avez accepté la nouvelle clé de votre compte',
    ],
  ] as const)('%j', (event, english, french) => {
    expect(describeSystemEvent(event, conversation, i18n('en'))).toBe(english);
    expect(describeSystemEvent(event, conversation, i18n('fr'))).toBe(french);
  });

  it('a changed account key names the person, both explanations, and that nothing is sent until accepted', () => {
    const event = { type: 'user_key_changed', member: 'ann@example.org' } as const;
    const english = describeSystemEvent(event, conversation, i18n('en'));
    expect(english).toMatch(/^The account key of Ann changed\./);
    expect(english).toContain('someone tries to intercept your messages');
    expect(english).toContain('Nothing is sent to devices under the new key until you accept it');
    const french = describeSystemEvent(event, conversation, i18n('fr'));
    expect(french).toMatch(/^La clé de compte de Ann a changé\./);
    expect(french).toContain('tant que vous ne l’avez pas acceptée');
  });

  it('a changed account key on this user’s own address is said as such, never “the key of you”', () => {
    const event = { type: 'user_key_changed', member: 'me@example.org' } as const;
    expect(describeSystemEvent(event, conversation, i18n('en'))).toBe(
      'Another account key appeared for your account. If you did not start again on new devices, tell your administrator',
    );
    expect(describeSystemEvent(event, conversation, i18n('fr'))).toBe(
      'Une autre clé de compte est apparue pour votre compte. Si vous n’êtes pas reparti de zéro sur de nouveaux appareils, prévenez votre administrateur',
    );
  });
  it('says “you” for this user in a group they are no longer a member of (passed their address)', () => {
    const removed = { ...conversation, active: false, members: conversation.members.filter((m) => !m.isSelf) };
    const event = { type: 'member_removed', by: 'ann@example.org', member: 'me@example.org' } as const;
    expect(describeSystemEvent(event, removed, i18n('en'))).toBe('Me@example.org was removed by Ann');
    expect(describeSystemEvent(event, removed, i18n('en'), 'me@example.org')).toBe('You were removed by Ann');
    expect(describeSystemEvent(event, removed, i18n('fr'), 'me@example.org')).toBe('Vous avez été retiré par Ann');
  });

  it.each([
    [
      { type: 'role_changed', by: 'ann@example.org', member: 'me@example.org', role: 'admin' },
      'You were made an administrator by Ann',
      'Vous êtes désormais administrateur, par Ann',
    ],
    [
      { type: 'title_changed', by: 'ann@example.org', title: 'Budget 2028' },
      'Ann renamed the group “Budget 2028”',
      'Ann a renommé le groupe « Budget 2028 »',
    ],
    [
      { type: 'group_settings_changed', by: 'ann@example.org', announcementOnly: true, addBy: 'everyone' },
      'Ann set: only administrators post, every member adds members',
      'Ann a choisi : seuls les administrateurs publient, chaque membre ajoute des membres',
    ],
  ] as const)('group line %j', (event, english, french) => {
    expect(describeSystemEvent(event, conversation, i18n('en'))).toBe(english);
    expect(describeSystemEvent(event, conversation, i18n('fr'))).toBe(french);
  });
});
