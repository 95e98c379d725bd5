/**
 * One device flooding at its limit (issue 17; the device is flood-device.ts, in its own process):
 * the latency of everyone else's messages is measured first with no flood, then with the device
 * flooding in each shape, at the same message rate, with the CPU each part of the system used.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { relayOriginOf } from '@opendescent/protocol';
import type { FloodCounts, FloodShape } from './flood-device';
import { summarise, LoopDelay, type LatencySummary, type ProcessDelay } from './latency';
import type { RelayNodeProcess } from './relay-node-process';
import type { SoakWorld } from './soak-run';
import { runTraffic } from './traffic';

export type { FloodShape };

export interface PhaseLatency {
  readonly phase: string;
  readonly latency: LatencySummary;
  /** The soak process's event-loop delay and major GCs over the phase (its devices share it). */
  readonly loop: ProcessDelay;
  /** Shares of one core over the phase: each relay node, Redis, the soak process, the flooding device, the machine. */
  readonly cpu?: Readonly<Record<string, number>>;
  /**
   * Where the slowest 1% went: in how many distinct seconds they were put (a few: stalls; many:
   * a general slowdown), and how many were put through, and delivered through, each node.
   */
  readonly tail?: {
    readonly seconds: number;
    readonly putThrough: Readonly<Record<string, number>>;
    readonly deliveredThrough: Readonly<Record<string, number>>;
  };
}

export interface FloodResult extends PhaseLatency {
  readonly shape: FloodShape;
  readonly node: string;
  readonly framesPerSecond: number;
  /** Blobs the relay stored (the rest were refused: `refusals`). */
  readonly blobsPerSecond: number;
  readonly refusals: Readonly<Record<string, number>>;
  /** This shape's p99 over the quiet p99. */
  readonly ratio: number;
}

/** Tokens handed to the flooding device: its reading connection, two lanes, and reconnections. */
const FLOOD_TOKENS = 64;
const RAMP_MS = 5_000;

/** The flooding device's process, driven over stdin. */
class FloodProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiters: ((line: string) => void)[] = [];

  constructor() {
    this.#child = spawn(process.execPath, ['-r', './register.cjs', 'soak/flood-device.ts'], {
      cwd: path.resolve(__dirname, '..'),
    });
    this.#child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[flooding device] ${chunk}`));
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#waiters.shift()?.(line));
  }

  async start(world: SoakWorld, node: RelayNodeProcess): Promise<void> {
    const origin = relayOriginOf(node.url);
    for (let i = 0; i < FLOOD_TOKENS; i++)
      this.#child.stdin.write(`token ${Buffer.from(await world.cluster.org.issuer.mint(origin)).toString('hex')}\n`);
    await this.#say(`start ${node.url}`, 'ready');
  }

  async flood(shape: FloodShape): Promise<void> {
    await this.#say(`flood ${shape}`, 'flooding');
  }

  async stop(): Promise<FloodCounts> {
    const reply = await this.#say('stop', 'stopped');
    return JSON.parse(reply.slice('stopped '.length)) as FloodCounts;
  }

  close(): void {
    this.#child.kill('SIGKILL');
  }

  async #say(command: string, expected: string): Promise<string> {
    const reply = new Promise<string>((resolve) => this.#waiters.push(resolve));
    this.#child.stdin.write(`${command}\n`);
    const line = await reply;
    if (!line.startsWith(expected)) throw new Error(`the flooding device answered "${line}" to "${command}"`);
    return line;
  }
}

/** The whole machine's busy CPU time so far, in seconds (Linux /proc/stat; NaN elsewhere). */
function machineBusySeconds(): number {
  try {
    const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number) as number[];
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: /proc/stat counts in hundredths of a second on Linux. */
const CLOCK_TICKS = 100;

/** CPU time so far of each node, Redis (primary and replicas), this process and the whole machine, in seconds. */
async function cpuNow(world: SoakWorld): Promise<Record<string, number>> {
  const nodes = world.cluster.nodes;
  const times = await Promise.all(nodes.map((node) => node.cpuMicros()));
  const { user, system } = process.cpuUsage();
  return {
    ...Object.fromEntries(nodes.map((node, i) => [node.name, (times[i] ?? NaN) / 1e6])),
    'Redis primary and replicas': await world.cluster.redisDataCpuSeconds(),
    'soak process': (user + system) / 1e6,
    'whole machine': machineBusySeconds(),
  };
}

async function measuredPhase(
  world: SoakWorld,
  phase: string,
  rate: number,
  seconds: number,
  groupShare: number,
): Promise<PhaseLatency> {
  // All the devices share this process: a major GC of its heap (the ledger of every message of
  // the run) would stall them all at once and be measured as relay latency. A collection now, when
  // nothing is measured, leaves the phase room enough not to need one (`npm run soak` runs Node
  // with --expose-gc).
  global.gc?.();
  const loop = new LoopDelay();
  loop.start();
  const cpuBefore = await cpuNow(world);
  const started = performance.now();
  await runTraffic(world.devices, { rate, durationMs: seconds * 1000, groupShare, phase });
  const cpuAfter = await cpuNow(world);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = Object.fromEntries(
    Object.entries(cpuAfter).map(([name, after]) => [name, (after - (cpuBefore[name] ?? NaN)) / elapsed]),
  );
  const loopDelay = loop.stop();
  await Promise.all(world.devices.map((device) => device.outbox.drained()));
  const deadline = performance.now() + 30_000;
  while (world.ledger.outstanding(phase) > 0 && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const { samples, missing } = world.ledger.latencies(phase);
  const slowest = world.ledger.slowest(phase, 0.01);
  const nodeOf = (device: number) => world.devices[device]?.url;
  const names = new Map(world.cluster.nodes.map((node) => [node.url, node.name]));
  const count = (pick: (s: (typeof slowest)[number]) => number) => {
    const counts: Record<string, number> = {};
    for (const s of slowest) {
      const name = names.get(nodeOf(pick(s)) ?? '') ?? '?';
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };
  const tail = {
    seconds: new Set(slowest.map((s) => Math.floor(s.atS))).size,
    putThrough: count((s) => s.from),
    deliveredThrough: count((s) => s.to),
  };
  return { phase, latency: summarise(samples, missing), loop: loopDelay, cpu, tail };
}

export interface FloodOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly groupShare: number;
  readonly shapes: readonly FloodShape[];
  /** The node the flooding device connects to. */
  readonly node: RelayNodeProcess;
  readonly onPhase?: (phase: string) => void;
}

/** The quiet phase, then one phase per flood shape. */
export async function floodPhases(
  world: SoakWorld,
  options: FloodOptions,
): Promise<{ quiet: PhaseLatency; floods: FloodResult[] }> {
  const flooder = new FloodProcess();
  try {
    await flooder.start(world, options.node);
    options.onPhase?.('quiet');
    const quiet = await measuredPhase(world, 'quiet', options.rate, options.seconds, options.groupShare);
    console.log(`  quiet: p50 ${quiet.latency.p50.toFixed(1)} ms, p99 ${quiet.latency.p99.toFixed(1)} ms`);
    const floods: FloodResult[] = [];
    for (const shape of options.shapes) {
      const phase = `flood:${shape}`;
      options.onPhase?.(phase);
      await flooder.flood(shape);
      // Let the flood reach its steady rate (the pacer's burst spent) before measuring.
      await new Promise((resolve) => setTimeout(resolve, RAMP_MS));
      const measured = await measuredPhase(world, phase, options.rate, options.seconds, options.groupShare);
      const counts = await flooder.stop();
      // The ramp is in the counts: rates are over the whole flood.
      const result: FloodResult = {
        ...measured,
        cpu: { ...measured.cpu, 'flooding device': counts.cpuSeconds / counts.seconds },
        shape,
        node: options.node.name,
        framesPerSecond: counts.frames / counts.seconds,
        blobsPerSecond: counts.blobs / counts.seconds,
        refusals: counts.refusals,
        ratio: measured.latency.p99 / quiet.latency.p99,
      };
      floods.push(result);
      console.log(
        `  ${phase} (${Math.round(result.framesPerSecond)} frames/s, ${Math.round(result.blobsPerSecond)} blobs/s): p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ${result.ratio.toFixed(2)}× quiet`,
      );
      // The flooding device's queue drains before the next phase.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    return { quiet, floods };
  } finally {
    flooder.close();
  }
}
