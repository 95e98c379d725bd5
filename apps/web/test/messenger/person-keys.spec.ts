/**
 * The rule of user-keys.md §2.5 on its own (person-keys.ts), each way a device can fail it by
 * name: no certificate, a certificate under another key (a key change), a forged signature, a
 * certificate made for another device or other keys (a swap), a revoked device; and trust on
 * first use picking the earliest approval, a replaced key not alerting again.
 */
import { generateEd25519KeyPair, randomBytes, type Ed25519KeyPair } from '@opendescent/crypto';
import { signAttestation, signDeviceCertificate } from '@opendescent/protocol';
import type { ContactDeviceRecord, ContactRecord } from '../../src/messenger/records';
import { acceptChangedUserKey, judgeDevices } from '../../src/messenger/person-keys';
import { toHex } from '../../src/messenger/encoding';

const ORG_ID = new Uint8Array(16).fill(3);
const ADDRESS = 'paul@agency.example';
const THEM = { isSelf: false, ownKey: undefined };
let orgKey: Ed25519KeyPair;

beforeAll(async () => {
  orgKey = await generateEd25519KeyPair();
});

interface TestDevice {
  readonly record: ContactDeviceRecord;
  readonly fields: {
    orgId: Uint8Array;
    userAddress: string;
    deviceId: Uint8Array;
    signingKey: Uint8Array;
    agreementKey: Uint8Array;
  };
}

async function attestedDevice(): Promise<TestDevice> {
  const deviceId = randomBytes(16);
  const signingKey = (await generateEd25519KeyPair()).publicKey;
  const agreementKey = randomBytes(32);
  const issuedAt = Math.floor(Date.now() / 1000) - 60;
  const attestation = await signAttestation(
    {
      orgId: ORG_ID,
      deviceId,
      userAddress: ADDRESS,
      displayName: 'Paul',
      signingKey,
      agreementKey,
      issuedAt,
      expiresAt: issuedAt + 86_400,
    },
    orgKey.privateKey,
  );
  const record: ContactDeviceRecord = {
    deviceId: toHex(deviceId),
    attestation,
    signingKey,
    agreementKey,
    trust: 'unverified',
    addedAt: 0,
  };
  return { record, fields: { orgId: ORG_ID, userAddress: ADDRESS, deviceId, signingKey, agreementKey } };
}

async function certified(
  device: TestDevice,
  userKey: Ed25519KeyPair,
  change: Partial<TestDevice['fields']> & { issuedAt?: number } = {},
): Promise<ContactDeviceRecord> {
  const certificate = await signDeviceCertificate(
    { ...device.fields, issuedAt: 1_800_000_000, ...change },
    userKey.privateKey,
  );
  return { ...device.record, certificate };
}

function contactOf(devices: readonly ContactDeviceRecord[], fields: Partial<ContactRecord> = {}): ContactRecord {
  return {
    v: 1,
    address: ADDRESS,
    displayName: 'Paul',
    lookedUpAt: 1,
    devices: Object.fromEntries(devices.map((d) => [d.deviceId, d])),
    ...fields,
  };
}

const approvedIds = (contact: ContactRecord) =>
  Object.values(contact.devices)
    .filter((d) => d.approved)
    .map((d) => d.deviceId)
    .sort();

test('trust on first use pins the key of the earliest approval; a device without a certificate is unapproved', async () => {
  const paulKey = await generateEd25519KeyPair();
  const laterKey = await generateEd25519KeyPair();
  const first = await certified(await attestedDevice(), paulKey, { issuedAt: 1_700_000_000 });
  const second = await certified(await attestedDevice(), paulKey);
  const later = await certified(await attestedDevice(), laterKey, { issuedAt: 1_750_000_000 });
  const bare = (await attestedDevice()).record;
  const { contact, events } = await judgeDevices(contactOf([later, second, first, bare]), THEM, () => true);
  expect(contact.userKey).toEqual(paulKey.publicKey);
  expect(approvedIds(contact)).toEqual([first.deviceId, second.deviceId].sort());
  expect(events).toContainEqual({ type: 'user_key_changed', member: ADDRESS });
  expect(events).toContainEqual({ type: 'device_unapproved', member: ADDRESS, deviceId: bare.deviceId });
  expect(contact.changedUserKey).toEqual(laterKey.publicKey);
});

test('a certificate for another device, for other keys, or with a forged signature approves nothing', async () => {
  const paulKey = await generateEd25519KeyPair();
  const anchor = await certified(await attestedDevice(), paulKey);
  const other = await attestedDevice();
  const target = await attestedDevice();
  // Made for another device (its id), for swapped keys, and a signature with a flipped bit.
  const forAnother = { ...target.record, certificate: (await certified(other, paulKey)).certificate };
  const swapped = await certified(target, paulKey, { agreementKey: randomBytes(32) });
  const genuine = (await certified(target, paulKey)).certificate as Uint8Array;
  const forged = genuine.slice();
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  for (const device of [forAnother, swapped, { ...target.record, certificate: forged }]) {
    const { contact, events } = await judgeDevices(
      contactOf([anchor, device], { userKey: paulKey.publicKey }),
      THEM,
      () => true,
    );
    expect(approvedIds(contact)).toEqual([anchor.deviceId]);
    expect(events).toEqual([{ type: 'device_unapproved', member: ADDRESS, deviceId: device.deviceId }]);
  }
});

test('one’s own devices are approved only under one’s own key, never by first use, and raise no lines', async () => {
  const mine = await generateEd25519KeyPair();
  const foreign = await generateEd25519KeyPair();
  const sibling = await certified(await attestedDevice(), mine);
  const ghost = await certified(await attestedDevice(), foreign, { issuedAt: 1_600_000_000 });
  const judged = await judgeDevices(contactOf([sibling, ghost]), { isSelf: true, ownKey: mine.publicKey }, () => true);
  expect(approvedIds(judged.contact)).toEqual([sibling.deviceId]);
  expect(judged.events).toEqual([]);
  expect(judged.contact.userKey).toBeUndefined();
  // Without a key of its own (a device not linked yet), none of its siblings is approved.
  const unlinked = await judgeDevices(contactOf([sibling]), { isSelf: true, ownKey: undefined }, () => true);
  expect(approvedIds(unlinked.contact)).toEqual([]);
});

test('accepting a key change approves the new key’s devices; the replaced key and revoked devices do not alert again', async () => {
  const oldKey = await generateEd25519KeyPair();
  const newKey = await generateEd25519KeyPair();
  const lost = { ...(await certified(await attestedDevice(), oldKey)), trust: 'revoked' as const };
  const kept = await certified(await attestedDevice(), oldKey);
  const fresh = await certified(await attestedDevice(), newKey);
  const seen = await judgeDevices(contactOf([lost, kept, fresh], { userKey: oldKey.publicKey }), THEM, () => false);
  expect(approvedIds(seen.contact)).toEqual([kept.deviceId, lost.deviceId].sort());
  expect(seen.events).toEqual([{ type: 'user_key_changed', member: ADDRESS }]);
  // Said once per key: judging again says nothing new.
  expect((await judgeDevices(seen.contact, THEM, () => false)).events).toEqual([]);

  const accepted = await acceptChangedUserKey(seen.contact);
  expect(accepted.events).toEqual([{ type: 'user_key_accepted', member: ADDRESS }]);
  expect(approvedIds(accepted.contact)).toEqual([fresh.deviceId]);
  expect(accepted.contact.changedUserKey).toBeUndefined();
  expect((await judgeDevices(accepted.contact, THEM, () => false)).events).toEqual([]);
  await expect(acceptChangedUserKey(accepted.contact)).rejects.toMatchObject({ code: 'not_found' });
});
