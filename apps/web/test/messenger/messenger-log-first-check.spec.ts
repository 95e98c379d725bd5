/**
 * A device is written to only once the transparency log shows it (transparency-log.md §6.1,
 * issue 13): a contact's device newly seen gets nothing (not even the handshake) until its
 * attestation, and its certificate, were found in the log under a verified head. Messages wait
 * in the outbox meanwhile and leave once the check passes; a device proven absent never
 * receives; with the log out of reach the device stays pending and the conversation says so.
 */
import type { MessageView } from '../../src/messenger/api';
import { FakeAdmin } from './fake-admin';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger, useSpecWorld } from './support';

const world = useSpecWorld();

async function device(name: string, admin: FakeAdmin, address = `${name}@agency.example`): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin,
    revocationPollSeconds: 3_600,
  });
  world.devices.push(entry);
  return entry;
}

async function message(entry: TestMessenger, conversationId: string, text: string): Promise<MessageView | undefined> {
  return (await entry.api.messages(conversationId)).find((m) => m.text === text);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every request for the log's head waits until `release` (a log check in flight). */
function holdLog(admin: FakeAdmin): () => void {
  let release: () => void = () => undefined;
  admin.logGate = new Promise((resolve) => (release = resolve));
  return () => {
    admin.logGate = undefined;
    release();
  };
}

test('a new device is not written to before its attestation is found in the log', async () => {
  const admin = new FakeAdmin(world.admin.org);
  const [mia, ned] = [await device('mia', admin), await device('ned', admin)];
  const release = holdLog(admin);
  const conversation = await mia.api.startDirect('ned@agency.example');
  await mia.api.send(conversation, 'before the check');
  await pause(1_500);
  // Nothing reached ned: not the message, not even the handshake that would open a conversation.
  expect((await ned.api.snapshot()).conversations).toEqual([]);
  expect((await message(mia, conversation, 'before the check'))?.status).toBe('queued');
  expect((await mia.api.snapshot()).pendingOutgoing).toBeGreaterThan(0);
  release();
  const atNed = await conversationWith(ned.api, (t) => t === 'MIA');
  await eventually(async () => (await texts(ned.api, atNed)).includes('before the check'), 'the message at ned');
}, 60_000);

test('messages wait and go out once the check passes, once each and in order', async () => {
  const admin = new FakeAdmin(world.admin.org);
  const [oak, pia] = [await device('oak', admin), await device('pia', admin)];
  const release = holdLog(admin);
  const conversation = await oak.api.startDirect('pia@agency.example');
  const written = ['one', 'two', 'three'];
  for (const text of written) await oak.api.send(conversation, text);
  await pause(1_000);
  for (const text of written) expect((await message(oak, conversation, text))?.status).toBe('queued');
  release();
  const atPia = await conversationWith(pia.api, (t) => t === 'OAK');
  await eventually(async () => (await texts(pia.api, atPia)).length === 3, 'three messages at pia');
  await pause(500);
  expect(await texts(pia.api, atPia)).toEqual(written);
  await eventually(async () => (await oak.api.snapshot()).pendingOutgoing === 0, 'the outbox empty');
  for (const text of written)
    await eventually(
      async () => (await message(oak, conversation, text))?.status === 'delivered',
      `"${text}" delivered`,
    );
}, 60_000);

test('a device absent from the log never receives and raises not_in_log', async () => {
  const admin = new FakeAdmin(world.admin.org);
  const rex = await device('rex', admin);
  // Sue's only device: attested and certified by the admin app, neither logged.
  admin.logging = false;
  const sue = await enrolDevice('sue', 'sue@agency.example', 'SUE', {
    relayUrl: world.relay.url,
    admin,
    revocationPollSeconds: 3_600,
    logCheckSeconds: 1,
  });
  admin.logging = true;
  world.devices.push(sue);
  // Written to at once, as a new contact is: the check comes first.
  const conversation = await rex.api.startDirect('sue@agency.example');
  await rex.api.send(conversation, 'never for an unlogged device');
  await eventually(
    async () =>
      (await rex.api.messages(conversation)).some(
        (m) => m.system?.type === 'device_not_logged' && m.system.member === 'sue@agency.example',
      ),
    'the not-logged line at rex',
  );
  await eventually(async () => (await sue.api.snapshot()).device?.logAlert?.code === 'not_in_log', 'sue’s alert');
  // Nobody can receive it: failed, said so, never left.
  await eventually(
    async () => (await message(rex, conversation, 'never for an unlogged device'))?.status === 'failed',
    'failed',
  );
  await eventually(async () => (await rex.api.snapshot()).pendingOutgoing === 0, 'nothing waits');
  await pause(1_000);
  expect((await sue.api.snapshot()).conversations).toEqual([]);
}, 60_000);

test('admin unreachable: the device stays pending, the conversation says so; checked devices still receive', async () => {
  const admin = new FakeAdmin(world.admin.org);
  const [oli, qui] = [await device('oli', admin), await device('qui', admin)];
  // Pam reaches the admin app by another route all along: only oli is cut off from it.
  const pam = await device('pam', admin.otherRoute());
  // Qui's device is checked at oli while the admin app answers.
  const withQui = await oli.api.startDirect('qui@agency.example');
  await oli.api.send(withQui, 'before the outage');
  const atQui = await conversationWith(qui.api, (t) => t === 'OLI');
  await eventually(async () => (await texts(qui.api, atQui)).includes('before the outage'), 'at qui');
  const withOli = await pam.api.startDirect('oli@agency.example');
  admin.unreachable = true;
  admin.logUnreachable = true;
  // Oli meets pam's device now, and cannot check it.
  await pam.api.send(withOli, 'hello oli');
  const atOli = await conversationWith(oli.api, (t) => t === 'PAM');
  await eventually(async () => (await texts(oli.api, atOli)).includes('hello oli'), 'received at oli');
  await oli.api.send(atOli, 'reply while the log is out of reach');
  await oli.api.send(atOli, 'and another');
  const pendingLines = async () =>
    (await oli.api.messages(atOli)).filter(
      (m) => m.system?.type === 'device_log_pending' && m.system.member === 'pam@agency.example',
    ).length;
  await eventually(async () => (await pendingLines()) > 0, 'the pending line at oli');
  // A device already checked still receives.
  await oli.api.send(withQui, 'during the outage');
  await eventually(async () => (await texts(qui.api, atQui)).includes('during the outage'), 'qui still receives');
  await pause(1_000);
  expect(await pendingLines()).toBe(1);
  expect((await message(oli, atOli, 'reply while the log is out of reach'))?.status).toBe('queued');
  expect(await texts(pam.api, withOli)).toEqual(['hello oli']);
  // The admin app is back: the check is tried again by itself and what waited leaves, in order.
  admin.unreachable = false;
  admin.logUnreachable = false;
  await eventually(async () => (await texts(pam.api, withOli)).length === 3, 'the replies at pam', 30_000);
  expect(await texts(pam.api, withOli)).toEqual(['hello oli', 'reply while the log is out of reach', 'and another']);
}, 60_000);
