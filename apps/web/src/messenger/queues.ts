import { ed25519KeyPairFromSeed, type Ed25519KeyPair } from '@opendescent/crypto';
import { RelayRequestError } from '@opendescent/relay-client';
import { toHex } from './encoding';
import type { RelayPool } from './relay-pool';
import type { QueueRecord } from './records';

/** One of our queues, its signing key, and the peer device it was made for (none: the intro queue). */
export interface IndexedQueue {
  readonly queue: QueueRecord;
  readonly key: Ed25519KeyPair;
  readonly peer?: string;
}

/**
 * The queues this device reads (messages.md §2, §5.1), indexed by recipient id, each subscribed
 * on its relay. A queue the relay refuses (it lost it) is reported to `lost`.
 */
export class QueueIndex {
  private readonly queues = new Map<string, IndexedQueue>();

  constructor(
    private readonly relays: RelayPool,
    private readonly lost: (recipientIdHex: string) => void,
  ) {}

  find(recipientIdHex: string): IndexedQueue | undefined {
    return this.queues.get(recipientIdHex);
  }

  async add(queue: QueueRecord, peer?: string): Promise<void> {
    const key = await ed25519KeyPairFromSeed(queue.keySeed);
    this.queues.set(toHex(queue.recipientId), { queue, key, ...(peer ? { peer } : {}) });
    // Remembered by the relay client even when it is offline, and sent again on every reconnection.
    await this.relays
      .existing(queue.relay)
      ?.subscribe(queue.recipientId, key)
      .catch((error: unknown) => {
        if (error instanceof RelayRequestError && error.code === 'auth') this.lost(toHex(queue.recipientId));
      });
  }

  forget(queue: QueueRecord): void {
    this.queues.delete(toHex(queue.recipientId));
    this.relays.existing(queue.relay)?.unsubscribeLocal?.(queue.recipientId);
  }

  /** Forgets every queue and zeroes its key (the relay connections are stopped first). */
  clear(): void {
    for (const { key } of this.queues.values()) key.privateKey.wipe();
    this.queues.clear();
  }
}
