import type { Redis } from 'ioredis';
import type { LiveBus } from './live-delivery';

/**
 * relay.md §5.4, §9.1: live pushes between relay nodes over Redis pub/sub, as `deliver` frames
 * on one channel of the relay's prefix. Every node, the publishing one included, pushes what it
 * receives there, so all follow the order in which Redis took the publishes; and a node publishes
 * a put before answering it, so a sender's next put, on any node, comes after it. The subscriber
 * is the socket.io adapter's, which ignores this channel; ioredis restores the subscription after
 * every reconnection, and pending-redelivery.ts makes up for what was published while it was
 * away (pub/sub keeps nothing). A publish that fails is not retried: the blob is in its queue.
 */
export class RedisLiveBus implements LiveBus {
  #listener: (frame: Uint8Array) => void = () => undefined;

  private constructor(
    private readonly pub: Redis,
    private readonly channel: string,
    sub: Redis,
  ) {
    sub.on('messageBuffer', (from: Buffer, message: Buffer) => {
      if (from.toString() === channel) this.#listener(message);
    });
  }

  /** Subscribed before the node listens: a node that cannot subscribe does not start. */
  static async connect(pub: Redis, sub: Redis, channel: string): Promise<RedisLiveBus> {
    const bus = new RedisLiveBus(pub, channel, sub);
    await sub.subscribe(channel);
    return bus;
  }

  publish(frame: Uint8Array): void {
    void this.pub
      .publish(this.channel, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))
      .catch(() => undefined);
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.#listener = listener;
  }
}
