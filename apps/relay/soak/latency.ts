/** Percentiles of put-to-shown times, and the soak process's own pauses beside them. */
import {
  PerformanceObserver,
  constants,
  monitorEventLoopDelay,
  type IntervalHistogram,
  type PerformanceEntry,
} from 'node:perf_hooks';

export interface LatencySummary {
  readonly samples: number;
  /** Messages of the phase never shown (counted as lost by the ledger when acknowledged). */
  readonly missing: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarise(samples: readonly number[], missing: number): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { samples: sorted.length, missing, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

export interface ProcessDelay {
  /** Event-loop delay, ms. */
  readonly p99: number;
  readonly max: number;
  /** Major (mark-compact) garbage collections of this process, and the longest, ms. */
  readonly majorGcs: number;
  readonly longestGcMs: number;
}

/**
 * The devices share one process: when its event loop is late (a major GC of its heap, say),
 * every latency it measures is late too. Reported beside each phase, so a slow client is not
 * taken for a slow relay.
 */
export class LoopDelay {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  #majorGcs = 0;
  #longestGcMs = 0;
  readonly #gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      this.#majorGcs++;
      this.#longestGcMs = Math.max(this.#longestGcMs, entry.duration);
    }
  });

  start(): void {
    this.#histogram.reset();
    this.#histogram.enable();
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  stop(): ProcessDelay {
    this.#histogram.disable();
    this.#gc.disconnect();
    return {
      p99: this.#histogram.percentile(99) / 1e6,
      max: this.#histogram.max / 1e6,
      majorGcs: this.#majorGcs,
      longestGcMs: this.#longestGcMs,
    };
  }
}
