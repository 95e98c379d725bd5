/**
 * Search on the device with the real messenger over a REAL relay (issue 15 item 4): what arrives
 * and what is sent is found, accents and case folded for French, in one conversation or all; a
 * disappearing message is never indexed; the index survives a lock and unlock (it is kept sealed
 * in the vault), and nothing is searchable while locked.
 */
import {
  conversationWith,
  enrolDevice,
  eventually,
  PASSPHRASE,
  texts,
  useSpecWorld,
  type TestMessenger,
} from './support';

const world = useSpecWorld();
let alice: TestMessenger;
let bob: TestMessenger;
const at = (name: string) => `${name}@agency.example`;

const found = async (api: TestMessenger['api'], query: string, conversationId?: string) =>
  (await api.searchMessages(query, conversationId)).map((hit) => hit.snippet);

beforeAll(async () => {
  for (const name of ['alice', 'bob']) {
    const entry = await enrolDevice(name, at(name), name === 'alice' ? 'Alice Martin' : 'Bob Durand', {
      relayUrl: world.relay.url,
      admin: world.admin,
    });
    world.devices.push(entry);
    if (name === 'alice') alice = entry;
    else bob = entry;
  }
}, 60_000);

test('received and sent messages are found with or without accents, in one conversation or all', async () => {
  const direct = await alice.api.startDirect(at('bob'));
  await alice.api.send(direct, 'Réunion à l’école demain à 9 h');
  await alice.api.send(direct, 'Le budget est validé');
  const bobDirect = await conversationWith(bob.api, (t) => t === 'Alice Martin');
  await eventually(async () => (await found(bob.api, 'ecole')).length === 1, 'Bob finds it without accents', 15_000);
  expect(await found(bob.api, 'ÉCOLE')).toEqual(['Réunion à l’école demain à 9 h']);
  expect(await found(bob.api, 'reunion')).toEqual(['Réunion à l’école demain à 9 h']);
  await eventually(async () => (await found(bob.api, 'budget')).length === 1, 'the second message arrives too');
  expect(await found(bob.api, 'budget', bobDirect)).toEqual(['Le budget est validé']);
  expect(await found(bob.api, 'budget', 'f'.repeat(32))).toEqual([]);
  // Alice finds what she sent.
  await eventually(async () => (await found(alice.api, 'valide')).length === 1, 'Alice finds her own message');
  const [hit] = await bob.api.searchMessages('budget');
  expect(hit).toMatchObject({ conversationId: bobDirect, senderName: 'Alice Martin', mine: false });
  // Nonsense and empty queries find nothing and throw nothing.
  expect(await found(bob.api, '')).toEqual([]);
  expect(await found(bob.api, '   ?!… ')).toEqual([]);
  expect(await found(bob.api, 'x'.repeat(1_000))).toEqual([]);
}, 60_000);

test('a disappearing message is never searchable: its words must not outlive it in the index', async () => {
  const direct = await alice.api.startDirect(at('bob'));
  await alice.api.setDisappearing(direct, 300);
  await alice.api.send(direct, 'Mot de passe provisoire: ornithorynque');
  const bobDirect = await conversationWith(bob.api, (t) => t === 'Alice Martin');
  await eventually(
    async () => (await texts(bob.api, bobDirect)).some((t) => t.includes('ornithorynque')),
    'Bob reads it',
  );
  await alice.api.setDisappearing(direct, null);
  await alice.api.send(direct, 'Un message ordinaire: pangolin');
  await eventually(async () => (await found(bob.api, 'pangolin')).length === 1, 'the next, ordinary message is found');
  expect(await found(bob.api, 'ornithorynque')).toEqual([]);
  expect(await found(alice.api, 'ornithorynque')).toEqual([]);
}, 60_000);

test('the index is kept sealed in the vault: after a lock and unlock, search works at once; locked, nothing is searchable', async () => {
  await bob.api.lock();
  await expect(bob.api.searchMessages('budget')).rejects.toMatchObject({ code: 'locked' });
  await bob.api.unlock(PASSPHRASE);
  await eventually(async () => (await found(bob.api, 'budget').catch(() => [])).length === 1, 'found after unlock');
}, 60_000);
