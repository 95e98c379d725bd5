import type { Redis } from 'ioredis';
import type { QueueService } from '../queues/queue.service';
import { recipientOfRoom, type Connection } from './connection-state';
import type { Hold, LiveDelivery } from './live-delivery';

/** Queues read at once while catching up: bounded, so a node with many subscriptions does not flood Redis. */
const PARALLEL_READS = 16;

/**
 * relay.md §9.1: live deliveries cross nodes through Redis pub/sub, which keeps nothing. One
 * published while this node's subscriber was away (a failover, a dropped connection) never
 * reaches this node, and its devices, still connected here, have no reason to fetch. So each
 * time the subscriber is back, every subscription held on this node catches up as at `subscribe`
 * (§3.6): its live pushes, held since the subscriber closed, wait while what is pending in its
 * queue is pushed, then follow (live-delivery.ts), so nothing arrives ahead of an older blob of
 * its queue. A device drops what it already has (§5.4: at least once).
 */
export class PendingRedelivery {
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly sub: Redis,
    /** A channel of its own: subscribing to it confirms the subscriber's other subscriptions are back first. */
    private readonly probeChannel: string,
    private readonly connections: () => Iterable<Connection>,
    private readonly queues: Pick<QueueService, 'allPending'>,
    private readonly live: Pick<LiveDelivery, 'holdAll' | 'release'>,
  ) {}

  /**
   * Watches the subscriber. When it closes, every subscription's live pushes are held (this
   * node's own puts included, which would otherwise overtake the other nodes' puts it missed);
   * every `ready` after the first is a reconnection, and the subscriptions catch up.
   */
  start(): void {
    let readyBefore = this.sub.status === 'ready';
    let away: Hold[] | undefined;
    this.sub.on('close', () => {
      away ??= this.live.holdAll(this.connections());
    });
    this.sub.on('ready', () => {
      if (!readyBefore) {
        readyBefore = true;
        return;
      }
      // Subscribed while it was away: held too, before ioredis restores the subscriptions.
      const held = away ?? [];
      const holds = [...held, ...this.live.holdAll(this.connections(), held)];
      away = undefined;
      // ioredis emits `ready`, then writes the subscriptions it restores; this runs after them.
      setImmediate(() => {
        this.#running = this.#running.then(() => this.redeliver(holds)).catch(() => undefined);
      });
    });
  }

  private async redeliver(holds: readonly Hold[]): Promise<void> {
    // Replies come in order on one connection: once this one is confirmed, so are the restored
    // subscriptions, and a put the store takes from now on is published to a subscriber listening.
    // If it fails (the subscriber away again), the queues are read anyway: the holds must end.
    await this.sub
      .subscribe(this.probeChannel)
      .then(() => this.sub.unsubscribe(this.probeChannel))
      .catch(() => undefined);
    let next = 0;
    const worker = async () => {
      while (next < holds.length) {
        const hold = holds[next++] as (typeof holds)[number];
        const pending = await this.queues.allPending(recipientOfRoom(hold.room)).catch(() => []);
        this.live.release(hold, pending);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, holds.length) }, worker));
  }
}
