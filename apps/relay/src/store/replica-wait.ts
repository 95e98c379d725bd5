import type { Redis } from 'ioredis';
import { StoreUnavailableError } from './relay-store';

/** How long a write waits for its replicas before it is refused `unavailable` (relay.md §9.1). */
export const REPLICA_WAIT_MS = 1_000;

/**
 * RELAY_REDIS_MIN_REPLICAS (relay.md §9.1): a write is acknowledged to a client only once that many
 * replicas hold it, so a failover that promotes one of them cannot lose it. Redis WAIT covers every
 * write the primary took on this connection before it, so writes whose replies arrive while a WAIT
 * is in flight share the next one: one WAIT per round trip, not one per write.
 *
 * WAIT only speaks for its own connection. ioredis reconnects by itself, through sentinels to
 * whichever node they now name, so a WAIT sent after a reconnect asks another server about writes
 * it may never have had (a primary demoted in a failover takes its last writes with it). Each
 * connection therefore gets a number; a write is confirmed only by a WAIT answered on the
 * connection that answered the write.
 */
export class ReplicaWait {
  #connection = 0;
  #running: Promise<number> | undefined;
  #queued: Promise<number> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly minReplicas: number,
    private readonly timeoutMs = REPLICA_WAIT_MS,
  ) {
    redis.on('connect', () => (this.#connection += 1));
  }

  /**
   * Call as soon as a write's reply is in (the connection that answered it is the one now open).
   * Resolves once every write whose reply the caller has seen is on `minReplicas` replicas; throws
   * StoreUnavailableError when they do not all confirm it in time, when Redis cannot be asked, or
   * when the connection changed in between (the write may be lost).
   */
  async confirm(): Promise<void> {
    const writtenOn = this.#connection;
    if (this.minReplicas === 0) return;
    const answeredOn = await this.#next();
    if (answeredOn !== writtenOn)
      throw new StoreUnavailableError('Redis: reconnected before the write was confirmed on a replica');
  }

  #next(): Promise<number> {
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

  #start(): Promise<number> {
    const run = this.#wait().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  /** Sends one WAIT; resolves with the number of the connection that answered it. */
  async #wait(): Promise<number> {
    let replicas: number;
    try {
      replicas = await this.redis.wait(this.minReplicas, this.timeoutMs);
    } catch (error) {
      throw new StoreUnavailableError(`Redis: ${error instanceof Error ? error.message : String(error)}`);
    }
    const answeredOn = this.#connection;
    if (replicas < this.minReplicas)
      throw new StoreUnavailableError(`Redis: a write reached ${replicas} of ${this.minReplicas} replicas in time`);
    return answeredOn;
  }
}
