import type { ClientSnapshot, ConversationView, MemberView } from '../../src/messenger/api';
import {
  addressSegments,
  connectionStatus,
  groupSafetyNumber,
  membersWithChangedKeys,
  screenFor,
  sortConversations,
  splitAddresses,
  summariseRelays,
} from '../../src/ui/conversation-format';

const empty: ClientSnapshot = { vault: 'none', relays: [], conversations: [], pendingOutgoing: 0 };
const device = {
  address: 'me@example.org',
  displayName: 'Me',
  deviceId: 'ab'.repeat(16),
  attestationExpiresAt: 0,
  orgId: 'cd'.repeat(16),
  reachable: true,
  approval: 'approved' as const,
  unapprovedOwnDevices: [],
};

function conversation(id: string, fields: Partial<ConversationView> = {}): ConversationView {
  return {
    id,
    kind: 'direct',
    title: id,
    members: [],
    unread: 0,
    disappearAfterSeconds: null,
    active: true,
    updatedAt: 0,
    lastReadAt: 0,
    unreadMentions: 0,
    path: 'relay',
    notify: 'all',
    ...fields,
  };
}

describe('which screen a snapshot shows', () => {
  it.each([
    ['a fresh browser', empty, 'create-passphrase'],
    ['a vault without enrolment', { ...empty, vault: 'unlocked' }, 'enrol'],
    ['an enrolled, unlocked device', { ...empty, vault: 'unlocked', device }, 'main'],
    [
      'a revoked device, even with a vault',
      { ...empty, vault: 'locked', wiped: { reason: 'lost laptop', at: 1 } },
      'wiped',
    ],
  ] as const)('%s', (_what, snapshot, screen) => {
    expect(screenFor(snapshot as ClientSnapshot)).toBe(screen);
  });

  it('shows only the unlock screen for a locked vault, whatever else the snapshot holds', () => {
    expect(screenFor({ ...empty, vault: 'locked', device, conversations: [conversation('c1')] })).toBe('unlock');
  });
});

describe('relay summary', () => {
  it('is online if any relay is, connecting if any is, offline otherwise (and with none)', () => {
    expect(
      summariseRelays([
        { url: 'a', status: 'offline' },
        { url: 'b', status: 'online' },
      ]),
    ).toBe('online');
    expect(
      summariseRelays([
        { url: 'a', status: 'refused' },
        { url: 'b', status: 'connecting' },
      ]),
    ).toBe('connecting');
    expect(summariseRelays([{ url: 'a', status: 'refused' }])).toBe('offline');
    expect(summariseRelays([])).toBe('offline');
  });
});

describe('the one connection status the sidebar shows', () => {
  const online = [{ url: 'a', status: 'online' }] as const;
  it('says "finishing setup" instead of "connected" while colleagues cannot reach this device yet', () => {
    expect(connectionStatus(online, false)).toBe('finishing');
    expect(connectionStatus(online, true)).toBe('online');
  });

  it('says offline or connecting when the relays are, reachable or not (the cause comes first)', () => {
    expect(connectionStatus([{ url: 'a', status: 'offline' }], false)).toBe('offline');
    expect(connectionStatus([{ url: 'a', status: 'connecting' }], true)).toBe('connecting');
  });
});

describe('where a long address may break', () => {
  it('breaks before the "@" and before each "." and keeps every character', () => {
    const address = 'jean-baptiste.delacroix-fontaine@direction-generale.ministere.example';
    const segments = addressSegments(address);
    expect(segments).toEqual(['jean-baptiste', '.delacroix-fontaine', '@direction-generale', '.ministere', '.example']);
    expect(segments.join('')).toBe(address);
  });

  it('leaves an address without "@" or "." whole, and an empty one empty', () => {
    expect(addressSegments('localpart')).toEqual(['localpart']);
    expect(addressSegments('')).toEqual([]);
  });

  it('does not drop a leading or doubled dot', () => {
    expect(addressSegments('.a..b@c').join('')).toBe('.a..b@c');
  });
});

describe('safety number groups', () => {
  it('shows 60 digits as 12 groups of 5 whatever the spacing', () => {
    const digits = '012345678901234567890123456789012345678901234567890123456789';
    const groups = groupSafetyNumber(`${digits.slice(0, 7)}  ${digits.slice(7)}`);
    expect(groups).toHaveLength(12);
    expect(groups.every((group) => /^\d{5}$/.test(group))).toBe(true);
    expect(groups.join('')).toBe(digits);
  });
});

describe('addresses typed in one field', () => {
  it('splits on new lines, commas, semicolons and spaces, and drops blanks and duplicates', () => {
    expect(splitAddresses('a@x.org,\n b@x.org ; c@x.org\n\n a@x.org  d@x.org')).toEqual([
      'a@x.org',
      'b@x.org',
      'c@x.org',
      'd@x.org',
    ]);
    expect(splitAddresses(' \n , ')).toEqual([]);
  });
});

describe('conversation list order', () => {
  it('puts the newest activity first', () => {
    const sorted = sortConversations([
      conversation('old', { updatedAt: 1 }),
      conversation('new-message', { updatedAt: 2, lastMessage: { preview: 'hi', at: 50 } }),
      conversation('created', { updatedAt: 30 }),
    ]);
    expect(sorted.map(({ id }) => id)).toEqual(['new-message', 'created', 'old']);
  });
});

describe('changed safety numbers', () => {
  it('names other people with a changed key, never this user', () => {
    const member = (address: string, trust: 'verified' | 'key_changed', isSelf = false): MemberView => ({
      address,
      displayName: address,
      isSelf,
      devices: [{ deviceId: '1', trust, approved: true }],
    });
    const view = conversation('c', {
      members: [
        member('me@x.org', 'key_changed', true),
        member('a@x.org', 'verified'),
        member('b@x.org', 'key_changed'),
      ],
    });
    expect(membersWithChangedKeys(view).map(({ address }) => address)).toEqual(['b@x.org']);
  });
});
