/**
 * The faults injected while the soak's traffic runs, each at a share of the messages made: a
 * relay node drained (SIGTERM) or crashed (SIGKILL) and started again on its port, the Redis
 * primary SIGKILLed so the sentinels promote a replica (relay.md §9.1). Alongside, every few
 * seconds a few devices lose every connection at once and come back after up to three seconds.
 * Faults run one after another, never two at once, and each is logged with its time.
 */
import { performance } from 'node:perf_hooks';
import type { SoakCluster } from './soak-cluster';
import type { SoakDevice } from './soak-device';

export type Fault =
  | { readonly at: number; readonly kind: 'restart'; readonly node: number; readonly signal: 'SIGTERM' | 'SIGKILL' }
  | { readonly at: number; readonly kind: 'failover' };

export interface ChaosEvent {
  /** Seconds on the run's clock when the fault was over. */
  readonly t: number;
  readonly what: string;
  readonly ms?: number;
}

export interface DropPlan {
  readonly everyMs: number;
  readonly devicesPerRound: number;
  readonly maxDownMs: number;
}

/** How long a stopped node stays down before it is started again. */
const NODE_DOWN_MS = 1_000;

export class ChaosSchedule {
  readonly events: ChaosEvent[] = [];
  /** Device drops so far, and the distinct devices dropped. */
  drops = 0;
  readonly droppedDevices = new Set<number>();
  readonly #pending: Fault[];
  #running: Promise<void> = Promise.resolve();
  #dropTimer: ReturnType<typeof setInterval> | undefined;
  #failure: unknown;

  /** `secondsNow`: the run's clock, shared with the ledger, so a fault and a late message line up. */
  constructor(
    private readonly cluster: SoakCluster,
    faults: readonly Fault[],
    private readonly secondsNow: () => number,
  ) {
    this.#pending = [...faults].sort((a, b) => a.at - b.at);
  }

  /** Starts the faults due at this share of the traffic, in the background. */
  progress(fraction: number): void {
    while (this.#pending.length > 0 && (this.#pending[0] as Fault).at <= fraction) {
      const fault = this.#pending.shift() as Fault;
      this.#running = this.#running
        .then(() => this.#inject(fault))
        .catch((error: unknown) => {
          this.#failure ??= error;
        });
    }
  }

  startDrops(devices: readonly SoakDevice[], plan: DropPlan): void {
    this.#dropTimer = setInterval(() => {
      for (let i = 0; i < plan.devicesPerRound; i++) {
        const device = devices[Math.floor(Math.random() * devices.length)] as SoakDevice;
        if (device.client.status !== 'online') continue;
        device.drop(200 + Math.random() * (plan.maxDownMs - 200));
        this.drops++;
        this.droppedDevices.add(device.index);
      }
    }, plan.everyMs);
  }

  stopDrops(): void {
    clearInterval(this.#dropTimer);
  }

  /** Resolves once every fault started has finished; rejects with the first that failed. */
  async settled(): Promise<void> {
    this.progress(Number.POSITIVE_INFINITY);
    await this.#running;
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #inject(fault: Fault): Promise<void> {
    const started = performance.now();
    if (fault.kind === 'failover') {
      const record = await this.cluster.failOver();
      this.#log(`Redis primary :${record.oldPrimary} SIGKILLed; sentinels promoted :${record.newPrimary}`, record.ms);
      return;
    }
    const name = this.cluster.nodes[fault.node]?.name ?? `node ${fault.node}`;
    await this.cluster.restartNode(fault.node, fault.signal, NODE_DOWN_MS);
    this.#log(`${name} ${fault.signal}, down ${NODE_DOWN_MS} ms, started again`, performance.now() - started);
  }

  #log(what: string, ms: number): void {
    const t = this.secondsNow();
    this.events.push({ t, what, ms: Math.round(ms) });
    console.log(`  [${t.toFixed(1)} s] ${what} (${Math.round(ms)} ms)`);
  }
}
