/**
 * Shapes one connection's outgoing frames to what the relay advertised in its challenge
 * (docs/protocol/relay.md §3.1, §8.3), so that a burst from the messenger (a re-subscription of
 * every queue after a reconnection, a large outbox) waits here instead of being refused with
 * `rate_limited`, or worse, driving the relay's bucket to minus the burst, which closes the
 * connection.
 *
 * - A token bucket like the relay's, at `RATE_MARGIN` of its rate and burst, so this bucket never
 *   holds more than the relay's (network jitter can bunch frames on arrival).
 * - As the relay admits a frame on one token and charges a large put_many afterwards (§8.3), a
 *   frame waits for one token and then pays its whole cost, possibly leaving a debt.
 * - At most `MAX_IN_FLIGHT` frames unanswered: the relay refuses frames beyond 64 waiting.
 */
export const RATE_MARGIN = 0.9;
export const MAX_IN_FLIGHT = 32;

interface Waiter {
  readonly cost: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class FramePacer {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #inFlight = 0;
  readonly #waiting: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed: unknown = undefined;

  constructor(limits: { readonly ratePerSecond: number; readonly rateBurst: number }, now: () => number = Date.now) {
    this.#rate = Math.max(0.5, limits.ratePerSecond * RATE_MARGIN);
    this.#burst = Math.max(1, Math.floor(limits.rateBurst * RATE_MARGIN));
    this.#now = now;
    this.#tokens = this.#burst;
    this.#last = now();
  }

  /** Resolves when a frame of this cost may be sent; the caller must `release()` once it is answered. */
  acquire(cost: number): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ cost, resolve, reject });
      this.#pump();
    });
  }

  /** A frame was answered (or given up on): one more may be in flight. */
  release(): void {
    if (this.#inFlight > 0) this.#inFlight--;
    this.#pump();
  }

  /** Rejects every waiting frame with `error`; later acquisitions fail with it too. */
  close(error: unknown): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
  }

  #pump(): void {
    if (this.#closed !== undefined) return;
    this.#refill();
    // First come, first served: a large put_many is not overtaken by a stream of small frames.
    while (this.#waiting.length > 0 && this.#inFlight < MAX_IN_FLIGHT && this.#tokens >= 1) {
      const waiter = this.#waiting.shift() as Waiter;
      this.#tokens -= waiter.cost;
      this.#inFlight++;
      waiter.resolve();
    }
    if (this.#waiting.length > 0 && this.#inFlight < MAX_IN_FLIGHT && this.#timer === undefined) {
      const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, waitMs);
    }
  }
}
