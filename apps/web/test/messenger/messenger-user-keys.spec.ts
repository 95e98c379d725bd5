/**
 * User keys against a hostile admin app (user-keys.md §2.5, §6, issue 13 "a ghost device reads
 * everything"), with real messengers over a REAL relay and the organisation played by FakeAdmin:
 * a person's first device makes their user key; a device the admin app enrols for someone is
 * attested but not certified, so it is shown as unapproved and receives nothing, and the person's
 * own devices raise the alert; a certificate under another user key is a security-key change that
 * holds messages to the new key's devices until the user accepts it.
 */
import type { MessageView, MessengerApi, SystemEvent } from '../../src/messenger/api';
import { CONTACT_REFRESH_MS } from '../../src/messenger/contacts';
import { forgeCertificate } from './forged-certificate';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger, useSpecWorld } from './support';

const world = useSpecWorld();

async function device(name: string, address = `${name}@agency.example`): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ownDevicesCheckSeconds: 1,
  });
  world.devices.push(entry);
  return entry;
}

const lines = async (api: MessengerApi, conversationId: string): Promise<SystemEvent['type'][]> =>
  (await api.messages(conversationId)).flatMap((m: MessageView) => (m.system ? [m.system.type] : []));

const memberOf = async (api: MessengerApi, conversationId: string, address: string) =>
  (await api.snapshot()).conversations.find((c) => c.id === conversationId)?.members.find((m) => m.address === address);

/** The contact is looked up again at the next send, as an hour later (CONTACT_REFRESH_MS). */
async function sendAfterAnHour(sender: TestMessenger, conversationId: string, text: string): Promise<void> {
  sender.clockOffset += CONTACT_REFRESH_MS + 1_000;
  await sender.api.send(conversationId, text);
}

const idOf = async (entry: TestMessenger): Promise<string> => (await entry.api.snapshot()).device?.deviceId ?? '';

test('the first device of a person makes the user key and certifies itself; the admin app records the key', async () => {
  const ann = await device('ann');
  expect((await ann.api.snapshot()).device?.approval).toBe('approved');
  expect(world.admin.userKeys.get('ann@agency.example')).toHaveLength(32);
  const enrolled = world.admin.devices.find((d) => d.address === 'ann@agency.example');
  expect(enrolled?.certificate).toBeDefined();
  expect((await ann.api.snapshot()).device?.unapprovedOwnDevices).toEqual([]);
}, 60_000);

test('a ghost device the admin app enrols for a verified contact receives nothing; both sides are told', async () => {
  const alice = await device('alice');
  const bob = await device('bob');
  const direct = await alice.api.startDirect('bob@agency.example');
  await alice.api.send(direct, 'hello Bob');
  const atBob = await conversationWith(bob.api, (t) => t === 'ALICE');
  await eventually(async () => (await texts(bob.api, atBob)).includes('hello Bob'), 'bob reads alice');
  await alice.api.markVerified('bob@agency.example');

  // The admin app (or whoever holds its data folder) enrols a second device for bob.
  const ghost = await device('ghost', 'bob@agency.example');
  expect((await ghost.api.snapshot()).device?.approval).toBe('unapproved');
  const ghostId = await idOf(ghost);

  await sendAfterAnHour(alice, direct, 'before the look-up');
  await eventually(
    async () => (await memberOf(alice.api, direct, 'bob@agency.example'))?.devices.length === 2,
    'alice sees the second device',
  );
  const ghostView = (await memberOf(alice.api, direct, 'bob@agency.example'))?.devices.find(
    (d) => d.deviceId === ghostId,
  );
  expect(ghostView?.approved).toBe(false);
  expect(await lines(alice.api, direct)).toContain('device_unapproved');
  expect(await lines(alice.api, direct)).not.toContain('device_added');

  await alice.api.send(direct, 'confidential: the merger is on');
  await eventually(async () => (await texts(bob.api, atBob)).includes('confidential: the merger is on'), 'bob');
  // Bob's own device says a device was added to his account without his approval.
  await eventually(
    async () => (await bob.api.snapshot()).device?.unapprovedOwnDevices.includes(ghostId),
    'the alert on bob’s own device',
  );
  // Let anything in flight arrive before checking that the ghost got nothing.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await ghost.api.snapshot()).conversations).toEqual([]);
  // And it cannot send as bob: it holds no user key.
  await expect(ghost.api.startDirect('alice@agency.example')).rejects.toMatchObject({ code: 'not_approved' });
}, 60_000);

test('a hostile admin app certifies a ghost with a user key of its own: a security-key change, never an approval', async () => {
  const cleo = await device('cleo');
  const dan = await device('dan');
  const direct = await cleo.api.startDirect('dan@agency.example');
  await cleo.api.send(direct, 'first');
  const atDan = await conversationWith(dan.api, (t) => t === 'CLEO');
  await eventually(async () => (await texts(dan.api, atDan)).includes('first'), 'dan reads cleo');

  const forger = await device('forger', 'dan@agency.example');
  const forgerId = await idOf(forger);
  // Served in the directory as if dan had approved it, under a key the admin app made.
  await forgeCertificate(world.admin, forgerId);

  await sendAfterAnHour(cleo, direct, 'second');
  await eventually(
    async () => (await memberOf(cleo.api, direct, 'dan@agency.example'))?.userKeyChanged === true,
    'the key change shown at cleo',
  );
  expect(await lines(cleo.api, direct)).toContain('user_key_changed');
  const forged = (await memberOf(cleo.api, direct, 'dan@agency.example'))?.devices.find((d) => d.deviceId === forgerId);
  expect(forged?.approved).toBe(false);
  await cleo.api.send(direct, 'third');
  await eventually(async () => (await texts(dan.api, atDan)).includes('third'), 'dan still reads cleo');
  await eventually(
    async () => (await dan.api.snapshot()).device?.unapprovedOwnDevices.includes(forgerId),
    'the alert on dan’s own device',
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await forger.api.snapshot()).conversations).toEqual([]);
}, 60_000);

test('a person who re-enrols from scratch: contacts write to the new device only once they accept the new key', async () => {
  const eve = await device('eve');
  const fay = await device('fay');
  const direct = await eve.api.startDirect('fay@agency.example');
  await eve.api.send(direct, 'before');
  await eventually(async () => (await fay.api.snapshot()).conversations.length === 1, 'fay has the conversation');

  // Fay lost her only device: the administrator revokes it and she enrols a new one.
  const lost = world.admin.devices.find((d) => d.address === 'fay@agency.example');
  if (!lost) throw new Error('fay is not enrolled');
  await world.admin.revoke(lost.deviceId);
  const fay2 = await device('fay2', 'fay@agency.example');
  expect((await fay2.api.snapshot()).device?.approval).toBe('approved');

  await sendAfterAnHour(eve, direct, 'after the re-enrolment');
  await eventually(
    async () => (await memberOf(eve.api, direct, 'fay@agency.example'))?.userKeyChanged === true,
    'the key change shown at eve',
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await fay2.api.snapshot()).conversations).toEqual([]);

  await eve.api.acceptUserKey('fay@agency.example');
  expect((await memberOf(eve.api, direct, 'fay@agency.example'))?.userKeyChanged).toBeUndefined();
  expect(await lines(eve.api, direct)).toContain('user_key_accepted');
  await eve.api.send(direct, 'welcome back');
  const atFay2 = await conversationWith(fay2.api, (t) => t === 'EVE');
  await eventually(async () => (await texts(fay2.api, atFay2)).includes('welcome back'), 'fay2 reads eve');
  // Accepting twice is refused: nothing changed since.
  await expect(eve.api.acceptUserKey('fay@agency.example')).rejects.toMatchObject({ code: 'not_found' });
}, 60_000);
