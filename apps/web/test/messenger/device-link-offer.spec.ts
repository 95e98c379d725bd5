/**
 * The new device's side of the device link on its own (device-link.ts, user-keys.md §3.4, §4.3):
 * a transfer opens only with the offer shown now; transfers that do not open (replayed to another
 * offer, forged, truncated) are counted, and the 100th drops the offer, after which even a genuine
 * transfer is refused; an offer past its 10 minutes opens nothing; a device already approved
 * ignores a replayed transfer.
 */
import { exportDeviceIdentity, generateDeviceIdentity, generateEd25519KeyPair, randomBytes } from '@opendescent/crypto';
import {
  decodeAttestation,
  decodeDeviceLinkOffer,
  sealDeviceLinkTransfer,
  signAttestation,
  signDeviceCertificate,
  type DeviceAttestation,
} from '@opendescent/protocol';
import { Contacts } from '../../src/messenger/contacts';
import { MessengerContext } from '../../src/messenger/context';
import {
  DeviceLink,
  LINK_OFFER_LIFETIME_MS,
  LINK_QR_PREFIX,
  MAX_FAILED_TRANSFERS,
} from '../../src/messenger/device-link';
import { fromB64 } from '../../src/messenger/encoding';
import type { MessengerEnvironment } from '../../src/messenger/ports';
import type { Peers } from '../../src/messenger/peers';
import { TABLES, type SelfRecord } from '../../src/messenger/records';
import { Transaction } from '../../src/messenger/transaction';
import { MapVault } from './map-vault';

const ORG_ID = new Uint8Array(16).fill(5);
const ADDRESS = 'lea@agency.example';

interface NewDevice {
  readonly link: DeviceLink;
  readonly ctx: MessengerContext;
  readonly attestation: DeviceAttestation;
  clock: number;
}

async function newDevice(): Promise<NewDevice> {
  const orgKey = await generateEd25519KeyPair();
  const identity = await generateDeviceIdentity();
  const issuedAt = Math.floor(Date.now() / 1000) - 60;
  const bytes = await signAttestation(
    {
      orgId: ORG_ID,
      deviceId: randomBytes(16),
      userAddress: ADDRESS,
      displayName: 'Léa',
      signingKey: identity.signing.publicKey,
      agreementKey: identity.agreement.publicKey,
      issuedAt,
      expiresAt: issuedAt + 86_400,
    },
    orgKey.privateKey,
  );
  const attestation = decodeAttestation(bytes).attestation;
  const vault = new MapVault();
  const caches = await Transaction.loadCaches(vault);
  const device = { clock: Date.now() } as NewDevice;
  const env = { now: () => device.clock } as unknown as MessengerEnvironment;
  const ctx = new MessengerContext(
    vault,
    env,
    () => new Transaction(vault, caches),
    () => undefined,
  );
  const self = {
    v: 1,
    identity: exportDeviceIdentity(identity).exposeBytes().slice(),
    address: ADDRESS,
    displayName: 'Léa',
    deviceId: attestation.deviceId,
    orgId: ORG_ID,
    orgKeys: [orgKey.publicKey],
    attestation: bytes,
    awaitingLink: true,
  } as unknown as SelfRecord;
  const tx = ctx.tx();
  tx.put(TABLES.self, 'device', self);
  await tx.commit();
  ctx.identity = identity;
  const link = new DeviceLink(
    ctx,
    new Contacts(ctx),
    {} as Peers,
    async () => undefined,
    () => undefined,
  );
  return Object.assign(device, { link, ctx, attestation });
}

/** What an approving device of the same person sends for the offer the QR code shows. */
async function transferFor(device: NewDevice, qrPayload: string): Promise<Uint8Array> {
  const offer = decodeDeviceLinkOffer(fromB64(qrPayload.slice(LINK_QR_PREFIX.length)));
  const userKey = await generateEd25519KeyPair();
  const { attestation } = device;
  const certificate = await signDeviceCertificate(
    {
      orgId: ORG_ID,
      userAddress: ADDRESS,
      deviceId: attestation.deviceId,
      signingKey: attestation.signingKey,
      agreementKey: attestation.agreementKey,
      issuedAt: 1_800_000_000,
    },
    userKey.privateKey,
  );
  return sealDeviceLinkTransfer({ offer, attestation, certificate, userPrivateKey: userKey.privateKey });
}

async function receive(device: NewDevice, transfer: Uint8Array): Promise<boolean> {
  const tx = device.ctx.tx();
  await device.link.receive(tx, transfer);
  await tx.commit();
  return device.ctx.self?.userKey !== undefined;
}

test('a genuine transfer opens after 99 that did not; the 100th failure drops the offer', async () => {
  const lucky = await newDevice();
  const offer = await lucky.link.start();
  const stale = await transferFor(lucky, offer.qrPayload);
  // A transfer for an earlier offer of the same device (the link secret differs) fails to open.
  const current = await lucky.link.start();
  for (let i = 0; i < MAX_FAILED_TRANSFERS - 1; i++) expect(await receive(lucky, stale)).toBe(false);
  expect(await receive(lucky, await transferFor(lucky, current.qrPayload))).toBe(true);
  expect(lucky.ctx.self?.certificatePublished).toBe(true);
  expect(lucky.ctx.self?.awaitingLink).toBe(false);

  const unlucky = await newDevice();
  const shown = await unlucky.link.start();
  const genuine = await transferFor(unlucky, shown.qrPayload);
  const forged = genuine.slice();
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  for (let i = 0; i < MAX_FAILED_TRANSFERS; i++)
    expect(await receive(unlucky, i % 2 ? forged : genuine.slice(0, 100))).toBe(false);
  expect(await receive(unlucky, genuine)).toBe(false);
}, 60_000);

test('an offer past its ten minutes opens nothing; a transfer replayed to an approved device changes nothing', async () => {
  const late = await newDevice();
  const offer = await late.link.start();
  expect(offer.expiresAt).toBe(late.clock + LINK_OFFER_LIFETIME_MS);
  const transfer = await transferFor(late, offer.qrPayload);
  late.clock += LINK_OFFER_LIFETIME_MS;
  expect(await receive(late, transfer)).toBe(false);

  const linked = await newDevice();
  const shown = await linked.link.start();
  expect(await receive(linked, await transferFor(linked, shown.qrPayload))).toBe(true);
  const key = linked.ctx.self?.userKey;
  await expect(linked.link.start()).rejects.toMatchObject({ code: 'already_approved' });
  expect(await receive(linked, await transferFor(linked, shown.qrPayload))).toBe(true);
  expect(linked.ctx.self?.userKey).toEqual(key);
}, 60_000);
