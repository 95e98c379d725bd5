/**
 * What the conversation screens read from the members' user keys (user-keys.md §2.5): whose key
 * changed (never this user's own: that is not theirs to accept here), and which devices are
 * unapproved, by address whatever its case, and never a device the conversation does not list.
 */
import type { ContactDeviceView, ConversationView, MemberView } from '../../src/messenger/api';
import { isUnapprovedDevice, membersWithChangedUserKey, unapprovedDevices } from '../../src/ui/main/user-key-status';

const APPROVED: ContactDeviceView = { deviceId: 'aa'.repeat(16), trust: 'verified', approved: true };
const GHOST: ContactDeviceView = { deviceId: 'bb'.repeat(16), trust: 'unverified', approved: false };

const member = (address: string, fields: Partial<MemberView> = {}): MemberView => ({
  address,
  displayName: address,
  devices: [APPROVED],
  isSelf: false,
  ...fields,
});

const conversation = (members: MemberView[]): ConversationView => ({
  id: 'c1',
  kind: 'group',
  title: 'Budget',
  members,
  unread: 0,
  disappearAfterSeconds: null,
  active: true,
  updatedAt: 0,
  lastReadAt: 0,
  unreadMentions: 0,
  path: 'relay',
  notify: 'all',
});

describe('members whose user key changed', () => {
  it('lists the other members flagged, in the conversation’s order, and no one else', () => {
    const ann = member('ann@example.org', { userKeyChanged: true });
    const bob = member('bob@example.org', { userKeyChanged: false });
    const eve = member('eve@example.org', { userKeyChanged: true });
    const carol = member('carol@example.org');
    expect(membersWithChangedUserKey(conversation([ann, bob, carol, eve]))).toEqual([ann, eve]);
  });

  it('leaves out this user even when flagged: their own key is not theirs to accept here', () => {
    const self = member('me@example.org', { isSelf: true, userKeyChanged: true });
    expect(membersWithChangedUserKey(conversation([self]))).toEqual([]);
  });
});

describe('unapproved devices', () => {
  it('lists a member’s devices their user key did not approve, and only those', () => {
    expect(unapprovedDevices(member('ann@example.org', { devices: [APPROVED, GHOST] }))).toEqual([GHOST]);
    expect(unapprovedDevices(member('ann@example.org'))).toEqual([]);
  });

  it('finds a listed unapproved device by address whatever its case', () => {
    const view = conversation([member('ann@example.org', { devices: [APPROVED, GHOST] })]);
    expect(isUnapprovedDevice(view, 'Ann@Example.org', GHOST.deviceId)).toBe(true);
    expect(isUnapprovedDevice(view, 'ann@example.org', APPROVED.deviceId)).toBe(false);
  });

  it('does not call a device unapproved when the conversation does not list it, or lists it under someone else', () => {
    const view = conversation([member('ann@example.org', { devices: [APPROVED, GHOST] }), member('bob@example.org')]);
    expect(isUnapprovedDevice(view, 'ann@example.org', 'cc'.repeat(16))).toBe(false);
    expect(isUnapprovedDevice(view, 'bob@example.org', GHOST.deviceId)).toBe(false);
    expect(isUnapprovedDevice(view, 'nobody@example.org', GHOST.deviceId)).toBe(false);
  });
});
