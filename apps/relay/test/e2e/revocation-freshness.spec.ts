/**
 * The revocation list's next update at the relay (relay.md §7.1, attestations.md §3.5): `/health`
 * and `/metrics` say which list is held and whether it is stale; a stale list is still held and
 * forwarded, with one warning in the log; a stored list of the older format (version 1) is refused
 * at start without stopping the relay, which then takes the list from its configured URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRelay, storeLimits, type RunningRelay } from '../../src/bootstrap';
import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import {
  RelayClient,
  newDevice,
  newDeviceId,
  newOrg,
  nowSeconds,
  relayConfig,
  revocationList,
  type TestOrg,
} from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const lines: string[] = [];
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_LOG_LEVEL: 'info' }), {
    logDestination: { write: (line: string) => void lines.push(line) },
  });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
});

interface Health {
  readonly status: string;
  readonly revocationList: { version: number; nextUpdate: number; stale: boolean } | null;
}

async function health(url = relay.url): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

async function push(list: Uint8Array): Promise<void> {
  const posted = await fetch(`${relay.url}/revocation-list`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.from(list),
  });
  expect(posted.status).toBe(200);
}

const staleWarnings = () =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.event === 'revocation_list_stale');

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the revocation list held, fresh or stale', () => {
  it('/health reports no list before one is held, then its version and next update, not stale', async () => {
    expect(await health()).toMatchObject({ status: 'ok', revocationList: null });
    const nextUpdate = nowSeconds() + 3_600;
    await push(await revocationList(org, 3, [newDeviceId()], { nextUpdate }));
    expect((await health()).revocationList).toEqual({ version: 3, nextUpdate, stale: false });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toContain(`relay_revocation_list_next_update_seconds ${nextUpdate}`);
    expect(metrics).toContain('relay_revocation_list_version 3');
  });

  it('past its next update the list is stale: still held and forwarded, said so by /health, warned once in the log', async () => {
    const revoked = newDeviceId();
    const list = await revocationList(org, 4, [revoked], {
      issuedAt: nowSeconds() - 600,
      nextUpdate: nowSeconds() + 1,
    });
    await push(list);
    expect((await health()).revocationList?.stale).toBe(false);
    // The timer at its next update warns by itself, before anyone asks.
    await until(async () => staleWarnings().length === 1, 'the stale warning');
    expect(await health()).toMatchObject({ status: 'ok', revocationList: { version: 4, stale: true } });
    await health();
    expect(staleWarnings()).toHaveLength(1);
    expect(staleWarnings()[0]).toMatchObject({ level: 40, version: 4 });
    expect(lines.join('')).not.toContain(Buffer.from(revoked).toString('hex'));

    // Never dropped for being stale: served over HTTP and handed to each new connection.
    const served = new Uint8Array(await (await fetch(`${relay.url}/revocation-list`)).arrayBuffer());
    expect(Buffer.from(served).equals(Buffer.from(list))).toBe(true);
    const client = await RelayClient.signedIn(relay.url, newDevice(org));
    clients.push(client);
    await client.until(() => client.revocationLists.length === 1, 2_000);
    expect(Buffer.from(client.revocationLists[0] as Uint8Array).equals(Buffer.from(list))).toBe(true);

    // A newer list ends it.
    await push(await revocationList(org, 5, [revoked]));
    expect((await health()).revocationList).toMatchObject({ version: 5, stale: false });
  });

  it('a stored version 1 list is refused at start without stopping the relay, and the configured URL is fetched', async () => {
    const current = await revocationList(org, 7, [newDeviceId()]);
    const server: Server = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/octet-stream');
      response.end(Buffer.from(current));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
    const config = relayConfig(org, { RELAY_REVOCATION_LIST_URL: url, RELAY_LOG_LEVEL: 'info' });
    const store = new MemoryRelayStore(storeLimits(config));
    const v1 = (await revocationList(org, 6, [newDeviceId()])).slice();
    v1[0] = 1; // what a relay of the previous release stored
    await store.offerDocument('revocation_list', 6, v1);
    const startLines: string[] = [];
    const second = await startRelay(config, {
      store,
      logDestination: { write: (line: string) => void startLines.push(line) },
    });
    try {
      expect((await health(second.url)).revocationList).toMatchObject({ version: 7, stale: false });
      const refused = startLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((l) => l.event === 'revocation_list_refused');
      expect(refused).toMatchObject({ source: 'store', reason: 'invalid' });
    } finally {
      await second.app.close();
      server.close();
    }
  });
});
