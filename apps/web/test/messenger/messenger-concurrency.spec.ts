/**
 * The messenger's network calls run outside its exclusive section (decision 0011): a slow admin
 * app holds up neither incoming messages nor other commands, and one's own address is refused
 * before any look-up. Devices talk through a REAL relay; the organisation is FakeAdmin.
 */
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg } from '../net/support/relay-process';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

let relay: RelayProcess;
let admin: FakeAdmin;
const devices: TestMessenger[] = [];

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
  for (const [name, address, displayName] of [
    ['alice', 'alice@ministry.example', 'Alice Martin'],
    ['bob', 'bob@ministry.example', 'Bob Durand'],
    ['carol', 'carol@ministry.example', 'Carol Petit'],
  ] as const) {
    devices.push(await enrolDevice(name, address, displayName, { relayUrl: relay.url, admin }));
  }
}, 90_000);

afterAll(async () => {
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

test('a directory look-up that hangs does not hold up incoming messages; the command finishes once the directory answers', async () => {
  const [alice, bob] = devices as [TestMessenger, TestMessenger, TestMessenger];
  const conversation = await alice.api.startDirect('bob@ministry.example');
  await alice.api.send(conversation, 'before the slow directory');
  const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
  await eventually(
    async () => (await texts(bob.api, atBob)).includes('before the slow directory'),
    'first message at Bob',
  );

  let release!: () => void;
  admin.lookupGate = new Promise<void>((resolve) => (release = resolve));
  const lookupsBefore = admin.lookups;
  // Alice starts a conversation with Carol: her directory look-up now waits on the admin app.
  const pending = alice.api.startDirect('carol@ministry.example');
  await eventually(async () => admin.lookups > lookupsBefore, 'Alice asked the directory');
  // Meanwhile Bob writes: Alice's device receives, stores and shows it without waiting.
  await bob.api.send(atBob, 'arrives while the directory hangs');
  await eventually(
    async () => (await texts(alice.api, conversation)).includes('arrives while the directory hangs'),
    'Bob’s message at Alice during the hang',
    10_000,
  );
  // And Alice can still send in her existing conversation (members fresh: no look-up needed).
  await alice.api.send(conversation, 'sent while the directory hangs');
  await eventually(
    async () => (await texts(bob.api, atBob)).includes('sent while the directory hangs'),
    'Alice’s reply at Bob',
    10_000,
  );

  release();
  admin.lookupGate = undefined;
  const withCarol = await pending;
  await alice.api.send(withCarol, 'hello Carol');
  const carol = devices[2] as TestMessenger;
  const atCarol = await conversationWith(carol.api, (t) => t === 'Alice Martin');
  await eventually(async () => (await texts(carol.api, atCarol)).includes('hello Carol'), 'message at Carol');
}, 90_000);

test('one’s own address is refused as own_address (not as an invalid address), without asking the directory', async () => {
  const [alice] = devices as [TestMessenger];
  const before = admin.lookups;
  await expect(alice.api.startDirect(' Alice@Ministry.example ')).rejects.toMatchObject({ code: 'own_address' });
  expect(admin.lookups).toBe(before);
  // Nothing was made: no conversation with oneself.
  expect(
    (await alice.api.snapshot()).conversations.some((c) => c.kind === 'direct' && c.members.every((m) => m.isSelf)),
  ).toBe(false);
});
