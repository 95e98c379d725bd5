/**
 * Following a rotation of the organisation key (attestations.md §4, issue 13): a client pins its
 * organisation's keys at enrolment and afterwards accepts a new key only through a statement
 * signed by a key it honours. After the admin app rotates, the revocation list it signs with the
 * new key still revokes on every existing client (before, it failed as `unknown_signer` and was
 * skipped in silence), a colleague enrolled after the rotation is heard, and a forged rotation is
 * refused and shown.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg } from '../net/support/relay-process';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

let relay: RelayProcess;
const devices: TestMessenger[] = [];

async function device(admin: FakeAdmin, name: string): Promise<TestMessenger> {
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
    relayUrl: relay.url,
    admin,
    // The admin app's list is polled every second: the rotation is met on that path.
    revocationPollSeconds: 1,
  });
  devices.push(entry);
  return entry;
}

function deviceIdOf(admin: FakeAdmin, name: string): Uint8Array {
  const enrolled = admin.devices.find((d) => d.address === `${name}@agency.example`);
  if (!enrolled) throw new Error(`${name} is not enrolled`);
  return enrolled.deviceId;
}

let admin: FakeAdmin;

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
}, 60_000);

afterAll(async () => {
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

test('after a rotation the list signed by the new key is followed and applied: the revoked device is cut off on an existing client', async () => {
  const [ann, ben] = [await device(admin, 'ann'), await device(admin, 'ben')];
  const conversation = await ann.api.startDirect('ben@agency.example');
  await ann.api.send(conversation, 'before the rotation');
  const atBen = await conversationWith(ben.api, (t) => t === 'ANN');
  await eventually(async () => (await texts(ben.api, atBen)).includes('before the rotation'), 'first message at ben');

  const fetchesBefore = admin.orgFetches;
  await admin.rotate();
  await admin.revoke(deviceIdOf(admin, 'ben'), 'compromised');
  await eventually(
    async () =>
      (await ann.api.snapshot()).conversations
        .find((c) => c.id === conversation)
        ?.members.find((m) => m.address === 'ben@agency.example')
        ?.devices.every((d) => d.trust === 'revoked'),
    'ben revoked at ann after the rotation',
  );
  expect(admin.orgFetches).toBeGreaterThan(fetchesBefore);
  expect((await ann.api.snapshot()).device?.orgKeysAlert).toBeUndefined();
}, 60_000);

test('a colleague enrolled after the rotation (attestation by the new key) is heard, not dropped', async () => {
  const ann = devices.find((d) => d.name === 'ann') as TestMessenger;
  const cyd = await device(admin, 'cyd');
  const conversation = await cyd.api.startDirect('ann@agency.example');
  await cyd.api.send(conversation, 'signed by the next key');
  const atAnn = await eventually(
    async () => (await ann.api.snapshot()).conversations.find((c) => c.title === 'CYD')?.id,
    'cyd’s conversation at ann',
  );
  await eventually(async () => (await texts(ann.api, atAnn)).includes('signed by the next key'), 'cyd heard');
}, 60_000);

test('a rotation introduced by a key the client does not pin is refused and shown; the list its key signs is not applied', async () => {
  const forger = new FakeAdmin(admin.org);
  const dee = await device(forger, 'dee');
  await device(forger, 'eve');
  const conversation = await dee.api.startDirect('eve@agency.example');
  await dee.api.send(conversation, 'hello eve');
  // Someone serving the organisation document introduces a key of their own.
  await forger.rotate(await generateEd25519KeyPair());
  await forger.revoke(deviceIdOf(forger, 'eve'), 'compromised');
  await eventually(async () => (await dee.api.snapshot()).device?.orgKeysAlert?.code, 'the alert at dee');
  expect((await dee.api.snapshot()).device?.orgKeysAlert?.code).toBe('unknown_signer');
  const eveAtDee = (await dee.api.snapshot()).conversations
    .find((c) => c.id === conversation)
    ?.members.find((m) => m.address === 'eve@agency.example');
  expect(eveAtDee?.devices.length).toBeGreaterThan(0);
  expect(eveAtDee?.devices.some((d) => d.trust === 'revoked')).toBe(false);
}, 60_000);
