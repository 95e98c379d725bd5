/** Prekey slots (relay.md §3.10-§3.11) and revocation (§7) against the booted relay. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RelayClient, generateEd25519KeyPair, errorOf, newDevice, newOrg, relayConfig, revocationList, type TestOrg } from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const clients: RelayClient[] = [];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org));
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
});

async function signedIn(device?: Awaited<ReturnType<typeof newDevice>>, url = relay.url): Promise<RelayClient> {
  const client = await RelayClient.signedIn(url, device ?? (await newDevice(org)));
  clients.push(client);
  return client;
}

describe('prekey slots', () => {
  const bundle = new Uint8Array(1500).fill(3);
  const keys = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array(1216).fill(i));

  it('a device publishes its bundle; any attested device fetches it and claims one-time prekeys in turn', async () => {
    const owner = await signedIn();
    const peer = await signedIn();
    const slotId = new Uint8Array(randomBytes(16));
    const slotKey = await generateEd25519KeyPair();
    expect(await owner.publishPrekeys(slotId, slotKey, bundle, keys(2))).toMatchObject({ ok: true, remaining: 2 });
    expect(await peer.fetchPrekeys(slotId)).toMatchObject({ ok: true, remaining: 2, bundle });
    expect(await peer.claimPrekey(slotId)).toMatchObject({ ok: true, bundle, oneTimePrekey: keys(1)[0] });
    expect(await peer.claimPrekey(slotId)).toMatchObject({ ok: true, oneTimePrekey: keys(2)[1] });
    expect(await peer.claimPrekey(slotId)).toMatchObject({ ok: true, bundle, oneTimePrekey: undefined });
  });

  it('auth: republishing a slot under another slot key, and nothing changes', async () => {
    const owner = await signedIn();
    const slotId = new Uint8Array(randomBytes(16));
    await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), bundle, keys(1));
    expect(errorOf(await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), new Uint8Array(5), []))).toBe('auth');
    expect(await owner.fetchPrekeys(slotId)).toMatchObject({ ok: true, remaining: 1, bundle });
  });

  it('quota_exceeded: more one-time prekeys than a slot holds', async () => {
    const owner = await signedIn();
    const slotId = new Uint8Array(randomBytes(16));
    const slotKey = await generateEd25519KeyPair();
    await owner.publishPrekeys(slotId, slotKey, bundle, keys(100));
    await owner.publishPrekeys(slotId, slotKey, bundle, keys(100), 'append');
    expect(errorOf(await owner.publishPrekeys(slotId, slotKey, bundle, keys(1), 'append'))).toBe('quota_exceeded');
  });

  it('not_found: a slot nobody published', async () => {
    const peer = await signedIn();
    expect(errorOf(await peer.fetchPrekeys(new Uint8Array(16)))).toBe('not_found');
    expect(errorOf(await peer.claimPrekey(new Uint8Array(16)))).toBe('not_found');
  });

  it('concurrent claims from many connections never get the same one-time prekey', async () => {
    const owner = await signedIn();
    const slotId = new Uint8Array(randomBytes(16));
    const distinct = Array.from({ length: 40 }, () => new Uint8Array(randomBytes(32)));
    await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), bundle, distinct);
    const claimers = await Promise.all(Array.from({ length: 10 }, () => signedIn()));
    const replies = await Promise.all(claimers.flatMap((c) => Array.from({ length: 6 }, () => c.claimPrekey(slotId))));
    const handed = replies.flatMap((r) => (r.ok && r.command === 'prekey_claim' && r.oneTimePrekey ? [hex(r.oneTimePrekey)] : []));
    expect(handed).toHaveLength(40);
    expect(new Set(handed).size).toBe(40);
  });
});

describe('revocation', () => {
  it('closes the live connections of a newly revoked device within 2 seconds, and only those', async () => {
    const device = await newDevice(org);
    const laptop = await signedIn(device);
    const tablet = await signedIn(device);
    const bystander = await signedIn();
    const started = Date.now();
    const closed = Promise.all([laptop.disconnected(), tablet.disconnected()]);
    expect(await bystander.pushRevocationList(await revocationList(org, 200, [device.deviceId]))).toMatchObject({ ok: true, listVersion: 200 });
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(laptop.notices.map((n) => n.error)).toEqual(['device_revoked']);
    expect(bystander.socket.connected).toBe(true);
  });

  it('accepts a list from an unauthenticated connection: the signature is the authorisation', async () => {
    const anyone = await RelayClient.connect(relay.url);
    clients.push(anyone);
    expect(await anyone.pushRevocationList(await revocationList(org, 201, []))).toMatchObject({ ok: true, listVersion: 201 });
  });

  it('revocation_list_stale: an older list, or another list of the same version', async () => {
    const client = await signedIn();
    await client.pushRevocationList(await revocationList(org, 300, []));
    expect(errorOf(await client.pushRevocationList(await revocationList(org, 299, [])))).toBe('revocation_list_stale');
    expect(errorOf(await client.pushRevocationList(await revocationList(org, 300, [new Uint8Array(16)])))).toBe('revocation_list_stale');
  });

  it('revocation_list_invalid: signed by another organisation, or not a list at all', async () => {
    const client = await signedIn();
    expect(errorOf(await client.pushRevocationList(await revocationList(await newOrg(), 999, [])))).toBe('revocation_list_invalid');
    expect(errorOf(await client.pushRevocationList(new Uint8Array(50)))).toBe('revocation_list_invalid');
  });

  it('over HTTP: POST pushes a list, GET serves the one held', async () => {
    const list = await revocationList(org, 400, [new Uint8Array(16).fill(4)]);
    const posted = await fetch(`${relay.url}/revocation-list`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from(list) });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ listVersion: 400 });
    const stale = await fetch(`${relay.url}/revocation-list`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from(await revocationList(org, 1, [])) });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ error: 'revocation_list_stale' });
    const served = await fetch(`${relay.url}/revocation-list`);
    expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(list))).toBe(true);
  });

  it('fetches the list from its configured URL at start', async () => {
    const device = await newDevice(org);
    const list = await revocationList(org, 5, [device.deviceId]);
    const server: Server = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/octet-stream');
      response.end(Buffer.from(list));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
    const second = await startRelay(relayConfig(org, { RELAY_REVOCATION_LIST_URL: url }));
    try {
      const client = await RelayClient.connect(second.url);
      clients.push(client);
      const deadline = Date.now() + 3000;
      let reply = await client.hello(device);
      while (reply.ok && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        reply = await (await RelayClient.connect(second.url)).hello(device);
      }
      expect(errorOf(reply)).toBe('device_revoked');
    } finally {
      await second.app.close();
      server.close();
    }
  });
});
