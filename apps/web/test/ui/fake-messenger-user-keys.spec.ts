/**
 * The fake messenger plays user keys as the contract says (api.ts, user-keys.md §2.5), so UI tests
 * built on it see what the worker would show: a changed key flags the member until accepted, an
 * acceptance that has nothing to accept is `not_found`, and a device or message of an unapproved
 * device is marked as such.
 */
import type { ConversationView, MessengerEvent } from '../../src/messenger/api';
import { FAKE_GHOST_DEVICE_ID, FAKE_NEW_KEY_DEVICE_ID, FakeMessenger } from './fake-messenger';

const ALEX = 'alex@example.org';

async function enrolled(): Promise<{ fake: FakeMessenger; events: MessengerEvent[]; conversationId: string }> {
  const events: MessengerEvent[] = [];
  const fake = new FakeMessenger((event) => events.push(event));
  await fake.createVault('correct horse battery');
  await fake.enrol('ABCD-EFGH-JKMN-PQRS-TVWX-YZ23');
  const conversationId = await fake.startDirect(ALEX);
  events.length = 0;
  return { fake, events, conversationId };
}

async function alexIn(fake: FakeMessenger, conversationId: string) {
  const view = (await fake.snapshot()).conversations.find((c: ConversationView) => c.id === conversationId);
  const member = view?.members.find((candidate) => candidate.address === ALEX);
  if (!member) throw new Error('Alex is not listed');
  return member;
}

const systemTypes = async (fake: FakeMessenger, conversationId: string) =>
  (await fake.messages(conversationId)).flatMap((message) => (message.system ? [message.system.type] : []));

describe('the fake messenger’s user keys', () => {
  it('a changed user key flags the member, adds an unapproved device under it and a system line', async () => {
    const { fake, events, conversationId } = await enrolled();
    fake.changeUserKey(ALEX);
    const alex = await alexIn(fake, conversationId);
    expect(alex.userKeyChanged).toBe(true);
    expect(alex.devices).toContainEqual({ deviceId: FAKE_NEW_KEY_DEVICE_ID, trust: 'unverified', approved: false });
    expect(await systemTypes(fake, conversationId)).toEqual(['user_key_changed']);
    expect(events).toContainEqual({ type: 'messages', conversationId });
  });

  it('accepting clears the flag, approves the new key’s devices, unapproves the old key’s, and says so', async () => {
    const { fake, conversationId } = await enrolled();
    const [first] = (await alexIn(fake, conversationId)).devices;
    fake.changeUserKey(ALEX);
    await fake.acceptUserKey(ALEX);
    const alex = await alexIn(fake, conversationId);
    expect(alex.userKeyChanged).toBeUndefined();
    expect(alex.devices.map(({ deviceId, approved }) => [deviceId, approved])).toEqual([
      [first?.deviceId, false],
      [FAKE_NEW_KEY_DEVICE_ID, true],
    ]);
    expect(await systemTypes(fake, conversationId)).toEqual(['user_key_changed', 'user_key_accepted']);
  });

  it('accepting a key that did not change (or twice) is not_found and changes nothing', async () => {
    const { fake, events, conversationId } = await enrolled();
    await expect(fake.acceptUserKey(ALEX)).rejects.toMatchObject({ code: 'not_found' });
    await expect(fake.acceptUserKey('nobody@example.org')).rejects.toMatchObject({ code: 'not_found' });
    expect(events).toEqual([]);
    fake.changeUserKey(ALEX);
    await fake.acceptUserKey(ALEX);
    await expect(fake.acceptUserKey(ALEX)).rejects.toMatchObject({ code: 'not_found' });
    expect(await systemTypes(fake, conversationId)).toEqual(['user_key_changed', 'user_key_accepted']);
  });

  it('a ghost device is listed unapproved with its system line, and does not flag a key change', async () => {
    const { fake, conversationId } = await enrolled();
    fake.addUnapprovedDevice(ALEX);
    const alex = await alexIn(fake, conversationId);
    expect(alex.userKeyChanged).toBeUndefined();
    expect(alex.devices.find((device) => device.deviceId === FAKE_GHOST_DEVICE_ID)?.approved).toBe(false);
    expect(await systemTypes(fake, conversationId)).toEqual(['device_unapproved']);
    await expect(fake.acceptUserKey(ALEX)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a message from an unapproved device is marked and names that device; an ordinary one is not', async () => {
    const { fake, conversationId } = await enrolled();
    fake.addUnapprovedDevice(ALEX);
    fake.receive(conversationId, ALEX, 'from the ghost', { unapprovedDevice: true });
    fake.receive(conversationId, ALEX, 'from Alex');
    const [ghost, ordinary] = (await fake.messages(conversationId)).filter((message) => message.text !== undefined);
    expect(ghost).toMatchObject({ unapprovedDevice: true, sender: { deviceId: FAKE_GHOST_DEVICE_ID } });
    expect(ordinary?.unapprovedDevice).toBeUndefined();
    expect(ordinary?.sender?.deviceId).not.toBe(FAKE_GHOST_DEVICE_ID);
  });
});
