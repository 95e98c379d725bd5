/**
 * The revocation list's next update at the device (attestations.md §3.5, threat-model.md A1): with
 * the admin app out of reach, the list held goes stale at its next update and the page is told;
 * past the grace the device holds what it sends (queued, never failed, never lost) while it keeps
 * receiving, and a fresh list sends it all, once, in order, to nobody the list revoked; a list
 * that does not verify is shown and the one held kept; a stored version 1 list does not stop the
 * messenger from opening. The device's clock is moved forward; the admin app (FakeAdmin) is
 * blocked by a flag.
 */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { RelayClient } from '@opendescent/relay-client';
import type { MessageView, RevocationView } from '../../src/messenger/api';
import { REVOCATION_SEND_GRACE_SECONDS, revocationState } from '../../src/messenger/revocation';
import { TABLES, type SelfRecord } from '../../src/messenger/records';
import { Vault } from '../../src/store';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg, revocationList } from '../net/support/relay-process';
import { PASSPHRASE, conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

const VALIDITY = 3_600;
let relay: RelayProcess;
let admin: FakeAdmin;
const devices: TestMessenger[] = [];

/** The real client, counting what it puts and letting a test play a relay's `revocation` event. */
class WatchedRelay extends RelayClient {
  readonly listeners: ((list: Uint8Array) => void)[] = [];
  entriesPut = 0;

  override onRevocation(listener: (list: Uint8Array) => void): () => void {
    this.listeners.push(listener);
    return super.onRevocation(listener);
  }

  override putMany(...args: Parameters<RelayClient['putMany']>): ReturnType<RelayClient['putMany']> {
    this.entriesPut += args[0].length;
    return super.putMany(...args);
  }

  inject(list: Uint8Array): void {
    for (const listener of this.listeners) listener(list);
  }
}

async function device(name: string, relays?: WatchedRelay[]): Promise<TestMessenger> {
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
    relayUrl: relay.url,
    admin,
    revocationPollSeconds: 1,
    ...(relays
      ? {
          relayFactory: (url, credentials) => {
            const client = new WatchedRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } });
            relays.push(client);
            return client;
          },
        }
      : {}),
  });
  devices.push(entry);
  return entry;
}

/** What the page was last sent (the snapshot event), once it satisfies `ready`. */
async function shown(entry: TestMessenger, ready: (view: RevocationView) => boolean, what: string, timeoutMs = 5_000) {
  return eventually(
    async () => {
      const view = entry.latest?.revocation;
      return view && ready(view) ? view : undefined;
    },
    `${entry.name}: ${what}`,
    timeoutMs,
  );
}

/** Moves the device's clock so that it reads `unixSeconds` now. */
function setClock(entry: TestMessenger, unixSeconds: number): void {
  entry.clockOffset = unixSeconds * 1000 - Date.now();
}

async function message(entry: TestMessenger, conversationId: string, text: string): Promise<MessageView | undefined> {
  return (await entry.api.messages(conversationId)).find((m) => m.text === text);
}

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
  admin.listValiditySeconds = VALIDITY;
}, 60_000);

afterEach(() => {
  admin.unreachable = false;
  admin.listClockOffsetSeconds = 0;
});

afterAll(async () => {
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

test('the states in order: fresh, stale from the next update, sending held from the end of the grace', async () => {
  const org = await newOrg();
  const list = { orgId: org.orgId, orgKeyId: new Uint8Array(8), listVersion: 1, issuedAt: 1_000, revoked: [] };
  const held = { ...list, nextUpdate: 1_000 + VALIDITY };
  expect(revocationState(held, 0, held.nextUpdate - 1)).toBe('fresh');
  expect(revocationState(held, 0, held.nextUpdate)).toBe('stale');
  expect(revocationState(held, 0, held.nextUpdate + REVOCATION_SEND_GRACE_SECONDS - 1)).toBe('stale');
  expect(revocationState(held, 0, held.nextUpdate + REVOCATION_SEND_GRACE_SECONDS)).toBe('sending_held');
  // No list since enrolment: nothing to say within the grace, held after it.
  expect(revocationState(undefined, 5_000, 5_000 + REVOCATION_SEND_GRACE_SECONDS - 1)).toBe('none');
  expect(revocationState(undefined, 5_000, 5_000 + REVOCATION_SEND_GRACE_SECONDS)).toBe('sending_held');
});

test('stale: with the admin app blocked past the next update, the page is told, and messages still go', async () => {
  const [ann, ben] = [await device('ann'), await device('ben')];
  const fresh = await shown(ann, (v) => v.state === 'fresh', 'a fresh list');
  expect(fresh.nextUpdate).toBeGreaterThan(Date.now());
  const conversation = await ann.api.startDirect('ben@agency.example');

  admin.unreachable = true;
  setClock(ann, (fresh.nextUpdate as number) / 1000 + 1);
  const stale = await shown(ann, (v) => v.state === 'stale', 'the list shown stale');
  expect(stale).toMatchObject({ version: fresh.version, nextUpdate: fresh.nextUpdate });
  expect(stale.sendingHeldFrom).toBe((fresh.nextUpdate as number) + REVOCATION_SEND_GRACE_SECONDS * 1000);

  // Within the grace, sending goes on.
  await ann.api.send(conversation, 'while stale');
  const atBen = await conversationWith(ben.api, (t) => t === 'ANN');
  await eventually(async () => (await texts(ben.api, atBen)).includes('while stale'), 'delivered while stale');
}, 60_000);

test('past the grace sending is held (queued, receiving goes on); a fresh list sends everything once, in order', async () => {
  const [cy, dee] = [await device('cy'), await device('dee')];
  const fresh = await shown(cy, (v) => v.state === 'fresh', 'a fresh list');
  const conversation = await cy.api.startDirect('dee@agency.example');
  await cy.api.send(conversation, 'before');
  const atDee = await conversationWith(dee.api, (t) => t === 'CY');
  await eventually(async () => (await texts(dee.api, atDee)).includes('before'), 'first message at dee');

  admin.unreachable = true;
  const heldAt = (fresh.nextUpdate as number) / 1000 + REVOCATION_SEND_GRACE_SECONDS;
  setClock(cy, heldAt + 1);
  const held = await shown(cy, (v) => v.state === 'sending_held', 'sending held');
  expect(held.sendingHeldFrom).toBe(heldAt * 1000);

  await cy.api.send(conversation, 'held one');
  await cy.api.send(conversation, 'held two');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect((await message(cy, conversation, 'held one'))?.status).toBe('queued');
  expect((await message(cy, conversation, 'held two'))?.status).toBe('queued');
  expect((await cy.api.snapshot()).pendingOutgoing).toBe(2);
  expect(await texts(dee.api, atDee)).toEqual(['before']);

  // Receiving and reading go on.
  await dee.api.send(atDee, 'from dee while cy holds');
  await eventually(async () => (await texts(cy.api, conversation)).includes('from dee while cy holds'), 'received');

  // The admin app is back with a fresh list (its clock where cy's is): everything leaves, once, in order.
  admin.listClockOffsetSeconds = Math.round(cy.clockOffset / 1000);
  admin.reissueList();
  admin.unreachable = false;
  await shown(cy, (v) => v.state === 'fresh' && v.version > held.version, 'fresh again');
  await eventually(async () => (await texts(dee.api, atDee)).includes('held two'), 'held messages at dee');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await texts(dee.api, atDee)).toEqual(['before', 'from dee while cy holds', 'held one', 'held two']);
  await eventually(async () => (await cy.api.snapshot()).pendingOutgoing === 0, 'outbox empty');
  for (const text of ['held one', 'held two'])
    expect(['sent', 'delivered']).toContain((await message(cy, conversation, text))?.status);
}, 90_000);

test('a device reopened while sending is held sends what waited as soon as a fresh list arrives', async () => {
  const [ivy, jon] = [await device('ivy'), await device('jon')];
  const fresh = await shown(ivy, (v) => v.state === 'fresh', 'a fresh list');
  const conversation = await ivy.api.startDirect('jon@agency.example');
  admin.unreachable = true;
  setClock(ivy, (fresh.nextUpdate as number) / 1000 + REVOCATION_SEND_GRACE_SECONDS + 1);
  await shown(ivy, (v) => v.state === 'sending_held', 'sending held');
  await ivy.api.send(conversation, 'written before the restart');
  await ivy.api.lock();

  // The admin app is back before the device reopens: the first list it fetches is fresh.
  admin.listClockOffsetSeconds = Math.round(ivy.clockOffset / 1000);
  admin.reissueList();
  admin.unreachable = false;
  await ivy.api.unlock(PASSPHRASE);
  const atJon = await conversationWith(jon.api, (t) => t === 'IVY');
  await eventually(async () => (await texts(jon.api, atJon)).includes('written before the restart'), 'sent');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await texts(jon.api, atJon)).toEqual(['written before the restart']);
}, 60_000);

test('what waited is not sent to a device the fresh list revoked (revoked)', async () => {
  const relays: WatchedRelay[] = [];
  const eli = await device('eli', relays);
  await device('fay');
  const fresh = await shown(eli, (v) => v.state === 'fresh', 'a fresh list');
  const conversation = await eli.api.startDirect('fay@agency.example');
  await eli.api.send(conversation, 'hello fay');
  await eventually(async () => (await message(eli, conversation, 'hello fay'))?.status === 'delivered', 'delivered');

  admin.unreachable = true;
  setClock(eli, (fresh.nextUpdate as number) / 1000 + REVOCATION_SEND_GRACE_SECONDS + 1);
  await shown(eli, (v) => v.state === 'sending_held', 'sending held');
  await eli.api.send(conversation, 'for fay, held');
  expect((await message(eli, conversation, 'for fay, held'))?.status).toBe('queued');
  const putBefore = relays.reduce((n, r) => n + r.entriesPut, 0);

  // Meanwhile fay's device was revoked: the list that ends the hold says so.
  const fay = admin.devices.find((d) => d.address === 'fay@agency.example');
  await admin.revoke(fay?.deviceId as Uint8Array);
  admin.listClockOffsetSeconds = Math.round(eli.clockOffset / 1000);
  admin.unreachable = false;
  await shown(eli, (v) => v.state === 'fresh', 'fresh again');
  await eventually(async () => (await eli.api.snapshot()).pendingOutgoing === 0, 'outbox settled');
  expect(relays.reduce((n, r) => n + r.entriesPut, 0)).toBe(putBefore);
  expect((await message(eli, conversation, 'for fay, held'))?.status).toBe('failed');
}, 90_000);

test('a list that does not verify is shown (its code), the one held kept; a newer genuine list ends it', async () => {
  const relays: WatchedRelay[] = [];
  const gil = await device('gil', relays);
  const fresh = await shown(gil, (v) => v.state === 'fresh', 'a fresh list');
  const forged = await revocationList(
    { ...admin.org, key: await generateEd25519KeyPair(), nextListVersion: 10_000 },
    [],
  );
  for (const r of relays) r.inject(forged);
  const alert = await shown(gil, (v) => v.unverified !== undefined, 'the unverifiable list shown');
  expect(alert).toMatchObject({ state: 'fresh', version: fresh.version, unverified: { code: 'unknown_signer' } });
  for (const r of relays) r.inject(new Uint8Array(200).fill(9));
  await shown(gil, (v) => v.unverified?.code === 'version_unknown', 'junk shown');
  // The same list again from the admin app changes nothing; a newer one ends the alert.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  expect(gil.latest?.revocation).toMatchObject({ version: fresh.version, unverified: { code: 'version_unknown' } });
  admin.reissueList();
  const after = await shown(gil, (v) => v.version > fresh.version, 'a newer list');
  expect(after.unverified).toBeUndefined();
}, 60_000);

test('a stored version 1 list does not stop the messenger from opening: it is dropped and a fresh one fetched', async () => {
  const hal = await device('hal');
  const fresh = await shown(hal, (v) => v.state === 'fresh', 'a fresh list');
  await hal.api.lock();
  // What a device of the previous release stored: the list with version byte 1 (attestations.md §3.5).
  const vault = await Vault.unlock(hal.store, PASSPHRASE);
  const self = (await vault.get<SelfRecord>(TABLES.self, '', 'device')) as SelfRecord;
  const v1 = (self.revocationList as Uint8Array).slice();
  v1[0] = 1;
  const batch = vault.batch();
  batch.put(TABLES.self, '', 'device', { ...self, revocationList: v1 });
  await vault.commit(batch);
  vault.lock();

  await hal.api.unlock(PASSPHRASE);
  await eventually(async () => (await hal.api.snapshot()).device !== undefined, 'hal open');
  // Dropped, not replaced by the same version again (versions only go up, §3.4): the admin app re-signs.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  expect((await hal.api.snapshot()).revocation).toMatchObject({ state: 'none', version: 0 });
  admin.reissueList();
  const after = await shown(hal, (v) => v.state === 'fresh', 'a fresh list after the drop', 5_000);
  expect(after.version).toBeGreaterThan(fresh.version);
}, 60_000);
