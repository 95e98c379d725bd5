import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RELAY_RUNTIME, type RelayRuntime } from './relay-runtime';
import { closeRedis } from '../store/redis-target';

/** How often the memory store reclaims expired blobs and idle queues (reads never see them anyway). */
export const SWEEP_INTERVAL_MS = 10_000;

/** Owns the runtime's long-lived resources: the expiry sweep, the store and the Redis clients. */
@Injectable()
export class RelayResources implements OnModuleInit, OnApplicationShutdown {
  #sweep: NodeJS.Timeout | undefined;

  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  onModuleInit(): void {
    this.#sweep = setInterval(() => {
      this.runtime.store.sweep(this.runtime.clock()).catch((error: unknown) => {
        this.runtime.logger.warn(
          { event: 'sweep_failed', reason: error instanceof Error ? error.message : String(error) },
          'sweep failed',
        );
      });
    }, SWEEP_INTERVAL_MS);
    this.#sweep.unref();
  }

  /** After the gateway has drained and socket.io has closed (relay.md §11). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.#sweep);
    await this.runtime.store.close();
    if (this.runtime.pubSub) {
      await Promise.all([closeRedis(this.runtime.pubSub.pub), closeRedis(this.runtime.pubSub.sub)]);
    }
    this.runtime.logger.info({ event: 'stopped' }, 'relay stopped');
  }
}
