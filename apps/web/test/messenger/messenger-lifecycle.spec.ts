/**
 * The messenger's life over time, over a real relay: lock and unlock, leaving a group, one-time
 * prekeys running out and being topped up, signed prekeys rotating and the attestation renewed
 * when the clock has moved on (docs/protocol/messages.md §2, §5.3; admin-api.md §5).
 */
import { RelayClient } from '@opendescent/relay-client';
import type { MessengerErrorShape } from '../../src/messenger/api';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, mintedTokens, newOrg } from '../net/support/relay-process';
import { PASSPHRASE, conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

const DAY_MS = 86_400_000;
let relay: RelayProcess;
let admin: FakeAdmin;
const devices: TestMessenger[] = [];
let probe: RelayClient;

async function device(name: string): Promise<TestMessenger> {
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), { relayUrl: relay.url, admin });
  devices.push(entry);
  return entry;
}

async function slotOf(name: string): Promise<Uint8Array> {
  const slot = admin.devices.find((d) => d.address === `${name}@agency.example`)?.prekeySlotId;
  if (!slot) throw new Error(`${name} has no slot`);
  return slot;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as MessengerErrorShape | undefined;
  return error?.code ?? 'resolved';
}

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
  probe = new RelayClient({ url: relay.url, credentials: mintedTokens(org, relay.url) });
  probe.start();
  await eventually(async () => probe.status === 'online', 'probe online');
}, 60_000);

afterAll(async () => {
  probe?.stop();
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

test('a locked messenger shows nothing; a wrong passphrase is refused and changes nothing', async () => {
  const [ann, ben] = [await device('ann'), await device('ben')];
  const conversation = await ann.api.startDirect('ben@agency.example');
  await ann.api.send(conversation, 'before locking');
  await ann.api.lock();
  const locked = await ann.api.snapshot();
  expect(locked.vault).toBe('locked');
  expect(locked.device).toBeUndefined();
  expect(locked.conversations).toEqual([]);
  expect(await refusal(ann.api.messages(conversation))).toBe('locked');
  expect(await refusal(ann.api.send(conversation, 'while locked'))).toBe('locked');
  expect(await refusal(ann.api.unlock('not the passphrase'))).toBe('wrong_passphrase');
  expect((await ann.api.snapshot()).vault).toBe('locked');
  await ann.api.unlock(PASSPHRASE);
  expect(await texts(ann.api, conversation)).toEqual(['before locking']);
  const atBen = await conversationWith(ben.api, (t) => t === 'ANN');
  await eventually(async () => (await texts(ben.api, atBen)).includes('before locking'), 'delivered to ben');
}, 60_000);

test('a member who leaves a group reads nothing after; the others see it and carry on', async () => {
  const [cat, dan, eve] = [await device('cat'), await device('dan'), await device('eve')];
  const group = await cat.api.createGroup('Leavers', ['dan@agency.example', 'eve@agency.example']);
  await cat.api.send(group, 'welcome');
  for (const member of [dan, eve])
    await eventually(async () => (await texts(member.api, group)).includes('welcome'), `welcome at ${member.name}`);
  await eve.api.leave(group);
  expect((await eve.api.snapshot()).conversations.find((c) => c.id === group)?.active).toBe(false);
  expect(await refusal(eve.api.send(group, 'still here?'))).toBe('not_a_member');
  for (const member of [cat, dan]) {
    await eventually(
      async () => (await member.api.messages(group)).some((m) => m.system?.type === 'member_left'),
      `left line at ${member.name}`,
    );
  }
  await dan.api.send(group, 'after eve left');
  await eventually(async () => (await texts(cat.api, group)).includes('after eve left'), 'cat reads dan');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await texts(eve.api, group)).not.toContain('after eve left');
}, 60_000);

test('one-time prekeys exhausted: first contact still works (last-resort prekeys) and the slot is topped up', async () => {
  const fay = await device('fay');
  const slot = await slotOf('fay');
  let claims = 0;
  for (;;) {
    const claimed = await probe.claimPrekeys(slot);
    if (claimed.oneTime === null) break;
    claims++;
  }
  expect(claims).toBe(20);
  expect((await probe.fetchPrekeys(slot)).remaining).toBe(0);
  const gus = await device('gus');
  const conversation = await gus.api.startDirect('fay@agency.example');
  await gus.api.send(conversation, 'no one-time prekey left');
  const atFay = await conversationWith(fay.api, (t) => t === 'GUS');
  await eventually(async () => (await texts(fay.api, atFay)).includes('no one-time prekey left'), 'message at fay');
  // Answering the handshake made fay check her slot: 20 new one-time prekeys.
  await eventually(async () => (await probe.fetchPrekeys(slot)).remaining >= 20, 'slot topped up');
}, 60_000);

test('after half their lifetime the signed prekeys rotate and the attestation is renewed; contacts still reach the device', async () => {
  const hal = await device('hal');
  const slot = await slotOf('hal');
  const bundleBefore = (await probe.fetchPrekeys(slot)).bundle;
  const expiresBefore = (await hal.api.snapshot()).device?.attestationExpiresAt ?? 0;
  // Hal's clock four days on (signed prekeys live 7 days, renewal is due after 3.5). The admin
  // app and the relay keep the real time, so the renewed attestation is valid for everyone.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  hal.clockOffset = 4 * DAY_MS;
  await hal.api.lock();
  await hal.api.unlock(PASSPHRASE);
  await eventually(
    async () => ((await hal.api.snapshot()).device?.attestationExpiresAt ?? 0) > expiresBefore,
    'attestation renewed',
  );
  await eventually(
    async () => Buffer.compare(Buffer.from((await probe.fetchPrekeys(slot)).bundle), Buffer.from(bundleBefore)) !== 0,
    'bundle rotated',
  );
  expect(admin.renewals).toBeGreaterThanOrEqual(1);
  const ida = await device('ida');
  const conversation = await ida.api.startDirect('hal@agency.example');
  await ida.api.send(conversation, 'after rotation');
  const atHal = await conversationWith(hal.api, (t) => t === 'IDA');
  await eventually(async () => (await texts(hal.api, atHal)).includes('after rotation'), 'message at hal');
}, 60_000);

test('a relay restarted without its store (memory): queues and slots are made again and nothing sent after is lost', async () => {
  const [jon, kim] = [await device('jon'), await device('kim')];
  const conversation = await jon.api.startDirect('kim@agency.example');
  await jon.api.send(conversation, 'before the restart');
  const atKim = await conversationWith(kim.api, (t) => t === 'JON');
  await eventually(async () => (await texts(kim.api, atKim)).includes('before the restart'), 'first message at kim');

  await relay.restart();
  for (const d of [jon, kim])
    await eventually(
      async () =>
        (await d.api.snapshot()).device?.reachable &&
        (await d.api.snapshot()).relays.every((r) => r.status === 'online'),
      `${d.name} back`,
      20_000,
    );
  await jon.api.send(conversation, 'after the restart, from jon');
  await kim.api.send(atKim, 'after the restart, from kim');
  await eventually(
    async () => (await texts(kim.api, atKim)).includes('after the restart, from jon'),
    'jon → kim after the restart',
    30_000,
  );
  await eventually(
    async () => (await texts(jon.api, conversation)).includes('after the restart, from kim'),
    'kim → jon after the restart',
    30_000,
  );
  expect(await texts(kim.api, atKim)).toEqual([
    'before the restart',
    'after the restart, from jon',
    'after the restart, from kim',
  ]);
  // A colleague who never wrote before still reaches them through their republished slots.
  const lea = await device('lea');
  const fresh = await lea.api.startDirect('kim@agency.example');
  await lea.api.send(fresh, 'hello after the restart');
  const atKimFromLea = await conversationWith(kim.api, (t) => t === 'LEA');
  await eventually(async () => (await texts(kim.api, atKimFromLea)).includes('hello after the restart'), 'lea → kim');
}, 90_000);

test('a contact whose attestation lapsed is no longer written to, and the message says it failed', async () => {
  const [pam, quin] = [await device('pam'), await device('quin')];
  const conversation = await quin.api.startDirect('pam@agency.example');
  await quin.api.send(conversation, 'while pam is attested');
  const atPam = await conversationWith(pam.api, (t) => t === 'QUIN');
  await eventually(async () => (await texts(pam.api, atPam)).includes('while pam is attested'), 'first message at pam');
  // Eight days on for quin: pam's 7-day attestation has lapsed and the directory has nothing newer.
  quin.clockOffset = 8 * DAY_MS;
  await quin.api.send(conversation, 'after the lapse');
  const sent = (await quin.api.messages(conversation)).find((m) => m.text === 'after the lapse');
  expect(sent?.status).toBe('failed');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await texts(pam.api, atPam)).not.toContain('after the lapse');
}, 60_000);
