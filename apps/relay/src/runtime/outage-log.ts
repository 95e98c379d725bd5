import type { Logger } from 'pino';

/** How long one `store_unavailable` line speaks for (relay.md §10). */
export const OUTAGE_LOG_WINDOW_MS = 10_000;

/**
 * The log of a store outage (relay.md §10, operations.md §7): a Sentinel failover refuses a few
 * hundred commands on each node within a second or two, and a line for each buries everything
 * else. So the first refusal is logged at once; the next ones within the window are counted, and
 * one line at its end says how many there were. The count of refused frames is in the metrics
 * (`relay_frames_total{result="unavailable"}`), which is what to alert on.
 */
export class OutageLog {
  #windowEnds = 0;
  #repeated = 0;
  #reason = '';

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = OUTAGE_LOG_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A command refused because the store failed; `reason` is the store's message (never an id). */
  report(reason: string): void {
    const now = this.now();
    if (now < this.#windowEnds) {
      this.#repeated += 1;
      this.#reason = reason;
      return;
    }
    this.#windowEnds = now + this.windowMs;
    this.logger.error({ event: 'store_unavailable', reason }, 'store unavailable');
    setTimeout(() => this.#closeWindow(), this.windowMs).unref();
  }

  #closeWindow(): void {
    if (this.#repeated === 0) return;
    this.logger.error(
      {
        event: 'store_unavailable',
        repeated: this.#repeated,
        windowSeconds: this.windowMs / 1000,
        reason: this.#reason,
      },
      `store unavailable: ${this.#repeated} more commands refused`,
    );
    this.#repeated = 0;
  }
}
