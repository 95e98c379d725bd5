/**
 * Shared by the messenger's direct-channel tests (messenger-direct*.spec.ts): two people on a fake
 * WebRTC network with a REAL relay, waiting for their channel, exchanging messages, and the
 * relay's counters that say what it carried.
 */
import type { DirectTiming } from '../../src/messenger/direct/direct-channels';
import type { RelayProcess } from '../net/support/relay-process';
import type { FakeDirectNetwork } from './fake-direct-network';
import { conversationWith, enrolDevice, eventually, texts, type SpecWorld, type TestMessenger } from './support';

export const TIMING: DirectTiming = {
  ackTimeoutMs: 800,
  idleCloseMs: 60_000,
  fileStallMs: 2_000,
  openTimeoutMs: 3_000,
  firstRetryWaitMs: 400,
};

/** A counter of the relay's `/metrics` (its first sample), by a pattern of one capture group. */
export async function relayCounter(relay: RelayProcess, pattern: RegExp): Promise<number> {
  const metrics = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(pattern.exec(metrics)?.[1] ?? 'NaN');
}

export function storedBlobs(relay: RelayProcess): Promise<number> {
  return relayCounter(relay, /^relay_blobs_stored_total (\d+)/m);
}

let serial = 0;

/** A fresh number for the names of a test's people. */
export function nextSerial(): number {
  serial += 1;
  return serial;
}

/** Two people on one fake network, each with a direct conversation that has carried a message each way. */
export async function pairOnNetwork(
  world: SpecWorld,
  network: FakeDirectNetwork,
  options: {
    readonly first?: Parameters<typeof enrolDevice>[3]['tamper'];
    readonly second?: Parameters<typeof enrolDevice>[3]['tamper'];
    readonly timing?: DirectTiming;
    /** The second person's files are fetched on arrival up to this size only. */
    readonly secondAutoDownloadBytes?: number;
  } = {},
): Promise<{ a: TestMessenger; b: TestMessenger; atA: string; atB: string }> {
  const serial = nextSerial();
  const names = [`ann${serial}`, `bob${serial}`];
  const [a, b] = (await Promise.all(
    names.map((name, index) => {
      const tamper = index === 0 ? options.first : options.second;
      return enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
        relayUrl: world.relay.url,
        admin: world.admin,
        direct: network.host(name),
        directTiming: options.timing ?? TIMING,
        ...(tamper ? { tamper } : {}),
        ...(index === 1 && options.secondAutoDownloadBytes !== undefined
          ? { autoDownloadBytes: options.secondAutoDownloadBytes }
          : {}),
      });
    }),
  )) as [TestMessenger, TestMessenger];
  world.devices.push(a, b);
  const atA = await a.api.startDirect(`${b.name}@agency.example`);
  await a.api.send(atA, 'hello over the relay');
  const atB = await conversationWith(b.api, (title) => title === a.name.toUpperCase());
  await eventually(async () => (await texts(b.api, atB)).includes('hello over the relay'), 'first message');
  await b.api.send(atB, 'hello back');
  await eventually(async () => (await texts(a.api, atA)).includes('hello back'), 'first answer');
  return { a, b, atA, atB };
}

export async function pathOf(device: TestMessenger, conversationId: string): Promise<string | undefined> {
  return (await device.api.snapshot()).conversations.find((c) => c.id === conversationId)?.path;
}

/**
 * A channel is offered when a device sends to or hears from the other (direct.md §2): with
 * `nudge`, the device writes until its path is direct.
 */
export async function waitForDirect(device: TestMessenger, conversationId: string, nudge = false): Promise<void> {
  let sent = 0;
  await eventually(async () => {
    if ((await pathOf(device, conversationId)) === 'direct') return true;
    if (nudge && sent < 20) await device.api.send(conversationId, `nudge ${++sent}`);
    if (nudge) await new Promise((resolve) => setTimeout(resolve, 500));
    return false;
  }, `${device.name}: a direct path`);
}

/** Sends and waits until the other side shows it, exactly once. */
export async function exchange(
  from: TestMessenger,
  at: string,
  to: TestMessenger,
  atTo: string,
  text: string,
): Promise<void> {
  await from.api.send(at, text);
  await eventually(async () => (await texts(to.api, atTo)).includes(text), `${from.name} → ${to.name}: ${text}`);
}

export function countOf(list: readonly string[], text: string): number {
  return list.filter((t) => t === text).length;
}
