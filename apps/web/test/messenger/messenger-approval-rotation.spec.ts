/**
 * A contact device that loses its approval (user-keys.md §2.5) still holds our current Sender Key
 * and fan-out key; our keys of every group its person is in must rotate in the same change
 * (messages.md §5.3), or it reads our later group messages from any copy of their ciphertext (a
 * relay dump, A2). Real messengers over a REAL relay, the organisation played by FakeAdmin; Alice's
 * relay client records what she puts, so a test can hand the old device the blobs meant for Carol,
 * and Alice's vault is read (locked) to see the rotation marked. Also: a device under a new user
 * key that writes first shows the key change, not an unapproved-device line before it.
 */
import type { MessageView, MessengerApi, SystemEvent } from '../../src/messenger/api';
import { CONTACT_REFRESH_MS } from '../../src/messenger/contacts';
import { forgeCertificate } from './forged-certificate';
import {
  expectRotatedAndUnreadable,
  idOf,
  recordingRelays,
  storedAt,
  type Listening,
  type RecordingRelay,
} from './listening-member';
import { enrolDevice, eventually, texts, useSpecWorld } from './support';

const world = useSpecWorld();

async function device(name: string, address = `${name}@agency.example`, relays?: RecordingRelay[]) {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(relays ? { relayFactory: recordingRelays(relays) } : {}),
  });
  world.devices.push(entry);
  return entry;
}

const lines = async (api: MessengerApi, conversationId: string): Promise<SystemEvent['type'][]> =>
  (await api.messages(conversationId)).flatMap((m: MessageView) => (m.system ? [m.system.type] : []));

const bobShown = async (api: MessengerApi, conversationId: string, address: string) =>
  (await api.snapshot()).conversations.find((c) => c.id === conversationId)?.members.find((m) => m.address === address);

/** A group of Alice (recording relay), Bob and Carol in which Bob's first device holds Alice's Sender Key. */
async function groupWithBob(prefix: string) {
  const relays: RecordingRelay[] = [];
  const alice = await device(`${prefix}alice`, undefined, relays);
  const bob = await device(`${prefix}bob`);
  const carol = await device(`${prefix}carol`);
  const group = await alice.api.createGroup('Plans', [`${prefix}bob@agency.example`, `${prefix}carol@agency.example`]);
  await alice.api.send(group, 'before the change');
  for (const member of [bob, carol])
    await eventually(async () => (await texts(member.api, group)).includes('before the change'), member.name);
  // Bob answers: Alice learns the queue of his that she writes to (his hello).
  await bob.api.send(group, 'bob here');
  await eventually(async () => (await texts(alice.api, group)).includes('bob here'), 'alice reads bob');
  const bobId = await idOf(bob);
  expect((await storedAt(alice, group, bobId)).key?.distributedTo).toContain(bobId);
  const listening: Listening = { relays, sender: alice, reader: carol, listener: bob, listenerId: bobId, group };
  return { listening, alice, bob, carol, group, bobId, bobAddress: `${prefix}bob@agency.example` };
}

test('a device that loses approval after a user-key change cannot read the next group message; the Sender Key rotated', async () => {
  const g = await groupWithBob('r1');

  // Bob's user key is replaced: a device certified under a new key, accepted by Alice.
  const newer = await device('r1bobnew', g.bobAddress);
  await forgeCertificate(world.admin, await idOf(newer));
  g.alice.clockOffset += CONTACT_REFRESH_MS + 1_000;
  await g.alice.api.send(g.group, 'still the old key');
  await eventually(async () => (await bobShown(g.alice.api, g.group, g.bobAddress))?.userKeyChanged, 'key change');
  // Approved until then, the old device reads what was sent meanwhile.
  await eventually(async () => (await texts(g.bob.api, g.group)).includes('still the old key'), 'bob reads it');
  await g.alice.api.acceptUserKey(g.bobAddress);
  const oldDevice = (await bobShown(g.alice.api, g.group, g.bobAddress))?.devices.find((d) => d.deviceId === g.bobId);
  expect(oldDevice?.approved).toBe(false);

  await expectRotatedAndUnreadable(g.listening, 'after the change');
}, 90_000);

test('a device whose certificate stops verifying under the pinned key (a change not accepted) loses our Sender Key too', async () => {
  const g = await groupWithBob('r2');
  // The directory now serves Bob's own device under a key Alice has not pinned.
  await forgeCertificate(world.admin, g.bobId);
  // Alice looks Bob up again (opening a conversation with him), so the change is seen in that
  // change and no group message races it: the Sender Key is then marked and given to nobody yet.
  await g.alice.api.startDirect(g.bobAddress).catch(() => undefined);
  await eventually(async () => (await bobShown(g.alice.api, g.group, g.bobAddress))?.userKeyChanged, 'key change');
  const shown = (await bobShown(g.alice.api, g.group, g.bobAddress))?.devices.find((d) => d.deviceId === g.bobId);
  expect(shown?.approved).toBe(false);

  await expectRotatedAndUnreadable(g.listening, 'not for the unapproved device');
}, 90_000);
test('a device under a new user key that writes first: the key change is shown, no unapproved-device line before it', async () => {
  const eve = await device('r3eve');
  const fay = await device('r3fay');
  const direct = await eve.api.startDirect('r3fay@agency.example');
  await eve.api.send(direct, 'before');
  await eventually(async () => (await fay.api.snapshot()).conversations.length === 1, 'fay has the conversation');

  // Fay lost her only device: it is revoked and she enrols again, with a new user key.
  await world.admin.revoke(Buffer.from(await idOf(fay), 'hex'));
  const fay2 = await device('r3fay2', 'r3fay@agency.example');
  expect((await fay2.api.snapshot()).device?.approval).toBe('approved');
  const atFay2 = await fay2.api.startDirect('r3eve@agency.example');
  await fay2.api.send(atFay2, 'it is fay again');

  await eventually(async () => (await texts(eve.api, direct)).includes('it is fay again'), 'eve reads fay2');
  const shown = await lines(eve.api, direct);
  expect(shown).toContain('user_key_changed');
  // The key change explains the device: no unapproved line for it, before the change or after.
  expect(shown).not.toContain('device_unapproved');
}, 60_000);
