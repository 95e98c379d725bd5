/**
 * A group message to many member devices is stored once on the relay (a shared blob, relay.md
 * §3.13) and each device gets a 65-byte pointer to it (envelopes.md §7), with the real messenger
 * over a REAL relay. Alice's relay client records what she puts; a member whose relay client says
 * the shared blob is gone drops the pointer; a removed member handed every pointer and able to
 * fetch every shared blob reads nothing sent after its removal.
 */
import { FANOUT_POINTER_BYTES } from '@opendescent/protocol';
import { RelayClient, RelayRequestError } from '@opendescent/relay-client';
import { SHARED_FANOUT_MIN_DEVICES } from '../../src/messenger/delivery';
import { idOf, recordingRelays, storedAt, type RecordingRelay } from './listening-member';
import { conversationWith, enrolDevice, eventually, texts, useSpecWorld, type TestMessenger } from './support';

const world = useSpecWorld();
const relays: RecordingRelay[] = [];
let alice: TestMessenger;
const members: TestMessenger[] = [];
/** A member whose relay client finds every shared blob gone (expired at the relay). */
let late: TestMessenger;

const at = (name: string) => `${name}@agency.example`;

class ExpiredSharedRelay extends RelayClient {
  override fetchShared(): Promise<Uint8Array> {
    return Promise.reject(new RelayRequestError('not_found'));
  }
}

beforeAll(async () => {
  const enrol = async (name: string, relayFactory?: Parameters<typeof enrolDevice>[3]['relayFactory']) => {
    const entry = await enrolDevice(name, at(name), name.toUpperCase(), {
      relayUrl: world.relay.url,
      admin: world.admin,
      ...(relayFactory ? { relayFactory } : {}),
    });
    world.devices.push(entry);
    return entry;
  };
  alice = await enrol('alice', recordingRelays(relays));
  // One more than the threshold: after a removal the group still fans out by pointers.
  for (let i = 0; i <= SHARED_FANOUT_MIN_DEVICES; i += 1) members.push(await enrol(`member${i}`));
  late = await enrol(
    'late',
    (url, credentials) => new ExpiredSharedRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } }),
  );
}, 120_000);

test('a message to 8 or more devices is stored once: each queue gets a different 65-byte pointer, every member reads it', async () => {
  const group = await alice.api.createGroup(
    'many',
    members.map((m) => at(m.name)),
  );
  const ids = await Promise.all(members.map((m) => conversationWith(m.api, (t) => t === 'many')));
  // The first send also carries the Sender Keys (pairwise): the second is the fan-out alone.
  await alice.api.send(group, 'first');
  for (const [i, m] of members.entries())
    await eventually(async () => (await texts(m.api, ids[i] as string)).includes('first'), `${m.name} reads`);
  const client = relays[relays.length - 1] as RecordingRelay;
  const [putsBefore, sharedBefore] = [client.recorded.length, client.shared.length];
  await alice.api.send(group, 'to everyone, stored once');
  for (const [i, m] of members.entries())
    await eventually(
      async () => (await texts(m.api, ids[i] as string)).includes('to everyone, stored once'),
      `${m.name} reads the second`,
    );
  const pointers = client.recorded.slice(putsBefore);
  expect(client.shared.length - sharedBefore).toBe(1);
  expect(pointers).toHaveLength(members.length);
  expect(pointers.every((p) => p.blob.length === FANOUT_POINTER_BYTES)).toBe(true);
  expect(new Set(pointers.map((p) => Buffer.from(p.blob).toString('hex'))).size).toBe(members.length);
  // What Alice uploaded for it: one shared envelope and the pointers, against one envelope per device.
  const uploaded = (client.shared[client.shared.length - 1] as Uint8Array).length + pointers.length * (16 + 4 + 65);
  expect(uploaded).toBeLessThan(members.length * (16 + 4 + (client.shared[0] as Uint8Array).length));
}, 90_000);

test('a pointer whose shared blob is gone (expired at the relay) is dropped: nothing is shown', async () => {
  const everyone = [...members.slice(0, SHARED_FANOUT_MIN_DEVICES - 1), late];
  const group = await alice.api.createGroup(
    'late',
    everyone.map((m) => at(m.name)),
  );
  const atLate = await conversationWith(late.api, (t) => t === 'late');
  await alice.api.send(group, 'never fetched');
  const atFirst = await conversationWith((members[0] as TestMessenger).api, (t) => t === 'late');
  await eventually(
    async () => (await texts((members[0] as TestMessenger).api, atFirst)).includes('never fetched'),
    'read',
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await texts(late.api, atLate)).toEqual([]);
}, 90_000);

test('a removed member handed every pointer, with every shared blob there to fetch, reads nothing sent after', async () => {
  const group = await alice.api.createGroup(
    'removal',
    members.map((m) => at(m.name)),
  );
  const listener = members[0] as TestMessenger;
  const reader = members[1] as TestMessenger;
  const atListener = await conversationWith(listener.api, (t) => t === 'removal');
  const atReader = await conversationWith(reader.api, (t) => t === 'removal');
  await alice.api.send(group, 'before');
  await eventually(async () => (await texts(listener.api, atListener)).includes('before'), 'listener reads');
  await listener.api.send(atListener, 'so Alice holds my queue');
  await eventually(async () => (await texts(alice.api, group)).includes('so Alice holds my queue'), 'alice reads');
  await alice.api.removeMember(group, at(listener.name));
  const listenerId = await idOf(listener);
  const queue = (await storedAt(alice, group, listenerId)).peer?.outbox?.senderId;
  if (!queue) throw new Error('alice holds no queue of the listener');

  const client = relays[relays.length - 1] as RecordingRelay;
  const from = client.recorded.length;
  await alice.api.send(group, 'after the removal');
  await eventually(async () => (await texts(reader.api, atReader)).includes('after the removal'), 'reader reads');
  // Every pointer Alice put (the shared blobs stay on the relay until their TTL) goes to the listener's queue.
  await client.putMany(client.recorded.slice(from).map(({ blob }) => ({ senderId: queue, blob })));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await texts(listener.api, atListener)).not.toContain('after the removal');
}, 90_000);
