/**
 * A5, a hostile client: thousands of random and mutated frames, random events and argument
 * shapes. The relay answers each with an error code (or drops the connection for a transport
 * violation), keeps serving a well-behaved client, never crashes, and its memory stays bounded.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import fc from 'fast-check';
import { RELAY_COMMANDS, decodeRelayReply, encodePut, encodePutMany, encodeSubscribe } from '@opendescent/protocol';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import {
  RelayClient,
  blobOf,
  generateEd25519KeyPair,
  newDevice,
  newOrg,
  relayConfig,
  textOf,
  type TestOrg,
} from '../support/relay-client';

/**
 * A full collection before each heap reading, so the comparison is of what is kept, not of garbage
 * not yet collected (whose amount depends on when V8 last ran, and on what else the process did:
 * with two Jest workers it swung past the bound). `--expose-gc` is set at run time and `gc` taken
 * from a fresh context, as Node documents for setFlagsFromString.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

let org: TestOrg;
let relay: RunningRelay;

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_MAX_FRAME_BYTES: String(64 * 1024) }));
});
afterAll(async () => {
  await relay.app.close();
});

const events = [...Object.keys(RELAY_COMMANDS), 'unknown', 'constructor', '__proto__', 'toString', 'x'.repeat(300)];

async function seeds(): Promise<Uint8Array[]> {
  const key = await generateEd25519KeyPair();
  const challenge = new Uint8Array(32);
  return [
    encodePut({ requestId: 1, senderId: new Uint8Array(16), blob: blobOf('seed') }),
    encodePutMany({
      requestId: 2,
      entries: [
        { senderId: new Uint8Array(16), blob: blobOf('a') },
        { senderId: new Uint8Array(16), blob: blobOf('b') },
      ],
    }),
    await encodeSubscribe({ requestId: 3, recipientId: new Uint8Array(16) }, { challenge, key: key.privateKey }),
  ];
}

function mutate(seed: Uint8Array, flips: [number, number][], cut: number): Uint8Array {
  const bytes = seed.slice(0, Math.max(1, Math.min(seed.length, cut)));
  for (const [at, value] of flips) bytes[at % bytes.length] = value;
  return bytes;
}

async function openAttacker(): Promise<Socket> {
  const socket = io(relay.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once('challenge', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('fuzzing the relay', () => {
  it('survives thousands of random and mutated frames while serving a well-behaved client, with bounded memory', async () => {
    const seedFrames = await seeds();
    const device = await newDevice(org);
    const good = await RelayClient.signedIn(relay.url, device);
    const attacker = await RelayClient.signedIn(relay.url, await newDevice(org));
    const queue = await good.createQueue();
    await good.subscribe(queue);

    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc
        .tuple(
          fc.constantFrom(...seedFrames),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          fc.nat(400),
        )
        .map(([s, f, c]) => mutate(s, f, c)),
    );
    const argument = fc.oneof(
      { weight: 6, arbitrary: frame },
      { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
    const sample = fc.sample(fc.tuple(fc.constantFrom(...events), fc.array(argument, { minLength: 0, maxLength: 2 })), {
      numRuns: 4000,
      seed: 20261101,
    });

    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    let attackerSocket = attacker.socket;
    let replies = 0;
    let reconnects = 0;
    let served = 0;
    for (let i = 0; i < sample.length; i++) {
      const [event, args] = sample[i] as [string, unknown[]];
      if (attackerSocket.disconnected) {
        attackerSocket = await openAttacker();
        reconnects++;
      }
      // Some frames go with an acknowledgement, some without: both paths are exercised.
      if (i % 2 === 0) {
        attackerSocket.emit(event, ...args);
      } else {
        const reply = await attackerSocket
          .timeout(2000)
          .emitWithAck(event, ...args)
          .catch(() => undefined);
        if (reply !== undefined) {
          const decoded = decodeRelayReply(reply);
          expect(decoded.ok).toBe(false); // nothing random succeeds: unauthenticated or malformed or auth
          replies++;
        }
      }
      if (i % 500 === 0) {
        // The well-behaved client is served throughout.
        const text = `still here ${i}`;
        expect((await good.put(queue.senderId, blobOf(text))).ok).toBe(true);
        await good.until(() => good.deliveries.some((d) => textOf(d.blob) === text));
        served++;
      }
    }
    // Large frames too: just under and over the transport ceiling.
    for (const size of [60 * 1024, 80 * 1024]) {
      if (attackerSocket.disconnected) attackerSocket = await openAttacker();
      attackerSocket.emit('put', new Uint8Array(randomBytes(size)));
    }
    const final = 'after the storm';
    expect((await good.put(queue.senderId, blobOf(final))).ok).toBe(true);
    await good.until(() => good.deliveries.some((d) => textOf(d.blob) === final));
    attackerSocket.close();
    good.close();

    expect(replies).toBeGreaterThan(1000);
    expect(served).toBe(8);
    collectGarbage();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    // Nothing an attacker sent is kept: heap growth stays small (the test's own arrays included).
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    // The relay's own bookkeeping holds only the live connections.
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/relay_connections [0-9]\b/);
    void reconnects;
  }, 60_000);
});
