/**
 * Safety numbers per person (user-keys.md §5, issue 13 item 2) between real messengers over a
 * REAL relay, organisation played by FakeAdmin: one number per contact over both user keys, the
 * same on both sides and unchanged by a new device; a QR code read from the other side verifies,
 * our own code read back or another person's does not; and for a verified contact a user-key
 * change holds sending until the user accepts it (as Signal does).
 */
import type { MessengerApi } from '../../src/messenger/api';
import { CONTACT_REFRESH_MS } from '../../src/messenger/contacts';
import {
  conversationWith,
  enrolDevice,
  eventually,
  linkDevice,
  texts,
  type TestMessenger,
  useSpecWorld,
} from './support';

const world = useSpecWorld();

async function device(name: string, address = `${name}@agency.example`): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
  });
  world.devices.push(entry);
  return entry;
}

async function numberWith(api: MessengerApi, conversationId: string, address: string) {
  const view = (await api.safetyNumbers(conversationId)).find((v) => v.address === address);
  if (!view) throw new Error(`no safety number with ${address}`);
  return view;
}

test('one number per person, the same on both sides and through a new device; a QR code from the other side verifies', async () => {
  const ada = await device('ada');
  const ben = await device('ben');
  const cyd = await device('cyd');
  const direct = await ada.api.startDirect('ben@agency.example');
  await ada.api.send(direct, 'hello');
  const atBen = await conversationWith(ben.api, (t) => t === 'ADA');
  const atAda = await numberWith(ada.api, direct, 'ben@agency.example');
  const atBenView = await numberWith(ben.api, atBen, 'ada@agency.example');
  expect(atAda.digits).toMatch(/^(\d{5} ){11}\d{5}$/);
  expect(atBenView.digits).toBe(atAda.digits);
  expect(atAda.verified).toBe(false);
  expect(atAda.devices).toHaveLength(1);

  // Ben links a laptop: another device, the same person, the same number.
  const laptop = await device('benlaptop', 'ben@agency.example');
  await linkDevice(laptop, ben);
  ada.clockOffset += CONTACT_REFRESH_MS + 1_000;
  await ada.api.send(direct, 'after the laptop');
  await eventually(
    async () =>
      (await numberWith(ada.api, direct, 'ben@agency.example')).devices.filter((d) => d.approved).length === 2,
    'ada sees both of ben’s devices',
  );
  expect((await numberWith(ada.api, direct, 'ben@agency.example')).digits).toBe(atAda.digits);

  // Ada's own code read back, a code of Ada with Cyd, and junk: none verifies Ben.
  await expect(ada.api.verifySafetyQr('ben@agency.example', atAda.qrPayload)).resolves.toBe(false);
  const withCyd = await ada.api.startDirect('cyd@agency.example');
  await ada.api.send(withCyd, 'hi Cyd');
  const atCyd = await conversationWith(cyd.api, (t) => t === 'ADA');
  const cydCode = (await numberWith(cyd.api, atCyd, 'ada@agency.example')).qrPayload;
  await expect(ada.api.verifySafetyQr('ben@agency.example', cydCode)).resolves.toBe(false);
  await expect(ada.api.verifySafetyQr('ben@agency.example', 'opendescent:verify?v=2&q=AAAA')).rejects.toMatchObject({
    code: 'safety_qr_invalid',
  });
  expect((await numberWith(ada.api, direct, 'ben@agency.example')).verified).toBe(false);
  // Ben's code, read from his screen, verifies him.
  await expect(ada.api.verifySafetyQr('ben@agency.example', atBenView.qrPayload)).resolves.toBe(true);
  expect((await numberWith(ada.api, direct, 'ben@agency.example')).verified).toBe(true);
}, 60_000);

test('a verified contact’s key change holds every message to the conversation until it is accepted', async () => {
  const eli = await device('eli');
  const fox = await device('fox');
  const direct = await eli.api.startDirect('fox@agency.example');
  await eli.api.send(direct, 'before');
  await eventually(async () => (await fox.api.snapshot()).conversations.length === 1, 'fox has the conversation');
  await eli.api.markVerified('fox@agency.example');
  const before = (await numberWith(eli.api, direct, 'fox@agency.example')).digits;

  const lost = world.admin.devices.find((d) => d.address === 'fox@agency.example');
  if (!lost) throw new Error('fox is not enrolled');
  await world.admin.revoke(lost.deviceId);
  const fox2 = await device('fox2', 'fox@agency.example');
  await fox2.api.startDirect('eli@agency.example').then((id) => fox2.api.send(id, 'my new device'));
  await eventually(
    async () => (await numberWith(eli.api, direct, 'fox@agency.example')).userKeyChanged,
    'the change seen at eli',
  );
  const member = (await eli.api.snapshot()).conversations
    .find((c) => c.id === direct)
    ?.members.find((m) => m.address === 'fox@agency.example');
  expect(member).toMatchObject({ userKeyChanged: true, verified: true });
  await expect(eli.api.send(direct, 'held')).rejects.toMatchObject({ code: 'key_change_unaccepted' });
  await expect(eli.api.setDisappearing(direct, 300)).rejects.toMatchObject({ code: 'key_change_unaccepted' });

  await eli.api.acceptUserKey('fox@agency.example');
  const after = await numberWith(eli.api, direct, 'fox@agency.example');
  expect(after.digits).not.toBe(before);
  expect(after.verified).toBe(false);
  await eli.api.send(direct, 'accepted');
  const atFox2 = await conversationWith(fox2.api, (t) => t === 'ELI');
  await eventually(async () => (await texts(fox2.api, atFox2)).includes('accepted'), 'fox2 reads eli');
}, 60_000);
