/**
 * The token key set a relay accepts tokens of (relay.md §3.2, access-tokens.md §3): taken from
 * RELAY_TOKEN_KEYS_URL, from POST /token-keys, served by GET /token-keys; only a newer set signed
 * by a pinned organisation key replaces it, and a key rotated out takes its tokens with it.
 */
import { MAX_TOKEN_KEY_SET_BYTES } from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { heldKeySet, keySetOf, pendingCount, pushKeySet, refusedHello } from '../support/access';
import {
  RelayClient,
  errorOf,
  generateEd25519KeyPair,
  newDevice,
  newOrg,
  relayConfig,
  type TestOrg,
  type TestQueue,
} from '../support/relay-client';

const relays: RunningRelay[] = [];
const clients: RelayClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(relays.splice(0).map((relay) => relay.app.close()));
});

async function relayFor(org: TestOrg, env: Record<string, string> = {}): Promise<RunningRelay> {
  const relay = await startRelay(relayConfig(org, env));
  relays.push(relay);
  return relay;
}

const originOf = (relay: RunningRelay) => new URL(relay.url).host;

/** hello with a token of `issuer` on a new connection; the code. */
async function helloWith(relay: RunningRelay, issuer: TestTokenIssuer): Promise<string> {
  const client = await RelayClient.connect(relay.url);
  clients.push(client);
  return errorOf(await client.helloWith(await issuer.mint(originOf(relay))));
}

/** A witness queue on `relay`, and a check that a token of `issuer` is refused with `code`, closing the connection and serving nothing. */
async function expectRefused(
  relay: RunningRelay,
  owner: { client: RelayClient; queue: TestQueue },
  issuer: TestTokenIssuer,
  code: string,
): Promise<void> {
  const refused = await refusedHello(relay.url, { token: await issuer.mint(originOf(relay)) }, owner.queue);
  expect(refused).toEqual({ error: code, closedBy: 'io server disconnect', repliesAfter: [] });
  expect(await pendingCount(owner.client, owner.queue)).toBe(0);
}

async function witnessOn(relay: RunningRelay, org: TestOrg): Promise<{ client: RelayClient; queue: TestQueue }> {
  const client = await RelayClient.signedIn(relay.url, newDevice(org));
  clients.push(client);
  return { client, queue: await client.createQueue() };
}

describe('the token key set', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await newOrg();
  });

  it('is fetched from RELAY_TOKEN_KEYS_URL at start and served by GET /token-keys, byte for byte', async () => {
    const relay = await relayFor(org);
    const served = await (await fetch(org.keysUrl)).arrayBuffer();
    const held = await heldKeySet(relay.url);
    expect(held && Buffer.from(held).equals(Buffer.from(served))).toBe(true);
    const response = await fetch(`${relay.url}/token-keys`);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('token_unknown_key: a relay that holds no set (no RELAY_TOKEN_KEYS_URL) refuses every token; GET answers 404', async () => {
    const relay = await relayFor(org, { RELAY_TOKEN_KEYS_URL: '' });
    expect(await heldKeySet(relay.url)).toBeUndefined();
    const client = await RelayClient.connect(relay.url);
    clients.push(client);
    const closed = client.disconnected();
    expect(errorOf(await client.helloWith(await org.issuer.mint(originOf(relay))))).toBe('token_unknown_key');
    expect(await closed).toBe('io server disconnect');
    // Then the admin app pushes it, and the same kind of token is let in.
    expect((await pushKeySet(relay.url, await keySetOf(org, 1, [org.issuer]))).status).toBe(200);
    expect(await helloWith(relay, org.issuer)).toBe('ok');
  });

  it('a key rotated out by a newer set pushed over POST: its tokens are then token_unknown_key, the new key’s are let in', async () => {
    const relay = await relayFor(org);
    const owner = await witnessOn(relay, org);
    const next = await TestTokenIssuer.create(org.orgId, org.key);
    expect(await helloWith(relay, next)).toBe('token_unknown_key');
    expect(await pushKeySet(relay.url, await keySetOf(org, 5, [next]))).toEqual({
      status: 200,
      body: { setVersion: 5 },
    });
    await expectRefused(relay, owner, org.issuer, 'token_unknown_key');
    expect(await helloWith(relay, next)).toBe('ok');
  });

  it('a key rotated out at the URL: the relay takes the newer set at its next refresh', async () => {
    const local = await newOrg();
    const relay = await relayFor(local, { RELAY_TOKEN_KEYS_REFRESH_SECONDS: '5' });
    const owner = await witnessOn(relay, local);
    const next = await TestTokenIssuer.create(local.orgId, local.key);
    local.publishKeySet(await keySetOf(local, 2, [next]));
    const deadline = Date.now() + 8_000;
    while ((await helloWith(relay, next)) !== 'ok') {
      if (Date.now() > deadline) throw new Error('the relay did not take the newer set in time');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await expectRefused(relay, owner, local.issuer, 'token_unknown_key');
  }, 15_000);

  it('a same-version set again changes nothing and is answered with the version held', async () => {
    const relay = await relayFor(org);
    const held = await heldKeySet(relay.url);
    const other = await TestTokenIssuer.create(org.orgId, org.key);
    expect(await pushKeySet(relay.url, held as Uint8Array)).toEqual({ status: 200, body: { setVersion: 1 } });
    // Another set of the same version is not a newer one: the held set stays.
    expect(await pushKeySet(relay.url, await keySetOf(org, 1, [other]))).toEqual({
      status: 200,
      body: { setVersion: 1 },
    });
    expect(Buffer.from((await heldKeySet(relay.url)) as Uint8Array).equals(Buffer.from(held as Uint8Array))).toBe(true);
    expect(await helloWith(relay, other)).toBe('token_unknown_key');
  });

  it('400 token_key_set_stale: an older set pushed after a newer one, and the newer stays', async () => {
    const relay = await relayFor(org);
    const next = await TestTokenIssuer.create(org.orgId, org.key);
    const newer = await keySetOf(org, 7, [next]);
    expect((await pushKeySet(relay.url, newer)).status).toBe(200);
    expect(await pushKeySet(relay.url, await keySetOf(org, 6, [org.issuer]))).toEqual({
      status: 400,
      body: { error: 'token_key_set_stale' },
    });
    expect(Buffer.from((await heldKeySet(relay.url)) as Uint8Array).equals(Buffer.from(newer))).toBe(true);
    expect(await helloWith(relay, org.issuer)).toBe('token_unknown_key');
    expect(await helloWith(relay, next)).toBe('ok');
  });

  it('400 token_key_set_invalid: a set signed by a stranger, one of another organisation, or bytes that are no set; nothing changes', async () => {
    const relay = await relayFor(org);
    const held = await heldKeySet(relay.url);
    const stranger = await generateEd25519KeyPair();
    const rogue = await TestTokenIssuer.create(org.orgId, org.key);
    expect(await pushKeySet(relay.url, await keySetOf(org, 50, [rogue], stranger))).toEqual({
      status: 400,
      body: { error: 'token_key_set_invalid' },
    });
    const otherOrg = await newOrg();
    expect(await pushKeySet(relay.url, await keySetOf(otherOrg, 50, [otherOrg.issuer]))).toEqual({
      status: 400,
      body: { error: 'token_key_set_invalid' },
    });
    expect(await pushKeySet(relay.url, new Uint8Array(200).fill(1))).toEqual({
      status: 400,
      body: { error: 'token_key_set_invalid' },
    });
    const flipped = (await keySetOf(org, 50, [rogue])).slice();
    flipped[40] = (flipped[40] as number) ^ 1;
    expect(await pushKeySet(relay.url, flipped)).toEqual({ status: 400, body: { error: 'token_key_set_invalid' } });
    expect(Buffer.from((await heldKeySet(relay.url)) as Uint8Array).equals(Buffer.from(held as Uint8Array))).toBe(true);
    expect(await helloWith(relay, rogue)).toBe('token_unknown_key');
    expect(await helloWith(relay, org.issuer)).toBe('ok');
  });

  it('415 for another content type, 413 for a body larger than any set; nothing changes', async () => {
    const relay = await relayFor(org);
    const set = await keySetOf(org, 60, [await TestTokenIssuer.create(org.orgId, org.key)]);
    expect(await pushKeySet(relay.url, set, 'application/json')).toEqual({ status: 415, body: { error: 'malformed' } });
    expect(await pushKeySet(relay.url, new Uint8Array(MAX_TOKEN_KEY_SET_BYTES + 1))).toEqual({
      status: 413,
      body: { error: 'oversized' },
    });
    expect(await helloWith(relay, org.issuer)).toBe('ok');
  });

  it('a URL that serves garbage or fails leaves the relay without a set, and it says so by name', async () => {
    const local = await newOrg();
    local.publishKeySet(new Uint8Array(10));
    const relay = await relayFor(local);
    expect(await heldKeySet(relay.url)).toBeUndefined();
    expect(await helloWith(relay, local.issuer)).toBe('token_unknown_key');
  });
});
