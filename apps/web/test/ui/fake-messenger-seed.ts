/**
 * A few conversations to look at (for screenshots and trying the UI by hand): a 1:1 with a verified
 * colleague and disappearing messages, a busy group with unread messages, and a 1:1 whose safety
 * number changed.
 */
import type { ThisDeviceView } from '../../src/messenger/api';
import type { FakeConversations } from './fake-messenger-conversations';
import type { FakePerson } from './fake-messenger-people';

export function seedConversations(
  conversations: FakeConversations,
  people: ReadonlyMap<string, FakePerson>,
  device: ThisDeviceView,
  now: number,
): void {
  const me = { address: device.address, displayName: device.displayName, deviceId: device.deviceId };
  const person = (address: string) => {
    const found = people.get(address);
    const deviceId = found?.devices[0]?.deviceId;
    if (!found || !deviceId) throw new Error(address);
    return { address, displayName: found.displayName, deviceId };
  };
  const minute = 60_000;
  const start = now - 26 * 60 * minute;

  const alex = conversations.open('direct', 'Alex Martin', ['alex@example.org']);
  conversations.push(alex, {
    sender: person('alex@example.org'),
    mine: false,
    text: 'Morning! Did the new badges arrive?',
    at: start,
  });
  conversations.push(alex, {
    sender: me,
    mine: true,
    text: 'They did, I left yours at the front desk.',
    status: 'delivered',
    at: start + 3 * minute,
  });
  conversations.push(alex, {
    sender: person('alex@example.org'),
    mine: false,
    text: 'Perfect, thanks 🙏',
    at: start + 4 * minute,
  });
  conversations.push(alex, {
    mine: false,
    system: { type: 'disappearing_set', by: 'alex@example.org', seconds: 604_800 },
    at: now - 40 * minute,
  });
  alex.disappearAfterSeconds = 604_800;
  conversations.push(alex, {
    sender: person('alex@example.org'),
    mine: false,
    text: 'Can you send me the visitor list for Thursday?\nOnly the names, no phone numbers.',
    at: now - 12 * minute,
  });
  conversations.push(alex, {
    sender: me,
    mine: true,
    text: 'Sure, give me ten minutes.',
    status: 'delivered',
    at: now - 10 * minute,
  });
  conversations.push(alex, {
    sender: me,
    mine: true,
    text: 'Here it is: Morgan, Lee, Ana and Jo.',
    status: 'sent',
    at: now - 2 * minute,
  });

  const team = conversations.open('group', 'Front office', ['sam@example.org', 'kim@example.org', 'noor@example.org']);
  conversations.push(team, {
    mine: false,
    system: { type: 'group_created', by: 'sam@example.org' },
    at: start - 90 * minute,
  });
  conversations.push(team, {
    mine: false,
    system: { type: 'member_added', by: 'sam@example.org', member: 'noor@example.org' },
    at: start - 80 * minute,
  });
  conversations.push(team, {
    sender: person('sam@example.org'),
    mine: false,
    text: 'Reminder: the fire drill is at 11:00.',
    at: now - 30 * minute,
  });
  conversations.push(team, { sender: person('kim@example.org'), mine: false, text: 'Noted.', at: now - 28 * minute });
  conversations.push(team, {
    sender: person('kim@example.org'),
    mine: false,
    text: 'Who takes the second floor?',
    at: now - 27 * minute,
  });
  conversations.push(team, { sender: me, mine: true, text: 'I will.', status: 'delivered', at: now - 20 * minute });
  conversations.push(team, {
    sender: person('noor@example.org'),
    mine: false,
    text: 'Thanks! I’ll do the ground floor then.',
    at: now - 5 * minute,
  });
  team.unread = 2;

  // Alex was verified in person: the safety numbers show both states.
  const alexPerson = people.get('alex@example.org');
  if (alexPerson) alexPerson.verified = true;

  const sam = conversations.open('direct', 'Sam Dubois', ['sam@example.org']);
  conversations.push(sam, {
    sender: person('sam@example.org'),
    mine: false,
    text: 'See you at the meeting.',
    at: start - 3 * 86_400_000,
  });
  const samDevice = people.get('sam@example.org')?.devices[0];
  if (samDevice) samDevice.trust = 'key_changed';
  conversations.push(sam, {
    mine: false,
    system: { type: 'key_changed', member: 'sam@example.org', deviceId: person('sam@example.org').deviceId },
    at: now - 60 * minute,
  });
}
