/**
 * Revocation reaching contacts through the relay (DESIGN.md flow 8: "within 2 seconds"): the
 * relay pushes every newer signed list to every connection, and the messenger applies it at once,
 * not at its next poll of the admin app (polled here only once an hour). Messages still waiting
 * on a revoked device settle: delivered when everyone else has it, failed when nobody can.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { RelayClient } from '@opendescent/relay-client';
import type { MessageView } from '../../src/messenger/api';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, mintedTokens, newOrg, revocationList } from '../net/support/relay-process';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

const HOUR = 3_600;
let relay: RelayProcess;
let admin: FakeAdmin;
let pusher: RelayClient;
const devices: TestMessenger[] = [];

async function device(name: string): Promise<TestMessenger> {
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
    relayUrl: relay.url,
    admin,
    revocationPollSeconds: HOUR,
  });
  devices.push(entry);
  return entry;
}

function deviceIdOf(name: string): Uint8Array {
  const enrolled = admin.devices.find((d) => d.address === `${name}@agency.example`);
  if (!enrolled) throw new Error(`${name} is not enrolled`);
  return enrolled.deviceId;
}

/** The admin app revokes the device and hands the new list to the relay (relay.md §7), which pushes it to every connection. */
async function revokeAndPush(name: string): Promise<void> {
  await admin.revoke(deviceIdOf(name), 'lost_or_stolen');
  await pusher.pushRevocationList(await admin.port.revocationList());
}

async function message(
  api: TestMessenger['api'],
  conversationId: string,
  text: string,
): Promise<MessageView | undefined> {
  return (await api.messages(conversationId)).find((m) => m.text === text);
}

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
  pusher = new RelayClient({ url: relay.url, credentials: mintedTokens(org, relay.url) });
  pusher.start();
  await eventually(async () => pusher.status === 'online', 'pusher online');
}, 60_000);

afterAll(async () => {
  pusher?.stop();
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

test('a list pushed by the relay is applied at once: the contact shows the device revoked within 2 s, nothing is composed for it after, and it wipes itself', async () => {
  const [ann, ben] = [await device('ann'), await device('ben')];
  const conversation = await ann.api.startDirect('ben@agency.example');
  await ann.api.send(conversation, 'before');
  const atBen = await conversationWith(ben.api, (t) => t === 'ANN');
  await eventually(async () => (await texts(ben.api, atBen)).includes('before'), 'first message at ben');
  // Both connected with tokens the organisation issued blind, as the admin app does.
  expect(admin.tokensIssued).toBeGreaterThanOrEqual(2);
  const fetchesBefore = admin.keySetFetches;

  const started = Date.now();
  await revokeAndPush('ben');
  await eventually(
    async () =>
      (await ann.api.snapshot()).conversations
        .find((c) => c.id === conversation)
        ?.members.find((m) => m.address === 'ben@agency.example')
        ?.devices.every((d) => d.trust === 'revoked'),
    'ben shown revoked at ann',
    2_000,
  );
  expect(Date.now() - started).toBeLessThan(2_000);
  expect((await ann.api.messages(conversation)).some((m) => m.system?.type === 'device_revoked')).toBe(true);
  // The revoked device learnt it the same way, and wiped itself.
  const wiped = await eventually(async () => (await ben.api.snapshot()).wiped, 'ben wiped', 2_000);
  expect(wiped.reason).toBe('lost_or_stolen');

  // Nothing is encrypted for the revoked device any more: the message has nobody to go to.
  await ann.api.send(conversation, 'after the revocation');
  expect((await message(ann.api, conversation, 'after the revocation'))?.status).toBe('failed');
  expect((await ann.api.snapshot()).pendingOutgoing).toBe(0);
  // And the admin app was asked for no revocation list or key set to learn it.
  expect(admin.keySetFetches).toBe(fetchesBefore);
}, 60_000);

test('a group message sent while a member was being revoked settles: delivered once the others have it, not "sent" forever', async () => {
  const [cy, dee, eli] = [await device('cy'), await device('dee'), await device('eli')];
  const group = await cy.api.createGroup('Settling', ['dee@agency.example', 'eli@agency.example']);
  await cy.api.send(group, 'all here');
  await eventually(
    async () => (await message(cy.api, group, 'all here'))?.status === 'delivered',
    'first message delivered to both',
  );
  const direct = await cy.api.startDirect('eli@agency.example');
  await cy.api.send(direct, 'eli, are you there?');
  await eventually(
    async () => (await message(cy.api, direct, 'eli, are you there?'))?.status === 'delivered',
    'direct message delivered',
  );

  // Eli's device goes silent (lost), then is revoked; cy writes before it learns of the revocation.
  await eli.api.lock();
  await cy.api.send(group, 'while eli is being revoked');
  await cy.api.send(direct, 'only to eli');
  await eventually(async () => (await texts(dee.api, group)).includes('while eli is being revoked'), 'dee reads it');
  await eventually(
    async () => (await message(cy.api, group, 'while eli is being revoked'))?.status === 'sent',
    'sent, waiting on eli',
  );
  await eventually(
    async () => (await message(cy.api, direct, 'only to eli'))?.status === 'sent',
    'direct message stored',
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await message(cy.api, group, 'while eli is being revoked'))?.status).toBe('sent'); // dee answered; eli cannot

  await revokeAndPush('eli');
  // Dee has it and eli never will: delivered. The direct message has nobody left to reach: failed.
  await eventually(
    async () => (await message(cy.api, group, 'while eli is being revoked'))?.status === 'delivered',
    'group message settled',
    2_000,
  );
  await eventually(
    async () => (await message(cy.api, direct, 'only to eli'))?.status === 'failed',
    'direct message settled',
    2_000,
  );
  // What was already delivered stays so.
  expect((await message(cy.api, group, 'all here'))?.status).toBe('delivered');
  expect((await message(cy.api, direct, 'eli, are you there?'))?.status).toBe('delivered');
  // And the group carries on with the others.
  await cy.api.send(group, 'after eli');
  await eventually(
    async () => (await message(cy.api, group, 'after eli'))?.status === 'delivered',
    'delivered to dee alone',
  );
}, 90_000);

/** The real client, plus a way for a test to play a hostile relay's `revocation` event. */
class InjectableRelay extends RelayClient {
  readonly listeners: ((list: Uint8Array) => void)[] = [];

  override onRevocation(listener: (list: Uint8Array) => void): () => void {
    this.listeners.push(listener);
    return super.onRevocation(listener);
  }

  inject(list: Uint8Array): void {
    for (const listener of this.listeners) listener(list);
  }
}

test('a pushed list that does not verify (signed by a key the device does not pin, or junk) changes nothing; a genuine one does', async () => {
  const relays: InjectableRelay[] = [];
  const fox = await enrolDevice('fox', 'fox@agency.example', 'FOX', {
    relayUrl: relay.url,
    admin,
    revocationPollSeconds: HOUR,
    relayFactory: (url, credentials) => {
      const client = new InjectableRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } });
      relays.push(client);
      return client;
    },
  });
  devices.push(fox);
  await device('gil');
  const conversation = await fox.api.startDirect('gil@agency.example');
  await fox.api.send(conversation, 'hello gil');
  await eventually(
    async () => (await message(fox.api, conversation, 'hello gil'))?.status === 'delivered',
    'delivered',
  );
  const gilShown = async () =>
    (await fox.api.snapshot()).conversations
      .find((c) => c.id === conversation)
      ?.members.find((m) => m.address === 'gil@agency.example')?.devices ?? [];

  const forged = await revocationList({ ...admin.org, key: await generateEd25519KeyPair(), nextListVersion: 10_000 }, [
    deviceIdOf('gil'),
  ]);
  for (const list of [forged, new Uint8Array(200).fill(7), forged.subarray(0, forged.length - 1)])
    for (const r of relays) r.inject(list);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((await gilShown()).every((d) => d.trust !== 'revoked')).toBe(true);
  await fox.api.send(conversation, 'still talking');
  await eventually(
    async () => (await message(fox.api, conversation, 'still talking'))?.status === 'delivered',
    'still delivered',
  );

  // The same path with the organisation's own list: applied.
  await admin.revoke(deviceIdOf('gil'));
  const genuine = await admin.port.revocationList();
  for (const r of relays) r.inject(genuine);
  await eventually(async () => (await gilShown()).every((d) => d.trust === 'revoked'), 'gil revoked at fox', 2_000);
}, 60_000);
