/**
 * The user-key warnings as the server renders them (user-keys.md §2.5; no effects run, so no worker
 * call): the banner for a contact whose user key changed, the label on a device their key did not
 * approve (group details, safety numbers), and the warning on a message such a device sent. Each
 * says in words what happened and is reachable by the end-to-end tests' ids.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type {
  ClientSnapshot,
  ContactDeviceView,
  ConversationView,
  MemberView,
  MessageView,
  SafetyNumberView,
} from '../../src/messenger/api';
import { I18nProvider } from '../../src/ui/i18n-context';
import { ConversationPane } from '../../src/ui/main/conversation-pane';
import { GroupDetailsDialog } from '../../src/ui/main/group-details-dialog';
import { MessageList } from '../../src/ui/main/message-list';
import { SafetyNumberCard } from '../../src/ui/main/safety-number-card';
import { MessengerContext, type MessengerContextValue } from '../../src/ui/messenger-context';
import { FakeMessenger } from './fake-messenger';

const APPROVED: ContactDeviceView = {
  deviceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  trust: 'unverified',
  approved: true,
};
const GHOST: ContactDeviceView = { deviceId: '9a8b7c6d5e4f30211203f4e5d6c7b8a9', trust: 'unverified', approved: false };

const self: MemberView = {
  address: 'me@example.org',
  displayName: 'Dominique',
  devices: [{ deviceId: 'f0'.repeat(16), trust: 'verified', approved: true }],
  isSelf: true,
};
const ann: MemberView = { address: 'ann@example.org', displayName: 'Ann', devices: [APPROVED], isSelf: false };
const bob: MemberView = { address: 'bob@example.org', displayName: 'Bob', devices: [APPROVED], isSelf: false };

function conversation(members: MemberView[], kind: ConversationView['kind'] = 'group'): ConversationView {
  return {
    id: 'c1',
    kind,
    title: kind === 'group' ? 'Budget' : 'Ann',
    members,
    unread: 0,
    disappearAfterSeconds: null,
    active: true,
    updatedAt: 0,
    lastReadAt: 0,
    unreadMentions: 0,
    path: 'relay',
    notify: 'all',
  };
}

function render(element: ReactNode, api: FakeMessenger = new FakeMessenger(() => undefined)): string {
  const snapshot: ClientSnapshot = { vault: 'unlocked', relays: [], conversations: [], pendingOutgoing: 0 };
  const context: MessengerContextValue = {
    api,
    snapshot,
    refresh: async () => undefined,
    subscribe: () => () => undefined,
    adminUrl: 'http://127.0.0.1:3001',
  };
  return renderToStaticMarkup(
    createElement(I18nProvider, null, createElement(MessengerContext.Provider, { value: context }, element)),
  );
}

/** Each element with `data-testid="<id>"`, opening tag through the end of the markup, split at the next one. */
const parts = (html: string, testId: string) => html.split(`data-testid="${testId}"`).slice(1);

describe('the banner for a contact whose user key changed', () => {
  const pane = (view: ConversationView, api?: FakeMessenger) =>
    render(createElement(ConversationPane, { conversation: view, onBack: () => undefined }), api);

  it('names the person, says their new devices get nothing until accepted, and offers to compare, then accept', () => {
    const api = new FakeMessenger(() => undefined);
    const accept = jest.spyOn(api, 'acceptUserKey');
    const html = pane(conversation([self, { ...ann, userKeyChanged: true }], 'direct'), api);
    const [banner] = parts(html, 'user-key-changed-banner');
    expect(banner).toBeDefined();
    expect(html).toMatch(/<div [^>]*role="alert"[^>]*data-testid="user-key-changed-banner"/);
    expect(banner).toContain('data-address="ann@example.org"');
    expect(banner).toContain('The account key of Ann changed.');
    expect(banner).toContain('Your messages are not sent to their new devices until you accept the new key.');
    expect(banner).toContain('compare safety numbers with Ann first');
    expect(banner).toMatch(/<button [^>]*aria-label="Compare safety numbers with Ann"[^>]*>Compare safety numbers</);
    expect(banner).toMatch(
      /<button [^>]*data-testid="accept-user-key"[^>]*aria-label="Accept the new key of Ann"[^>]*>Accept the new key</,
    );
    expect(accept).not.toHaveBeenCalled();
  });

  it('for a person this user verified: says that nothing is sent in the conversation until the new key is accepted', () => {
    const html = pane(conversation([self, { ...ann, userKeyChanged: true, verified: true }], 'direct'));
    const [banner] = parts(html, 'user-key-changed-banner');
    expect(banner).toContain('data-verified="true"');
    expect(banner).toContain(
      'You verified Ann. Their account key changed: nothing is sent in this conversation until you accept the new key.',
    );
    expect(banner).toContain('then compare your new safety number with them');
    expect(banner).not.toContain('Your messages are not sent to their new devices');
    // The same two actions, with the same ids.
    expect(banner).toMatch(/<button [^>]*aria-label="Compare safety numbers with Ann"/);
    expect(banner).toMatch(/<button [^>]*data-testid="accept-user-key"[^>]*aria-label="Accept the new key of Ann"/);
  });

  it('for a person not verified: the ordinary wording, marked as such', () => {
    const html = pane(conversation([self, { ...ann, userKeyChanged: true, verified: false }], 'direct'));
    const [banner] = parts(html, 'user-key-changed-banner');
    expect(banner).toContain('data-verified="false"');
    expect(banner).not.toContain('You verified Ann');
  });

  it('shows one banner per person whose key changed, each naming its own, and none for the others', () => {
    const html = pane(conversation([self, { ...ann, userKeyChanged: true }, { ...bob, userKeyChanged: true }]));
    const banners = parts(html, 'user-key-changed-banner');
    expect(banners).toHaveLength(2);
    expect(banners[0]).toContain('data-address="ann@example.org"');
    expect(banners[1]).toContain('data-address="bob@example.org"');
    expect(parts(html, 'accept-user-key')).toHaveLength(2);
  });

  it('shows no banner when no other member’s key changed, even if this user’s own is flagged', () => {
    const html = pane(conversation([{ ...self, userKeyChanged: true }, ann, { ...bob, userKeyChanged: false }]));
    expect(html).toContain('data-testid="conversation"');
    expect(html).not.toContain('user-key-changed-banner');
    expect(html).not.toContain('accept-user-key');
  });
});

describe('a device its person’s user key did not approve', () => {
  const details = (view: ConversationView) =>
    render(createElement(GroupDetailsDialog, { conversation: view, onClose: () => undefined }));

  it('group details: labelled under its person, with its number, saying it receives nothing', () => {
    const html = details(conversation([self, { ...ann, devices: [APPROVED, GHOST] }, bob]));
    const labels = parts(html, 'device-unapproved');
    expect(labels).toHaveLength(1);
    expect(labels[0]).toContain(`data-device-id="${GHOST.deviceId}"`);
    expect(labels[0]).toContain('Device 9a8b 7c6d');
    expect(labels[0]).toContain('Not approved by Ann: receives nothing');
    // Under Ann's entry, not Bob's.
    const annEntry = html.split('data-address="ann@example.org"')[1]?.split('data-address="bob@example.org"')[0];
    expect(annEntry).toContain('data-testid="device-unapproved"');
  });

  it('group details: one of this user’s own devices is “not approved by you”', () => {
    const html = details(conversation([{ ...self, devices: [...self.devices, GHOST] }, ann]));
    expect(html).toContain('Not approved by you: receives nothing');
    expect(html).not.toContain('Not approved by Dominique');
  });

  it('group details: no label when every device is approved', () => {
    expect(details(conversation([self, ann, bob]))).not.toContain('device-unapproved');
  });

  const safetyView = (devices: ContactDeviceView[]): SafetyNumberView => ({
    address: 'ann@example.org',
    displayName: 'Ann',
    digits: '12345 '.repeat(12).trim(),
    qrPayload: `opendescent:verify?v=2&q=${'A'.repeat(83)}`,
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    verified: false,
    userKeyChanged: false,
    devices,
  });
  const card = (devices: ContactDeviceView[]) =>
    render(
      createElement(SafetyNumberCard, {
        view: safetyView(devices),
        conversation: conversation([self, { ...ann, devices }]),
        onMarkVerified: () => undefined,
        onChanged: async () => undefined,
        busy: false,
      }),
    );

  it('safety numbers: the person’s card lists the device with the label and gets a warning border; the one number stays there to compare', () => {
    const html = card([APPROVED, GHOST]);
    expect(html).toMatch(/<article class="safety-card unapproved"[^>]*data-testid="safety-number"/);
    const labels = parts(html, 'device-unapproved');
    expect(labels).toHaveLength(1);
    expect(labels[0]).toContain(`data-device-id="${GHOST.deviceId}"`);
    expect(labels[0]).toContain('Device 9a8b 7c6d');
    expect(labels[0]).toContain('Not approved by Ann: receives nothing');
    expect(parts(html, 'safety-number-digits')).toHaveLength(1);
    // Inside the card's list of Ann's devices, after the approved one.
    const [list] = parts(html, 'safety-devices');
    expect(html).toContain('aria-label="Devices of Ann"');
    expect(list?.indexOf('Device a1b2 c3d4')).toBeLessThan(list?.indexOf('Device 9a8b 7c6d') ?? -1);
  });

  it('safety numbers: with every device approved, no label and no warning border', () => {
    const html = card([APPROVED]);
    expect(html).toMatch(/<article class="safety-card"/);
    expect(html).toContain('Device a1b2 c3d4');
    expect(html).not.toContain('device-unapproved');
  });
});

describe('a message sent from an unapproved device', () => {
  const message = (fields: Partial<MessageView>): MessageView => ({
    id: 'm1',
    conversationId: 'c1',
    sender: { address: 'ann@example.org', displayName: 'Ann', deviceId: GHOST.deviceId },
    mine: false,
    text: 'Please send me the door codes.',
    sentAt: Date.now(),
    receivedAt: Date.now(),
    ...fields,
  });
  const list = (messages: MessageView[]) =>
    render(createElement(MessageList, { conversation: conversation([self, ann], 'direct'), messages }));

  it('carries a warning before its text, with “Warning:” for screen readers', () => {
    const html = list([message({ unapprovedDevice: true })]);
    expect(html).toContain('data-unapproved-device="true"');
    const [warning] = parts(html, 'message-unapproved-device');
    expect(warning).toContain('<span class="visually-hidden">Warning: </span>Sent from a device Ann has not approved');
    expect(html.indexOf('message-unapproved-device')).toBeLessThan(html.indexOf('Please send me the door codes.'));
  });

  it('from one of this user’s own devices: says so', () => {
    const html = list([message({ mine: true, sender: { ...self, deviceId: GHOST.deviceId }, unapprovedDevice: true })]);
    expect(html).toContain('Sent from a device of yours that you have not approved');
  });

  it('an ordinary message carries no warning', () => {
    const html = list([message({})]);
    expect(html).toContain('Please send me the door codes.');
    expect(html).not.toContain('message-unapproved-device');
    expect(html).not.toContain('data-unapproved-device');
  });
});
