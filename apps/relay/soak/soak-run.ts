/**
 * The soak itself, shared by `npm run soak` (soak.ts) and its small-scale test
 * (test/e2e/soak.spec.ts): devices made, given contacts and sessions, spread over the relay
 * nodes; then the traffic, with the faults injected along it; then the drain and a last fetch of
 * every queue; the ledger then says what was lost, shown twice or shown out of order.
 */
import { performance } from 'node:perf_hooks';
import { relayOriginOf } from '@opendescent/protocol';
import { ChaosSchedule, type ChaosEvent, type DropPlan, type Fault } from './chaos-schedule';
import { PlainPayloads, RatchetSessions, type SoakCipher } from './pairwise-sessions';
import type { SoakCluster } from './soak-cluster';
import { SoakDevice } from './soak-device';
import { SoakLedger } from './soak-ledger';
import { RefusalLog } from './soak-outbox';
import { runTraffic } from './traffic';

export interface WorldOptions {
  readonly devices: number;
  /** Contacts per device (even: each pair of contacts is one offset of the ring). */
  readonly contacts: number;
  readonly encrypt: boolean;
}

export interface SoakPhaseOptions {
  readonly messages: number;
  readonly rate: number;
  readonly groupShare: number;
  readonly faults: readonly Fault[];
  readonly drops: DropPlan;
  readonly drainTimeoutMs: number;
  /** The drain stops waiting for live pushes once none has arrived for this long. */
  readonly quietMs: number;
  /** Told the phase's progress (the memory sampler's phase name, say). */
  readonly onProgress?: (fraction: number) => void;
}

export interface SoakWorld {
  readonly cluster: SoakCluster;
  readonly devices: readonly SoakDevice[];
  readonly ledger: SoakLedger;
  readonly refusals: RefusalLog;
  readonly cipher: SoakCipher;
  readonly pairs: number;
  readonly setupSeconds: number;
}

export interface SoakPhaseResult {
  readonly messages: number;
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly chaos: readonly ChaosEvent[];
  readonly drops: number;
  readonly devicesDropped: number;
  /** Acknowledged and not shown when the drain ended: each found by the last fetch, or lost. */
  readonly awaitingLastFetch: number;
  readonly drainSeconds: number;
}

/** Ring offsets for the contact graph: mixing odd and even, so with two nodes half the pairs cross them. */
const OFFSETS = [1, 2, 7, 50, 13, 24, 31, 88];

/** Pairs [a, b], a < b: device i is paired with i ± each offset (mod n). */
export function contactPairs(devices: number, contacts: number): [number, number][] {
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  for (const offset of OFFSETS.slice(0, Math.ceil(contacts / 2))) {
    if (offset >= devices) continue;
    for (let i = 0; i < devices; i++) {
      const j = (i + offset) % devices;
      const pair: [number, number] = i < j ? [i, j] : [j, i];
      const key = `${pair[0]}:${pair[1]}`;
      if (pair[0] === pair[1] || seen.has(key)) continue;
      seen.add(key);
      pairs.push(pair);
    }
  }
  return pairs;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export async function openWorld(cluster: SoakCluster, options: WorldOptions): Promise<SoakWorld> {
  const started = performance.now();
  const pairs = contactPairs(options.devices, options.contacts);
  const cipher: SoakCipher = options.encrypt
    ? await RatchetSessions.establish(options.devices, pairs)
    : new PlainPayloads();
  const ledger = new SoakLedger();
  const refusals = new RefusalLog(() => ledger.secondsOf(performance.now()));
  const urls = cluster.nodes.map((node) => node.url);
  const make = (index: number) => {
    // Spread over the nodes; every (re)connection of the device redeems a fresh token for its node.
    const url = urls[index % urls.length] as string;
    const origin = relayOriginOf(url);
    return new SoakDevice(index, url, () => cluster.org.issuer.mint(origin), cipher, ledger, refusals);
  };
  const devices = Array.from({ length: options.devices }, (_, i) => make(i));
  const peersOf = new Map<number, number[]>();
  for (const [a, b] of pairs) {
    peersOf.set(a, [...(peersOf.get(a) ?? []), b]);
    peersOf.set(b, [...(peersOf.get(b) ?? []), a]);
  }
  // Each device makes one queue per contact and hands its sender id to that contact.
  await inBatches(devices, 25, async (device) => {
    const senderIds = await device.open(peersOf.get(device.index) ?? []);
    for (const [peer, senderId] of senderIds) devices[peer]?.writesTo(device.index, senderId);
  });
  return {
    cluster,
    devices,
    ledger,
    refusals,
    cipher,
    pairs: pairs.length,
    setupSeconds: (performance.now() - started) / 1000,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, stableMs = 0): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (condition()) return true;
    await sleep(stableMs > 0 ? Math.min(stableMs, 200) : 100);
  }
  return condition();
}

/** The traffic with its faults, then the drain; `phase` names the ledger's records. */
export async function runSoakPhase(
  world: SoakWorld,
  options: SoakPhaseOptions,
  phase = 'soak',
): Promise<SoakPhaseResult> {
  const chaos = new ChaosSchedule(world.cluster, options.faults, () => world.ledger.secondsOf(performance.now()));
  const started = performance.now();
  chaos.startDrops(world.devices, options.drops);
  let made = 0;
  try {
    made = await runTraffic(world.devices, {
      rate: options.rate,
      total: options.messages,
      groupShare: options.groupShare,
      phase,
      onProgress: (fraction) => {
        chaos.progress(fraction);
        options.onProgress?.(fraction);
      },
    });
  } finally {
    chaos.stopDrops();
  }
  const trafficSeconds = (performance.now() - started) / 1000;
  await chaos.settled();
  const drainStarted = performance.now();
  await Promise.all(world.devices.map((device) => device.online(options.drainTimeoutMs)));
  await Promise.race([
    Promise.all(world.devices.map((device) => device.outbox.drained())),
    sleep(options.drainTimeoutMs),
  ]);
  // Live pushes still on their way; stop waiting once nothing has arrived for a few seconds.
  let last = world.ledger.outstanding(phase);
  let quietSince = performance.now();
  await until(() => {
    const now = world.ledger.outstanding(phase);
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
    return now === 0 || performance.now() - quietSince > options.quietMs;
  }, options.drainTimeoutMs);
  const awaitingLastFetch = world.ledger.outstanding(phase);
  // What each device's next reconnection would fetch (relay.md §9.1: a live push lost in a failover).
  await Promise.all(world.devices.map((device) => device.catchUp('final-fetch')));
  return {
    messages: made,
    seconds: trafficSeconds,
    ratePerSecond: made / trafficSeconds,
    chaos: chaos.events,
    drops: chaos.drops,
    devicesDropped: chaos.droppedDevices.size,
    awaitingLastFetch,
    drainSeconds: (performance.now() - drainStarted) / 1000,
  };
}

export function closeWorld(world: SoakWorld): void {
  for (const device of world.devices) device.stop();
}
