/**
 * A contact device that loses its approval (user-keys.md §2.5) still holds our current Sender Key
 * and fan-out key; our keys of every group its person is in must rotate in the same change
 * (messages.md §5.3), or it reads our later group messages from any copy of their ciphertext (a
 * relay dump, A2). Real messengers over a REAL relay, the organisation played by FakeAdmin; Alice's
 * relay client records what she puts, so a test can hand the old device the blobs meant for Carol,
 * and Alice's vault is read (locked) to see the rotation marked. Also: a device under a new user
 * key that writes first shows the key change, not an unapproved-device line before it.
 */
import { RelayClient } from '@opendescent/relay-client';
import type { MessageView, MessengerApi, SystemEvent } from '../../src/messenger/api';
import { CONTACT_REFRESH_MS } from '../../src/messenger/contacts';
import { TABLES, type GroupKeyRecord, type PeerRecord } from '../../src/messenger/records';
import { Vault } from '../../src/store';
import { forgeCertificate } from './forged-certificate';
import { PASSPHRASE, enrolDevice, eventually, texts, type TestMessenger, useSpecWorld } from './support';

const world = useSpecWorld();
const CHEAP_KDF = { kdfParams: { memoryKiB: 1024, iterations: 1, parallelism: 1 } };

/** The real client, recording every blob it puts and where. */
class RecordingRelay extends RelayClient {
  readonly recorded: { senderId: Uint8Array; blob: Uint8Array }[] = [];

  override putMany(...args: Parameters<RelayClient['putMany']>): ReturnType<RelayClient['putMany']> {
    this.recorded.push(...args[0].map(({ senderId, blob }) => ({ senderId, blob })));
    return super.putMany(...args);
  }
}

async function device(name: string, address = `${name}@agency.example`, relays?: RecordingRelay[]) {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(relays
      ? {
          relayFactory: (url, credentials) => {
            const client = new RecordingRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } });
            relays.push(client);
            return client;
          },
        }
      : {}),
  });
  world.devices.push(entry);
  return entry;
}

const idOf = async (entry: TestMessenger): Promise<string> => (await entry.api.snapshot()).device?.deviceId ?? '';

const lines = async (api: MessengerApi, conversationId: string): Promise<SystemEvent['type'][]> =>
  (await api.messages(conversationId)).flatMap((m: MessageView) => (m.system ? [m.system.type] : []));

const bobShown = async (api: MessengerApi, conversationId: string, address: string) =>
  (await api.snapshot()).conversations.find((c) => c.id === conversationId)?.members.find((m) => m.address === address);

/** Alice's own records as stored: her group key and her channel with one device (the vault read while locked). */
async function storedAt(entry: TestMessenger, groupId: string, deviceId: string) {
  await entry.api.lock();
  const vault = await Vault.unlock(entry.store, PASSPHRASE, CHEAP_KDF);
  const key = await vault.get<GroupKeyRecord>(TABLES.groupKeys, '', groupId);
  const peer = await vault.get<PeerRecord>(TABLES.peers, '', deviceId);
  vault.lock();
  await entry.api.unlock(PASSPHRASE);
  await eventually(async () => (await entry.api.snapshot()).device?.reachable, `${entry.name} open again`);
  return { key, peer };
}

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
  return { relays, alice, bob, carol, group, bobId, bobAddress: `${prefix}bob@agency.example` };
}

/**
 * What the approval change left at Alice (her Sender Key marked for rotation, given to nobody yet);
 * then Alice sends, and once Carol reads it every blob Alice put for it (Carol's fan-out copy among
 * them) is put into the queue Alice used to write to Bob's old device, as a relay dump would give
 * it: the old device, holding only the old chain and fan-out key, reads none of it.
 */
async function expectRotatedAndUnreadable(g: Awaited<ReturnType<typeof groupWithBob>>, text: string): Promise<void> {
  const { relays, alice, bob, carol, group, bobId } = g;
  const marked = await storedAt(alice, group, bobId);
  expect(marked.key).toMatchObject({ rotate: true, distributedTo: [] });
  const bobQueue = marked.peer?.outbox?.senderId;
  if (!bobQueue) throw new Error('alice holds no queue of bob’s old device');

  const client = relays[relays.length - 1] as RecordingRelay;
  const from = client.recorded.length;
  await alice.api.send(group, text);
  await eventually(async () => (await texts(carol.api, group)).includes(text), 'carol reads it');
  const copies = client.recorded.slice(from);
  expect(copies.some((c) => Buffer.compare(Buffer.from(c.senderId), Buffer.from(bobQueue)) === 0)).toBe(false);
  await client.putMany(copies.map(({ blob }) => ({ senderId: bobQueue, blob })));

  const sent = await storedAt(alice, group, bobId);
  expect(Buffer.from(sent.key?.fanoutKey ?? [])).not.toEqual(Buffer.from(marked.key?.fanoutKey ?? []));
  expect(sent.key?.distributedTo).toContain(await idOf(carol));
  expect(sent.key?.distributedTo).not.toContain(bobId);
  // Time for the handed copies to arrive and be tried (without the rotation they are read by then).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await texts(bob.api, group)).not.toContain(text);
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

  await expectRotatedAndUnreadable(g, 'after the change');
}, 90_000);

test('a device whose certificate stops verifying under the pinned key (a change not accepted) loses our Sender Key too', async () => {
  const g = await groupWithBob('r2');
  // The directory now serves Bob's own device under a key Alice has not pinned.
  await forgeCertificate(world.admin, g.bobId);
  g.alice.clockOffset += CONTACT_REFRESH_MS + 1_000;
  await g.alice.api.send(g.group, 'last one for the old device');
  await eventually(async () => (await bobShown(g.alice.api, g.group, g.bobAddress))?.userKeyChanged, 'key change');
  const shown = (await bobShown(g.alice.api, g.group, g.bobAddress))?.devices.find((d) => d.deviceId === g.bobId);
  expect(shown?.approved).toBe(false);

  await expectRotatedAndUnreadable(g, 'not for the unapproved device');
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
