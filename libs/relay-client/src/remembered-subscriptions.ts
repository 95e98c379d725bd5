/**
 * The subscriptions a RelayClient remembers for its reading connection (docs/protocol/relay.md
 * §3.6). The relay forgets them with each connection (§2), so every new reading connection is
 * sent them again and the relay pushes what is still pending (at-least-once, §5.4). A retryable
 * failure is retried with backoff on that same connection; a definite refusal (`auth`: the queue
 * is gone, or the key is wrong) forgets the subscription and is told to onError's listeners.
 */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import { QUEUE_ID_LENGTH, encodeHex } from '@opendescent/protocol';
import { subscribe } from './commands';
import { RelayRequestError, asRequestError, isRetryable } from './errors';
import { Listeners } from './listeners';
import type { RelayConnection } from './relay-connection';

interface Subscription {
  readonly recipientId: Uint8Array;
  readonly key: Ed25519KeyPair;
}

export class RememberedSubscriptions {
  readonly #subscriptions = new Map<string, Subscription>();
  /** Retries of a re-sent subscription, all on the current reading connection. */
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #errorListeners = new Listeners<[Uint8Array, RelayRequestError]>();
  readonly #retryDelayMs: (attempt: number) => number;

  /** `retryDelayMs(attempt)`: how long before the next try of a re-sent subscription. */
  constructor(retryDelayMs: (attempt: number) => number) {
    this.#retryDelayMs = retryDelayMs;
  }

  /** A remembered subscription the relay refused when it was sent again (`auth`: the queue is gone). */
  onError(listener: (recipientId: Uint8Array, error: RelayRequestError) => void): () => void {
    return this.#errorListeners.add(listener);
  }

  /** Whether pushes for this queue are still wanted. */
  has(recipientId: Uint8Array): boolean {
    return this.#subscriptions.has(encodeHex(recipientId));
  }

  /**
   * Remembers the subscription first, then sends it on `reading()`, so a rejection with a
   * retryable code (`offline` included) still leaves it to the next connection; a definite
   * refusal forgets it.
   */
  async subscribe(
    reading: () => RelayConnection,
    recipientId: Uint8Array,
    recipientKey: Ed25519KeyPair,
  ): Promise<void> {
    if (!(recipientId instanceof Uint8Array) || recipientId.length !== QUEUE_ID_LENGTH)
      throw new RelayRequestError('malformed', 'recipient id: 16 bytes expected');
    const id = encodeHex(recipientId);
    const subscription: Subscription = { recipientId: recipientId.slice(), key: recipientKey };
    this.#subscriptions.set(id, subscription);
    try {
      await subscribe(reading(), subscription.recipientId, subscription.key);
    } catch (error) {
      if (!isRetryable(error) && this.#subscriptions.get(id) === subscription) this.#subscriptions.delete(id);
      throw error;
    }
  }

  forget(recipientId: Uint8Array): void {
    this.#subscriptions.delete(encodeHex(recipientId));
  }

  /** After a reconnection: the relay forgot the subscriptions with the old connection (§2). */
  resendAll(connection: RelayConnection): void {
    for (const subscription of this.#subscriptions.values()) this.#resubscribe(connection, subscription, 0);
  }

  /** The reading connection is gone: its pending retries with it. */
  cancelRetries(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #resubscribe(connection: RelayConnection, subscription: Subscription, attempt: number): void {
    const id = encodeHex(subscription.recipientId);
    subscribe(connection, subscription.recipientId, subscription.key).catch((error: unknown) => {
      // A lost connection leaves it to the next one; a forgotten or replaced subscription is done.
      if (connection.closed || this.#subscriptions.get(id) !== subscription) return;
      const failure = asRequestError(error);
      if (isRetryable(failure)) {
        this.#later(() => {
          if (!connection.closed) this.#resubscribe(connection, subscription, attempt + 1);
        }, this.#retryDelayMs(attempt));
        return;
      }
      this.#subscriptions.delete(id);
      this.#errorListeners.notify(subscription.recipientId.slice(), failure);
    });
  }

  #later(task: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      task();
    }, delayMs);
    this.#timers.add(timer);
  }
}
