import { performance } from 'node:perf_hooks';

export type Admission = 'admitted' | 'refused' | 'close';

/**
 * The per-connection rate limit of relay.md §8.3: `rate` tokens a second up to `burst`. A refused
 * frame still costs its token, so a client that keeps sending sinks below zero and, at minus the
 * burst, is disconnected; one that backs off recovers.
 */
export class TokenBucket {
  #tokens: number;
  #last = performance.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.#tokens = burst;
  }

  admit(cost: number): Admission {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    const enough = this.#tokens >= cost;
    this.#tokens -= cost;
    if (enough) return 'admitted';
    return this.#tokens <= -this.burst ? 'close' : 'refused';
  }

  /** An extra cost learnt after parsing (a large put_many): it may leave a debt. */
  charge(cost: number): void {
    this.#tokens -= cost;
  }
}
