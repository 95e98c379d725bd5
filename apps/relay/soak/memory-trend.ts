/**
 * Each relay node's memory over the soak (after a full GC in the node, so a sample is what is
 * live, not what the collector has not yet reclaimed) and the Redis primary's, sampled at a fixed
 * interval with the phase it fell in. A node's restarts split its samples into incarnations.
 *
 * "Flat" is judged on each node's last incarnation over the steady part of the soak phase (its
 * first fifth left out as warm-up): the mean of the last quarter of the samples against the mean
 * of the first quarter, for RSS and heap. Flat when neither grew by more than FLAT_SHARE plus
 * FLAT_SLACK_BYTES (the allocator's granularity: a few MiB come and go with no leak). The
 * least-squares slope is reported beside it.
 */
import { performance } from 'node:perf_hooks';
import type { SoakCluster } from './soak-cluster';

export const FLAT_SHARE = 0.1;
export const FLAT_SLACK_BYTES = 4 * 1024 * 1024;
const WARM_UP_SHARE = 0.2;

export interface MemorySample {
  /** Seconds since sampling started. */
  readonly t: number;
  readonly phase: string;
  readonly node: string;
  readonly incarnation: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** Sampled after a full GC (false: as it was, in a latency phase). */
  readonly collected: boolean;
}

export interface RedisSample {
  readonly t: number;
  readonly phase: string;
  readonly usedMemory: number;
}

export interface NodeTrend {
  readonly node: string;
  readonly incarnations: number;
  readonly startRss: number;
  readonly endRss: number;
  readonly peakRss: number;
  /** Over the steady window of the soak phase: */
  readonly window: { readonly fromS: number; readonly toS: number; readonly samples: number };
  readonly firstQuarter: { readonly rss: number; readonly heapUsed: number };
  readonly lastQuarter: { readonly rss: number; readonly heapUsed: number };
  readonly rssSlopeMiBPerMin: number;
  readonly heapSlopeMiBPerMin: number;
  readonly flat: boolean;
}

export class MemorySampler {
  readonly nodeSamples: MemorySample[] = [];
  readonly redisSamples: RedisSample[] = [];
  phase = 'setup';
  /** While set, nodes are sampled without a full GC (its pause would show in the latency measured). */
  noPause = false;
  readonly #started = performance.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(private readonly cluster: SoakCluster) {}

  start(everyMs: number): void {
    const tick = async () => {
      await this.sample();
      if (!this.#stopped) this.#timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
  }

  async sample(): Promise<void> {
    const t = Math.round((performance.now() - this.#started) / 100) / 10;
    const phase = this.phase;
    await Promise.all(
      this.cluster.nodes.map(async (node) => {
        const incarnation = node.incarnations;
        const collected = !this.noPause;
        const memory = await node.memory(collected);
        if (memory) this.nodeSamples.push({ t, phase, node: node.name, incarnation, collected, ...memory });
      }),
    );
    const redis = await this.cluster.redisInfo();
    if (redis) this.redisSamples.push({ t, phase, usedMemory: redis.usedMemory });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const MiB = 1024 * 1024;

/** Least-squares slope of value over t, in MiB per minute. */
function slope(points: readonly { t: number; value: number }[]): number {
  if (points.length < 2) return 0;
  const mt = mean(points.map((p) => p.t));
  const mv = mean(points.map((p) => p.value));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.value - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : ((num / den) * 60) / MiB;
}

export function nodeTrend(samples: readonly MemorySample[], node: string, steadyPhase: string): NodeTrend {
  const all = samples.filter((s) => s.node === node);
  const last = Math.max(...all.map((s) => s.incarnation));
  const life = all.filter((s) => s.incarnation === last && s.phase === steadyPhase);
  const steady = life.slice(Math.floor(life.length * WARM_UP_SHARE));
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const first = steady.slice(0, quarter);
  const lastQ = steady.slice(-quarter);
  const firstQuarter = { rss: mean(first.map((s) => s.rss)), heapUsed: mean(first.map((s) => s.heapUsed)) };
  const lastQuarter = { rss: mean(lastQ.map((s) => s.rss)), heapUsed: mean(lastQ.map((s) => s.heapUsed)) };
  const grewTooMuch = (from: number, to: number) => to > from * (1 + FLAT_SHARE) + FLAT_SLACK_BYTES;
  return {
    node,
    incarnations: last,
    startRss: all[0]?.rss ?? NaN,
    endRss: all[all.length - 1]?.rss ?? NaN,
    peakRss: Math.max(...all.map((s) => s.rss)),
    window: { fromS: steady[0]?.t ?? NaN, toS: steady[steady.length - 1]?.t ?? NaN, samples: steady.length },
    firstQuarter,
    lastQuarter,
    rssSlopeMiBPerMin: slope(steady.map((s) => ({ t: s.t, value: s.rss }))),
    heapSlopeMiBPerMin: slope(steady.map((s) => ({ t: s.t, value: s.heapUsed }))),
    flat:
      steady.length >= 4 &&
      !grewTooMuch(firstQuarter.rss, lastQuarter.rss) &&
      !grewTooMuch(firstQuarter.heapUsed, lastQuarter.heapUsed),
  };
}
