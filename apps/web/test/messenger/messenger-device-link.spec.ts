/**
 * The device link between real messengers over a REAL relay (user-keys.md §3.3), organisation
 * played by FakeAdmin: a new device shows an offer, an approved device of the same person reads
 * it (typed or scanned) and approves it, and the user key arrives sealed to the new device. Each
 * refusal by name: a typo (`link_invalid`), a code of no device of this person or of another
 * person (`link_no_match`), an unapproved device approving (`not_approved`), an approved device
 * asking for an offer (`already_approved`), an expired offer (the transfer is dropped).
 */
import { LINK_OFFER_LIFETIME_MS } from '../../src/messenger/device-link';
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

async function device(name: string, address: string): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, address.split('@')[0]?.toUpperCase() ?? name, {
    relayUrl: world.relay.url,
    admin: world.admin,
  });
  world.devices.push(entry);
  return entry;
}

const approvalOf = async (entry: TestMessenger) => (await entry.api.snapshot()).device?.approval;

/** The same code with one character replaced by another of the alphabet (a typo). */
function typo(code: string): string {
  const at = code.indexOf('-') + 1;
  const replaced = code[at] === 'A' ? 'B' : 'A';
  return `${code.slice(0, at)}${replaced}${code.slice(at + 1)}`;
}

test('a device linked by its scanned QR code gets the user key; peers then write to it', async () => {
  const phone = await device('phone', 'gus@agency.example');
  const hal = await device('hal', 'hal@agency.example');
  const direct = await hal.api.startDirect('gus@agency.example');
  await hal.api.send(direct, 'before the laptop');

  const laptop = await device('laptop', 'gus@agency.example');
  expect(await approvalOf(laptop)).toBe('unapproved');
  const offer = await laptop.api.startDeviceLink();
  expect(offer.code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
  expect(offer.qrSvg).toContain('<svg');
  const candidate = await phone.api.checkDeviceLink(offer.qrPayload);
  expect(candidate.deviceId).toBe((await laptop.api.snapshot()).device?.deviceId);
  await phone.api.approveDeviceLink(offer.qrPayload);
  await eventually(async () => (await approvalOf(laptop)) === 'approved', 'the laptop approved');
  expect(world.admin.devices.filter((d) => d.address === 'gus@agency.example' && d.certificate)).toHaveLength(2);

  // Hal learns of the laptop (the phone's devices_changed hint) and writes to both devices.
  await eventually(
    async () =>
      (await hal.api.snapshot()).conversations
        .find((c) => c.id === direct)
        ?.members.find((m) => m.address === 'gus@agency.example')
        ?.devices.filter((d) => d.approved).length === 2,
    'hal sees two approved devices of gus',
  );
  await hal.api.send(direct, 'to both devices');
  const atLaptop = await conversationWith(laptop.api, (t) => t === 'HAL');
  await eventually(async () => (await texts(laptop.api, atLaptop)).includes('to both devices'), 'the laptop reads');
  expect((await phone.api.snapshot()).device?.unapprovedOwnDevices).toEqual([]);
}, 60_000);

test('refusals by name: a typo, a code of nobody, another person’s code, the wrong side of the link', async () => {
  const ida = await device('ida', 'ida@agency.example');
  const ida2 = await device('ida2', 'ida@agency.example');
  const jon = await device('jon', 'jon@agency.example');
  const jon2 = await device('jon2', 'jon@agency.example');
  const offer = await ida2.api.startDeviceLink();
  const certified = world.admin.certifications;

  await expect(ida.api.checkDeviceLink(typo(offer.code))).rejects.toMatchObject({ code: 'link_invalid' });
  await expect(ida.api.checkDeviceLink('not a code')).rejects.toMatchObject({ code: 'link_invalid' });
  // A QR payload cut short (a partial scan) does not read as an offer.
  await expect(ida.api.approveDeviceLink(offer.qrPayload.slice(0, -4))).rejects.toMatchObject({
    code: 'link_invalid',
  });
  // Jon's new device's offer typed on Ida's device: none of her devices.
  const jonOffer = await jon2.api.startDeviceLink();
  await expect(ida.api.approveDeviceLink(jonOffer.code)).rejects.toMatchObject({ code: 'link_no_match' });
  await expect(ida.api.approveDeviceLink(jonOffer.qrPayload)).rejects.toMatchObject({ code: 'link_no_match' });
  // The wrong side: an unapproved device cannot approve; an approved one has no offer to show.
  await expect(ida2.api.approveDeviceLink(jonOffer.code)).rejects.toMatchObject({ code: 'not_approved' });
  await expect(ida.api.startDeviceLink()).rejects.toMatchObject({ code: 'already_approved' });
  expect(await approvalOf(ida2)).toBe('unapproved');
  expect(await approvalOf(jon2)).toBe('unapproved');
  // Nothing was certified by the refusals.
  expect(world.admin.certifications).toBe(certified);

  // The right code still works afterwards.
  await ida.api.approveDeviceLink(offer.code);
  await eventually(async () => (await approvalOf(ida2)) === 'approved', 'ida2 approved');
  await linkDevice(jon2, jon);
}, 60_000);

test('an offer past its ten minutes drops the transfer; a fresh offer links', async () => {
  const kim = await device('kim', 'kim@agency.example');
  const kim2 = await device('kim2', 'kim@agency.example');
  const stale = await kim2.api.startDeviceLink();
  kim2.clockOffset += LINK_OFFER_LIFETIME_MS + 1_000;
  await kim.api.approveDeviceLink(stale.code);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await approvalOf(kim2)).toBe('unapproved');

  await linkDevice(kim2, kim);
  expect(await approvalOf(kim2)).toBe('approved');
}, 60_000);
