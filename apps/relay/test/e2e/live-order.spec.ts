/**
 * relay.md §5.4: pushes follow the queue's order. Two relay nodes on one Redis; one sender on
 * each puts numbered blobs into one queue, one after the other, while its reader subscribes (and
 * subscribes again) in the middle of them. Every blob must be pushed at least once, and no blob
 * for the first time before an older one. Before live-delivery.ts, the room was joined before the
 * pending blobs were read, and a blob put meanwhile was pushed ahead of them. Runs when REDIS_URL
 * is set (CI sets it).
 */
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import {
  RelayClient,
  blobOf,
  newOrg,
  relayConfig,
  textOf,
  type TestDevice,
  type TestOrg,
} from '../support/relay-client';

const NAME = 'relay.test:8443';
const deviceFor = (org: TestOrg): TestDevice => ({ issuer: org.issuer, token: () => org.issuer.mint(NAME) });

/** The numbers of the blobs pushed, each at its first push, in the order they came. */
function firstPushes(client: RelayClient): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  for (const delivery of client.deliveries) {
    const n = Number(textOf(delivery.blob));
    if (!seen.has(n)) order.push(n);
    seen.add(n);
  }
  return order;
}

describeWithRedis('live pushes in queue order, across two nodes', () => {
  let org: TestOrg;
  let nodes: RunningRelay[];
  const prefix = testPrefix();
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    org = await newOrg();
    const config = relayConfig(org, {
      RELAY_STORE: 'redis',
      REDIS_URL: REDIS_URL as string,
      RELAY_REDIS_PREFIX: prefix,
      RELAY_TOKEN_ORIGINS: NAME,
    });
    nodes = [await startRelay(config), await startRelay(config)];
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.app.close()));
    await deleteKeys(prefix);
  });

  async function signedIn(node: RunningRelay): Promise<RelayClient> {
    const client = await RelayClient.signedIn(node.url, deviceFor(org));
    clients.push(client);
    return client;
  }

  it.each([0, 1])(
    'a reader on node %i subscribing while blobs are put on both nodes is pushed each, never before an older one',
    async (readerNode) => {
      const reader = await signedIn(nodes[readerNode] as RunningRelay);
      const senders = [await signedIn(nodes[0] as RunningRelay), await signedIn(nodes[1] as RunningRelay)];
      const queue = await reader.createQueue();
      const total = 300;
      let put = 0;
      const putting = (async () => {
        // One at a time, alternating nodes, as a sender whose outbox waits for each answer.
        for (; put < total; put++) {
          const reply = await (senders[put % 2] as RelayClient).put(queue.senderId, blobOf(String(put)));
          expect(reply.ok).toBe(true);
        }
      })();
      // Subscribe three times while the puts go on: each catch-up races them.
      for (const at of [40, 120, 200]) {
        await reader.until(() => put >= at, 20_000);
        expect((await reader.subscribe(queue)).ok).toBe(true);
      }
      await putting;
      await reader.until(() => new Set(reader.deliveries.map((d) => textOf(d.blob))).size === total, 20_000);
      expect(firstPushes(reader)).toEqual(Array.from({ length: total }, (_, n) => n));
    },
    60_000,
  );
});
