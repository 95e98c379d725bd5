/**
 * `npm run soak` (issue 17, "Soak and flood"): simulated devices speaking the real relay protocol,
 * spread over two relay nodes on Redis behind Sentinel. First the others' latency is measured
 * without and with one device flooding at its rate limit; then the devices exchange messages
 * while the nodes are restarted, the Redis primary fails over and devices drop and reconnect;
 * then one node's capacity. Writes
 * bench-results/soak.{json,md} and exits non-zero when a requirement is not met. Not part of
 * npm test (test/e2e/soak.spec.ts runs the same soak at a small scale).
 *
 * Knobs (environment): SOAK_DEVICES (200), SOAK_MESSAGES (100000), SOAK_RATE (messages/s, 400),
 * SOAK_CONTACTS (8), SOAK_ENCRYPT (1), SOAK_QUIET_RATE (100), SOAK_FLOOD_SECONDS (30; 0 skips
 * the flood), SOAK_CAPACITY (1; 0 skips it), SOAK_IDLE_DEVICES (1000).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { deviceMemory, nodeThroughput, type DeviceMemoryResult, type ThroughputResult } from './capacity';
import type { Fault } from './chaos-schedule';
import { floodPhases, type FloodResult, type PhaseLatency } from './flood';
import { LoopDelay, summarise } from './latency';
import { MemorySampler, nodeTrend } from './memory-trend';
import { SoakCluster } from './soak-cluster';
import {
  FLOOD_RATIO_LIMIT,
  machine,
  nodeLogs,
  redisSummary,
  refusalTable,
  writeSoakReport,
  type SoakSettings,
} from './soak-report';
import { closeWorld, openWorld, runSoakPhase } from './soak-run';
import { staffEstimate } from './staff-estimate';

/** A whole-number knob from the environment: `fallback` when unset, an error when out of range. */
function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

const settings: SoakSettings = {
  devices: numberFromEnv('SOAK_DEVICES', 200, 4, 5_000),
  contacts: numberFromEnv('SOAK_CONTACTS', 8, 2, 16),
  messages: numberFromEnv('SOAK_MESSAGES', 100_000, 50, 10_000_000),
  rate: numberFromEnv('SOAK_RATE', 400, 1, 100_000),
  groupShare: 0.1,
  encrypt: numberFromEnv('SOAK_ENCRYPT', 1, 0, 1) === 1,
  quietRate: numberFromEnv('SOAK_QUIET_RATE', 100, 1, 100_000),
  floodSeconds: numberFromEnv('SOAK_FLOOD_SECONDS', 30, 0, 3_600),
  minReplicas: 1,
  nodes: 2,
};
const CAPACITY = numberFromEnv('SOAK_CAPACITY', 1, 0, 1) === 1;
const IDLE_DEVICES = numberFromEnv('SOAK_IDLE_DEVICES', 1_000, 10, 100_000);
const CAPACITY_CONNECTIONS = 200;
const CAPACITY_SECONDS = 10;
const SAMPLE_MS = 5_000;

/** Node A drained, the primary killed, node B crashed: all in the first quarter, so the rest shows memory at rest. */
const FAULTS: Fault[] = [
  { at: 0.05, kind: 'restart', node: 0, signal: 'SIGTERM' },
  { at: 0.15, kind: 'failover' },
  { at: 0.25, kind: 'restart', node: 1, signal: 'SIGKILL' },
];

/** Which relay code ran: the commit, and the files under it changed since (the soak runs the working tree). */
function codeMeasured(): { commit: string; changed: string[] } {
  const git = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const changed = git(['status', '--porcelain', '--', 'apps/relay/src', 'libs']).split('\n').filter(Boolean);
    return { commit: git(['rev-parse', 'HEAD']), changed: changed.map((line) => line.slice(3)) };
  } catch {
    return { commit: 'unknown', changed: [] };
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const code = codeMeasured();
  console.log(`soak: ${JSON.stringify(settings)}; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const cluster = await SoakCluster.start(settings.nodes, settings.minReplicas);
  const sampler = new MemorySampler(cluster);
  sampler.start(SAMPLE_MS);
  try {
    const world = await openWorld(cluster, {
      devices: settings.devices,
      contacts: settings.contacts,
      encrypt: settings.encrypt,
    });
    console.log(
      `${world.devices.length} devices, ${world.pairs} pairs of contacts, ready in ${world.setupSeconds.toFixed(1)} s`,
    );
    // The flood first, while the soak process holds little: its own GC pauses then stay out of the
    // latency it measures (the soak's ledger of every message comes after).
    let quiet: PhaseLatency | undefined;
    let floods: FloodResult[] = [];
    if (settings.floodSeconds > 0) {
      ({ quiet, floods } = await floodPhases(world, {
        rate: settings.quietRate,
        seconds: settings.floodSeconds,
        groupShare: settings.groupShare,
        shapes: ['put', 'put_many'],
        node: cluster.nodes[0] as (typeof cluster.nodes)[number],
        onPhase: (phase) => {
          sampler.phase = phase;
          sampler.noPause = true;
        },
      }));
      sampler.noPause = false;
    }
    sampler.phase = 'soak';
    const soakLoop = new LoopDelay();
    soakLoop.start();
    const soak = await runSoakPhase(world, {
      messages: settings.messages,
      rate: settings.rate,
      groupShare: settings.groupShare,
      faults: FAULTS,
      drops: { everyMs: 3_000, devicesPerRound: 3, maxDownMs: 3_000 },
      drainTimeoutMs: 60_000,
      quietMs: 5_000,
      onProgress: (fraction) => {
        if (fraction >= 1) sampler.phase = 'drain';
      },
    });
    const soakLatency: PhaseLatency = {
      phase: 'soak',
      latency: (({ samples, missing }) => summarise(samples, missing))(world.ledger.latencies('soak')),
      loop: soakLoop.stop(),
    };
    console.log(
      `soak: ${soak.messages} messages in ${soak.seconds.toFixed(0)} s; drained in ${soak.drainSeconds.toFixed(0)} s`,
    );
    const verdict = world.ledger.verdict();
    let throughput: ThroughputResult | undefined;
    let memoryPerDevice: DeviceMemoryResult | undefined;
    if (CAPACITY) {
      sampler.phase = 'capacity';
      const node = cluster.nodes[0] as (typeof cluster.nodes)[number];
      throughput = await nodeThroughput(cluster, node, CAPACITY_CONNECTIONS, CAPACITY_SECONDS);
      console.log(`capacity: ${Math.round(throughput.messagesPerSecond)} messages/s on ${node.name}`);
      // On the other node, whose memory neither the flood nor the throughput loop has touched.
      const other = cluster.nodes[1] as (typeof cluster.nodes)[number];
      memoryPerDevice = await deviceMemory(cluster, other, IDLE_DEVICES, settings.contacts);
      console.log(
        `capacity: ${(memoryPerDevice.rssBytesPerDevice / 1024).toFixed(1)} KiB RSS, ${(memoryPerDevice.heapBytesPerDevice / 1024).toFixed(1)} KiB heap per connected device on ${other.name}`,
      );
    }
    sampler.stop();
    await sampler.sample();
    const memory = cluster.nodes.map((node) => nodeTrend(sampler.nodeSamples, node.name, 'soak'));
    const requirements = {
      delivery: verdict.passed,
      flood: quiet !== undefined && floods.length > 0 && floods.every((f) => f.ratio <= FLOOD_RATIO_LIMIT),
      memory: memory.every((m) => m.flat),
    };
    const passed = Object.values(requirements).every(Boolean);
    closeWorld(world);
    const markdown = writeSoakReport({
      measuredAt: new Date().toISOString(),
      machine: machine(),
      loadBefore,
      runSeconds: (performance.now() - started) / 1000,
      sampleSeconds: SAMPLE_MS / 1000,
      soakHeapBytes: process.memoryUsage().heapUsed,
      code,
      settings,
      setupSeconds: world.setupSeconds,
      soak,
      verdict,
      refusals: refusalTable(world.refusals),
      restarts: cluster.restarts,
      failovers: cluster.failovers,
      soakLatency,
      ...(quiet ? { quiet } : {}),
      floods,
      memory,
      redis: redisSummary(sampler.redisSamples),
      nodeLogs: nodeLogs(world),
      ...(throughput ? { throughput } : {}),
      ...(memoryPerDevice ? { deviceMemory: memoryPerDevice } : {}),
      ...(throughput && memoryPerDevice ? { staff: staffEstimate(throughput, memoryPerDevice) } : {}),
      requirements,
      passed,
    });
    console.log(`\n${markdown}\nwritten to bench-results/soak.{json,md}`);
    return passed ? 0 : 1;
  } finally {
    sampler.stop();
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
