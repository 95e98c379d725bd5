/**
 * A relay follows the organisation's key rotations (relay.md §7.2, attestations.md §4.3) as
 * clients do: from the configured keys, through key statements read from RELAY_ORG_URL, each
 * signed by a key it already honours. After "Activate" the revocation list and the token key set
 * are signed by the new key; a relay that did not follow would refuse them, and a revoked device
 * would go on being written to by every client that only hears of revocations through it.
 */
import { signOrgKeyStatement, orgKeyId, type OrgKeyStatementFields } from '@opendescent/protocol';
import { startRelay, storeLimits, type RunningRelay } from '../../src/bootstrap';
import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import { heldKeySet } from '../support/access';
import {
  RelayClient,
  generateEd25519KeyPair,
  newDevice,
  newDeviceId,
  newOrg,
  nowSeconds,
  relayConfig,
  revocationList,
  type Ed25519KeyPair,
  type TestOrg,
} from '../support/relay-client';

const relays: RunningRelay[] = [];
const clients: RelayClient[] = [];
const lines: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(relays.splice(0).map((relay) => relay.app.close()));
  lines.length = 0;
});

interface OrgKeysHealth {
  sequence: number;
  honoured: number;
  checkedAt: number | null;
  alert: string | null;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** The organisation document as the admin app serves it (admin-api.md §9.1), with these statements. */
function orgDocument(org: TestOrg, keys: readonly Ed25519KeyPair[], statements: readonly Uint8Array[]) {
  return {
    orgId: b64(org.orgId),
    keys: keys.map((key) => ({ keyId: b64(orgKeyId(key.publicKey)), publicKey: b64(key.publicKey), status: 'active' })),
    revocationListVersion: 1,
    statements: statements.map(b64),
  };
}

async function statement(
  org: TestOrg,
  fields: Omit<OrgKeyStatementFields, 'orgId' | 'issuedAt'>,
  signer: Ed25519KeyPair,
): Promise<Uint8Array> {
  return signOrgKeyStatement({ orgId: org.orgId, issuedAt: nowSeconds(), ...fields }, signer.privateKey);
}

async function relayFor(
  org: TestOrg,
  env: Record<string, string> = {},
  options: Parameters<typeof startRelay>[1] = {},
): Promise<RunningRelay> {
  const relay = await startRelay(relayConfig(org, { RELAY_ORG_URL: org.orgUrl, RELAY_LOG_LEVEL: 'info', ...env }), {
    logDestination: { write: (line: string) => void lines.push(line) },
    ...options,
  });
  relays.push(relay);
  return relay;
}

async function pushList(relay: RunningRelay, list: Uint8Array): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${relay.url}/revocation-list`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.from(list),
  });
  return { status: response.status, body: await response.json() };
}

async function orgKeysHealth(relay: RunningRelay): Promise<OrgKeysHealth> {
  const health = (await (await fetch(`${relay.url}/health`)).json()) as { orgKeys: OrgKeysHealth };
  return health.orgKeys;
}

const events = (name: string) =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === name);

describe('a relay following organisation-key rotations', () => {
  let org: TestOrg;
  let next: Ed25519KeyPair;
  let version = 100;
  beforeEach(async () => {
    org = await newOrg();
    next = await generateEd25519KeyPair();
  });

  it('after an introduction signed by the pinned key, takes a revocation list signed by the new key and forwards it to every connection', async () => {
    const relay = await relayFor(org);
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 0, honoured: 1, alert: null });
    const listener = await RelayClient.signedIn(relay.url, newDevice(org));
    clients.push(listener);
    const before = listener.revocationLists.length;

    // "Prepare" then "Activate" at the admin app: published after the relay last read the document.
    const introduce = await statement(
      org,
      { sequence: 1, kind: 'introduce', subject: next.publicKey, until: 0 },
      org.key,
    );
    org.publishOrgDocument(orgDocument(org, [org.key, next], [introduce]));
    const list = await revocationList(org, (version += 1), [newDeviceId()], {}, next);

    // The list names a signer not honoured yet: the relay reads the organisation document, follows, accepts.
    expect(await pushList(relay, list)).toEqual({ status: 200, body: { listVersion: version } });
    await listener.until(() => listener.revocationLists.length === before + 1, 2_000);
    expect(Buffer.from(listener.revocationLists.at(-1) ?? []).equals(list)).toBe(true);
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 1, honoured: 2, alert: null });
    expect(events('org_keys_followed')).toEqual([expect.objectContaining({ sequence: 1, honoured: 2 })]);
  });

  it('unknown_signer: a list signed by a key no statement introduced is refused, and the organisation document is read at most once a minute for it', async () => {
    const relay = await relayFor(org);
    const stranger = await generateEd25519KeyPair();
    const readsAtStart = org.orgReads();
    for (let i = 0; i < 3; i++) {
      const forged = await revocationList(org, (version += 1), [], {}, stranger);
      expect(await pushList(relay, forged)).toMatchObject({ status: 400, body: { error: 'revocation_list_invalid' } });
    }
    expect(org.orgReads() - readsAtStart).toBe(1);
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 0, honoured: 1 });
  });

  it('a statement not signed by a key the relay honours adds nothing, and /health and the log say so', async () => {
    const relay = await relayFor(org);
    const stranger = await generateEd25519KeyPair();
    const forgedIntroduction = await statement(
      org,
      { sequence: 1, kind: 'introduce', subject: next.publicKey, until: 0 },
      stranger,
    );
    org.publishOrgDocument(orgDocument(org, [org.key, next], [forgedIntroduction]));
    const list = await revocationList(org, (version += 1), [newDeviceId()], {}, next);
    expect(await pushList(relay, list)).toMatchObject({ status: 400, body: { error: 'revocation_list_invalid' } });
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 0, honoured: 1, alert: 'unknown_signer' });
    expect(events('org_key_statement_refused')).toEqual([
      expect.objectContaining({ sequence: 1, code: 'unknown_signer', source: 'url' }),
    ]);
    // The pinned key still works: nothing was lost.
    expect(await pushList(relay, await revocationList(org, (version += 1), []))).toMatchObject({ status: 200 });
  });

  it.each([
    ['malformed', 'not json at all'],
    ['malformed', { orgId: 'AA', keys: [], statements: [] }],
    ['oversized', 'x'.repeat(70_000)],
    ['wrong_organisation', 'other'],
  ])('%s: an organisation document that cannot be used changes nothing and is reported', async (code, served) => {
    const relay = await relayFor(org);
    const other = await newOrg();
    org.publishOrgDocument(served === 'other' ? orgDocument(other, [other.key], []) : served);
    const list = await revocationList(org, (version += 1), [], {}, next);
    expect(await pushList(relay, list)).toMatchObject({ status: 400 });
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 0, honoured: 1, alert: code });
    expect(await pushList(relay, await revocationList(org, (version += 1), []))).toMatchObject({ status: 200 });
  });

  it('expired: a key retired by statement is dropped at its stated end; what it signs afterwards is refused', async () => {
    let now = Date.now();
    const relay = await relayFor(org, {}, { clock: () => now });
    const end = nowSeconds() + 3_600;
    const introduce = await statement(
      org,
      { sequence: 1, kind: 'introduce', subject: next.publicKey, until: 0 },
      org.key,
    );
    const retire = await statement(
      org,
      { sequence: 2, kind: 'retire', subject: org.key.publicKey, until: end },
      org.key,
    );
    org.publishOrgDocument(orgDocument(org, [org.key, next], [introduce, retire]));
    expect(await pushList(relay, await revocationList(org, (version += 1), [], {}, next))).toMatchObject({
      status: 200,
    });
    // Before its end the retired key still counts (its attestations are still valid).
    expect(await pushList(relay, await revocationList(org, (version += 1), []))).toMatchObject({ status: 200 });
    now = (end + 1) * 1000;
    expect(await orgKeysHealth(relay)).toMatchObject({ sequence: 2, honoured: 1 });
    const late = await revocationList(org, (version += 1), [], { issuedAt: end + 1, nextUpdate: end + 3_600 });
    expect(await pushList(relay, late)).toMatchObject({ status: 400, body: { error: 'revocation_list_invalid' } });
  });

  it('a node restarted with the old configuration and no organisation URL still follows: the statements are in the store', async () => {
    const config = relayConfig(org);
    const store = new MemoryRelayStore(storeLimits(config));
    const first = await relayFor(org, {}, { store });
    const introduce = await statement(
      org,
      { sequence: 1, kind: 'introduce', subject: next.publicKey, until: 0 },
      org.key,
    );
    org.publishOrgDocument(orgDocument(org, [org.key, next], [introduce]));
    expect(await pushList(first, await revocationList(org, (version += 1), [], {}, next))).toMatchObject({
      status: 200,
    });
    await first.app.close();
    relays.splice(relays.indexOf(first), 1);

    const second = await relayFor(org, { RELAY_ORG_URL: '' }, { store });
    expect(await orgKeysHealth(second)).toMatchObject({ sequence: 1, honoured: 2, checkedAt: null });
    expect(await pushList(second, await revocationList(org, (version += 1), [], {}, next))).toMatchObject({
      status: 200,
    });
  });

  it('a token key set re-signed by the new key (as at "Activate") is taken at start by a relay configured with the old key', async () => {
    const introduce = await statement(
      org,
      { sequence: 1, kind: 'introduce', subject: next.publicKey, until: 0 },
      org.key,
    );
    org.publishOrgDocument(orgDocument(org, [org.key, next], [introduce]));
    const resigned = await org.issuer.keySet([], next);
    org.publishKeySet(resigned);
    const relay = await relayFor(org);
    const held = await heldKeySet(relay.url);
    expect(held && Buffer.from(held).equals(resigned)).toBe(true);
    // And its tokens open connections.
    const client = await RelayClient.signedIn(relay.url, newDevice(org));
    clients.push(client);
    expect(client.socket.connected).toBe(true);
  });
});
