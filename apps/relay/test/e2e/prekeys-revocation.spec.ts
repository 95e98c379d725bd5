/** Prekey slots (relay.md §3.10-§3.11) and the revocation list's forwarding (§7) against the booted relay. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import {
  RelayClient,
  generateEd25519KeyPair,
  errorOf,
  newDevice,
  newDeviceId,
  newOrg,
  relayConfig,
  revocationList,
  type TestOrg,
} from '../support/relay-client';

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
    expect(errorOf(await owner.publishPrekeys(slotId, await generateEd25519KeyPair(), new Uint8Array(5), []))).toBe(
      'auth',
    );
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
    const handed = replies.flatMap((r) =>
      r.ok && r.command === 'prekey_claim' && r.oneTimePrekey ? [hex(r.oneTimePrekey)] : [],
    );
    expect(handed).toHaveLength(40);
    expect(new Set(handed).size).toBe(40);
  });
});

describe('revocation (relay.md §7): forwarded, never enforced by device id', () => {
  let version = 1000;
  const nextVersion = () => (version += 10);
  const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(Buffer.from(b));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  async function unauthenticated(url = relay.url): Promise<RelayClient> {
    const client = await RelayClient.connect(url);
    clients.push(client);
    return client;
  }

  it('a newer list reaches every authenticated connection within 2 seconds, and none is closed', async () => {
    const connections = await Promise.all(Array.from({ length: 5 }, () => signedIn()));
    const before = connections.map((c) => c.revocationLists.length);
    const list = await revocationList(org, nextVersion(), [newDeviceId(), newDeviceId()]);
    const started = Date.now();
    expect(await connections[0]?.pushRevocationList(list)).toMatchObject({ ok: true });
    await Promise.all(
      connections.map((c, i) => c.until(() => c.revocationLists.length === (before[i] as number) + 1, 2_000)),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const c of connections) expect(same(c.revocationLists.at(-1), list)).toBe(true);
    await settle();
    expect(connections.every((c) => c.socket.connected && c.notices.length === 0)).toBe(true);
  });

  it('a list pushed over HTTP is forwarded the same way', async () => {
    const listener = await signedIn();
    const before = listener.revocationLists.length;
    const list = await revocationList(org, nextVersion(), [newDeviceId()]);
    const posted = await fetch(`${relay.url}/revocation-list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(list),
    });
    expect(posted.status).toBe(200);
    await listener.until(() => listener.revocationLists.length === before + 1, 2_000);
    expect(same(listener.revocationLists.at(-1), list)).toBe(true);
  });

  it('unauthenticated connections get nothing, not even when they push the list themselves', async () => {
    const listener = await signedIn();
    const before = listener.revocationLists.length;
    const stranger = await unauthenticated();
    const list = await revocationList(org, nextVersion(), [newDeviceId()]);
    expect(await stranger.pushRevocationList(list)).toMatchObject({ ok: true, listVersion: version });
    await listener.until(() => listener.revocationLists.length === before + 1, 2_000);
    await settle();
    expect(stranger.revocationLists).toEqual([]);
  });

  it('a stale list, or one of the same version, is refused and not forwarded', async () => {
    const listener = await signedIn();
    const held = await revocationList(org, nextVersion(), []);
    await listener.pushRevocationList(held);
    await listener.until(() => same(listener.revocationLists.at(-1), held), 2_000);
    const count = listener.revocationLists.length;
    expect(errorOf(await listener.pushRevocationList(await revocationList(org, version - 1, [newDeviceId()])))).toBe(
      'revocation_list_stale',
    );
    expect(errorOf(await listener.pushRevocationList(await revocationList(org, version, [newDeviceId()])))).toBe(
      'revocation_list_stale',
    );
    await settle();
    expect(listener.revocationLists).toHaveLength(count);
  });

  it('an invalid list (another organisation’s, not a list at all, one bit flipped) is refused and not forwarded', async () => {
    const listener = await signedIn();
    const count = listener.revocationLists.length;
    expect(
      errorOf(await listener.pushRevocationList(await revocationList(await newOrg(), nextVersion() + 100_000, []))),
    ).toBe('revocation_list_invalid');
    expect(errorOf(await listener.pushRevocationList(new Uint8Array(50)))).toBe('revocation_list_invalid');
    const flipped = (await revocationList(org, nextVersion(), [newDeviceId()])).slice();
    flipped[30] = (flipped[30] as number) ^ 1;
    expect(errorOf(await listener.pushRevocationList(flipped))).toBe('revocation_list_invalid');
    await settle();
    expect(listener.revocationLists).toHaveLength(count);
  });

  it('a connection that says hello after a list was accepted gets it right after the hello reply, before any other reply', async () => {
    const list = await revocationList(org, nextVersion(), [newDeviceId()]);
    expect((await (await unauthenticated()).pushRevocationList(list)).ok).toBe(true);
    const late = await unauthenticated();
    expect(late.revocationLists).toEqual([]);
    const token = await newDevice(org).token(relay.url);
    // Both frames leave at once; the relay answers them in order.
    const hello = late.helloWith(token);
    const next = late.fetchPrekeys(new Uint8Array(16));
    expect((await hello).ok).toBe(true);
    expect(errorOf(await next)).toBe('not_found');
    // The list was sent after the hello reply and before the reply to the frame that followed it.
    expect(late.revocationLists).toHaveLength(1);
    expect(same(late.revocationLists[0], list)).toBe(true);
  });

  it('over HTTP: POST pushes a list, GET serves the one held, an older one is 400 revocation_list_stale', async () => {
    const list = await revocationList(org, nextVersion(), [new Uint8Array(16).fill(4)]);
    const posted = await fetch(`${relay.url}/revocation-list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(list),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ listVersion: version });
    const stale = await fetch(`${relay.url}/revocation-list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(await revocationList(org, 1, [])),
    });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ error: 'revocation_list_stale' });
    const served = await fetch(`${relay.url}/revocation-list`);
    expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(list))).toBe(true);
  });

  it('fetches the list from its configured URL at start, and hands it to each connection after its hello', async () => {
    const list = await revocationList(org, 5, [newDeviceId()]);
    const server: Server = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/octet-stream');
      response.end(Buffer.from(list));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
    const second = await startRelay(relayConfig(org, { RELAY_REVOCATION_LIST_URL: url }));
    try {
      const client = await signedIn(undefined, second.url);
      await client.until(() => client.revocationLists.length === 1, 2_000);
      expect(same(client.revocationLists[0], list)).toBe(true);
      expect(client.socket.connected).toBe(true);
    } finally {
      await second.app.close();
      server.close();
    }
  });

  it('a relay that holds no list sends none after a hello', async () => {
    const fresh = await startRelay(relayConfig(org));
    try {
      const client = await signedIn(undefined, fresh.url);
      await settle();
      expect(client.revocationLists).toEqual([]);
    } finally {
      await fresh.app.close();
    }
  });
});
