import type { Redis } from 'ioredis';
import { StoreUnavailableError } from './relay-store';

/** How long a write waits for its replicas before it is refused `unavailable` (relay.md §9.1). */
export const REPLICA_WAIT_MS = 1_000;

/**
 * RELAY_REDIS_MIN_REPLICAS (relay.md §9.1): a write is acknowledged to a client only once that many
 * replicas hold it, so a failover that promotes one of them cannot lose it. Redis WAIT covers every
 * write the primary took on this connection before it, so writes whose replies arrive while a WAIT
 * is in flight share the next one: one WAIT per round trip, not one per write.
 */
export class ReplicaWait {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly minReplicas: number,
    private readonly timeoutMs = REPLICA_WAIT_MS,
  ) {}

  /**
   * Resolves once every write whose reply the caller has seen is on `minReplicas` replicas; throws
   * StoreUnavailableError when they do not all confirm it in time or Redis cannot be asked.
   */
  confirm(): Promise<void> {
    if (this.minReplicas === 0) return Promise.resolve();
    if (this.#queued) return this.#queued;
    const running = this.#running;
    if (!running) return this.#start();
    // The WAIT in flight may have reached the primary before the caller's write: take the next.
    this.#queued = running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#start();
      });
    return this.#queued;
  }

  #start(): Promise<void> {
    const run = this.#wait().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #wait(): Promise<void> {
    let replicas: number;
    try {
      replicas = await this.redis.wait(this.minReplicas, this.timeoutMs);
    } catch (error) {
      throw new StoreUnavailableError(`Redis: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (replicas < this.minReplicas)
      throw new StoreUnavailableError(`Redis: a write reached ${replicas} of ${this.minReplicas} replicas in time`);
  }
}
