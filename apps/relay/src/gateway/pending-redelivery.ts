import type { Redis } from 'ioredis';
import { RELAY_EVENTS, encodeDeliver } from '@opendescent/protocol';
import type { QueueService } from '../queues/queue.service';
import { recipientOfRoom, type Connection } from './connection-state';

/**
 * relay.md §9.1: live deliveries cross nodes through Redis pub/sub, which keeps nothing. One
 * published while this node's adapter subscriber was away (a failover, a dropped connection) never
 * reaches this node's subscribers, and their devices, still connected here, have no reason to
 * fetch. So each time the subscriber is back, every subscription held on this node is pushed what
 * is pending in its queue, as `subscribe` does (§3.6); a device drops what it already has (§5.4:
 * at least once).
 */
export class PendingRedelivery {
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly sub: Redis,
    /** A channel of its own: subscribing to it confirms the adapter's subscriptions are back first. */
    private readonly probeChannel: string,
    private readonly connections: () => Iterable<Connection>,
    private readonly queues: Pick<QueueService, 'allPending'>,
    private readonly delivered: () => void,
  ) {}

  /** Watches the subscriber; every `ready` after the first is a reconnection. */
  start(): void {
    let readyBefore = this.sub.status === 'ready';
    this.sub.on('ready', () => {
      if (!readyBefore) {
        readyBefore = true;
        return;
      }
      // ioredis emits `ready`, then writes the subscriptions it restores; this runs after them.
      setImmediate(() => {
        this.#running = this.#running.then(() => this.redeliver()).catch(() => undefined);
      });
    });
  }

  private async redeliver(): Promise<void> {
    // Replies come in order on one connection: once this one is confirmed, so are the adapter's
    // own, and a put the store takes from now on is published to a subscriber that is listening.
    await this.sub.subscribe(this.probeChannel);
    await this.sub.unsubscribe(this.probeChannel);
    for (const connection of [...this.connections()]) {
      if (!connection.authenticated || connection.closing) continue;
      for (const room of [...connection.subscriptions]) {
        const pending = await this.queues.allPending(recipientOfRoom(room)).catch(() => []);
        for (const delivery of pending) {
          connection.socket.emit(RELAY_EVENTS.deliver, encodeDeliver(delivery));
          this.delivered();
        }
      }
    }
  }
}
